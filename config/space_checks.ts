/**
 * What a search space may not do, found before any trial runs: a path searched twice where one
 * trial could reach both, a `when` naming no choice, a parameter whose kind changes between
 * branches (Optuna refuses that within a study), a value the run config refuses, a grid too big
 * to number. Each issue's path leads to the entry (`space.optimizer.type.when.sgd.…`).
 *
 * @module
 */

import { show } from "./fields.ts";
import { tryApplyParams } from "./params.ts";
import type { RunConfigInput } from "./schema.ts";
import {
  choiceKey,
  LAYER_FIELDS,
  LAYERS_PATH,
  type LayersEntry,
  MAX_SPACE_DEPTH,
  MAX_SPACE_PARAMS,
  type ParamSpec,
  probeValues,
  type SpaceSpec,
} from "./space_schema.ts";
import { isParamSpec, layerCountParam, layerParamName } from "./space_walk.ts";

type Path = (string | number)[];
export type SpaceIssue = { path: Path; message: string };

/** The structural issues of `space` (no base needed); empty when it may be walked. */
export function spaceShapeIssues(space: SpaceSpec): SpaceIssue[] {
  const issues: SpaceIssue[] = [];
  const count = countParams(space);
  if (count > MAX_SPACE_PARAMS) {
    issues.push({
      path: ["space"],
      message: `Space may define at most ${MAX_SPACE_PARAMS} parameters, got ${count}`,
    });
    return issues;
  }
  reach(space, ["space"], issues, 1);
  return issues;
}

function countParams(space: SpaceSpec): number {
  let count = 0;
  for (const entry of Object.values(space)) {
    if (entry.type === "layers") {
      count += 1 + Object.values(entry.layer).filter(isParamSpec).length;
    } else {
      count += 1;
      if (entry.type === "categorical") {
        for (const sub of Object.values(entry.when ?? {})) count += countParams(sub);
      }
    }
  }
  return count;
}

/** Names a trial may take in `space`, with their distributions; `"model.layers"` for depth. */
type Reach = Map<string, ParamSpec | null>;

function reach(space: SpaceSpec, at: Path, issues: SpaceIssue[], depth: number): Reach {
  const level: Array<{ path: string; names: Reach }> = [];
  for (const [path, entry] of Object.entries(space)) {
    const where = [...at, path];
    const names: Reach = new Map();
    if (entry.type === "layers") {
      layersShape(entry, path, where, issues);
      names.set(LAYERS_PATH, null);
      names.set(`${LAYERS_PATH}.length`, layerCountParam(entry));
    } else {
      names.set(
        path,
        entry.type === "categorical" ? { type: "categorical", choices: entry.choices } : entry,
      );
      if (entry.type === "categorical" && entry.when) {
        if (depth >= MAX_SPACE_DEPTH) {
          issues.push({
            path: [...where, "when"],
            message: `Sub-spaces may nest at most ${MAX_SPACE_DEPTH} levels deep`,
          });
          continue;
        }
        const keys = new Map<string, unknown>();
        for (const choice of entry.choices) {
          const key = choiceKey(choice);
          if (keys.has(key)) {
            issues.push({
              path: [...where, "choices"],
              message: `Choices ${show(keys.get(key))} and ${show(choice)} are the same "when" ` +
                `key "${key}"; make them differ`,
            });
          }
          keys.set(key, choice);
        }
        for (const [key, sub] of Object.entries(entry.when)) {
          const subAt = [...where, "when", key];
          if (!keys.has(key)) {
            const listed = [...keys.keys()].map((k) => `"${k}"`).join(", ");
            issues.push({
              path: subAt,
              message: `When names "${key}", which is not a choice: expected one of ${listed}`,
            });
            continue;
          }
          const subNames = reach(sub, subAt, issues, depth + 1);
          for (const [name, param] of subNames) {
            if (overlaps(name, path)) {
              issues.push({
                path: subAt,
                message: `"${name}" inside the "${key}" branch overlaps "${path}", which chose it`,
              });
              continue;
            }
            const other = names.get(name);
            const clash = other !== undefined && param && other && incompatible(other, param);
            if (clash) issues.push({ path: subAt, message: `"${name}" ${clash}` });
            else if (!names.has(name)) names.set(name, param);
          }
        }
      }
    }
    level.push({ path, names });
  }
  const all: Reach = new Map();
  for (let i = 0; i < level.length; i++) {
    for (let j = 0; j < i; j++) {
      const shared = [...level[i].names.keys()].find((a) =>
        [...level[j].names.keys()].some((b) => overlaps(a, b))
      );
      if (shared !== undefined) {
        issues.push({
          path: [...at, level[i].path],
          message: `"${shared}" is searched by both "${level[j].path}" and "${level[i].path}"; ` +
            `one trial would set it twice`,
        });
      }
    }
    for (const [name, param] of level[i].names) all.set(name, param);
  }
  return all;
}

/** Two paths one trial cannot both set: equal, or one inside the other. */
function overlaps(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);
}

/** Optuna's `check_distribution_compatible`: same kind, and the same choices for categoricals. */
function incompatible(a: ParamSpec, b: ParamSpec): string | undefined {
  if (a.type !== b.type) {
    return `is searched as ${a.type} in one branch and ${b.type} in another; a parameter ` +
      `keeps one kind across a study`;
  }
  if (
    a.type === "categorical" && b.type === "categorical" &&
    JSON.stringify(a.choices) !== JSON.stringify(b.choices)
  ) {
    return `has choices ${show(a.choices)} in one branch and ${
      show(b.choices)
    } in another; a categorical keeps its choices across a study`;
  }
  return undefined;
}

function layersShape(entry: LayersEntry, path: string, where: Path, issues: SpaceIssue[]) {
  if (path !== LAYERS_PATH) {
    issues.push({
      path: where,
      message: `A layers entry searches the hidden layers, so its path must be "${LAYERS_PATH}", ` +
        `got "${path}"`,
    });
  }
  if (entry.layer.units === undefined) {
    issues.push({
      path: [...where, "layer"],
      message: 'Layer must give units, a number or a distribution such as {"type": "int", ' +
        '"low": 32, "high": 512, "log": true}',
    });
  }
}

/**
 * Values of the space the run config refuses on `base`: each parameter's probe values (both
 * ends, a point inside, every choice), tried with the choices that lead to its branch. A value
 * refused on the base but accepted with some value of another parameter one trial also draws
 * (Nesterov with a searched momentum) passes: only trials that draw the bad pair fail.
 */
export function spaceFitIssues(base: RunConfigInput, space: SpaceSpec): SpaceIssue[] {
  const issues: SpaceIssue[] = [];
  const visit = (
    sub: SpaceSpec,
    at: Path,
    context: Record<string, unknown>,
    outer: Array<Record<string, unknown>>,
  ) => {
    const others = [...outer, ...companions(sub)];
    for (const [path, entry] of Object.entries(sub)) {
      const where = [...at, path];
      if (entry.type === "layers") {
        layersFit(base, entry, context, where, issues);
        continue;
      }
      const param = entry.type === "categorical"
        ? { type: "categorical" as const, choices: entry.choices }
        : entry;
      const alternatives = others.filter((other) => !(path in other));
      const misfit = paramMisfit(base, context, path, param, alternatives);
      if (misfit) {
        issues.push({ path: where, message: misfit });
        continue;
      }
      if (entry.type !== "categorical") continue;
      for (const choice of entry.choices) {
        const branch = entry.when?.[choiceKey(choice)];
        if (!branch) continue;
        const key = choiceKey(choice);
        visit(branch, [...where, "when", key], { ...context, [path]: choice }, others);
      }
    }
  };
  visit(space, ["space"], {}, []);
  return issues;
}

/** At most this many other values are tried for a value the base refuses. */
const MAX_ALTERNATIVES = 200;

/** One value of one other parameter of `space`, per entry: what a trial may also set. */
function companions(space: SpaceSpec): Array<Record<string, unknown>> {
  const values: Array<Record<string, unknown>> = [];
  for (const [path, entry] of Object.entries(space)) {
    if (entry.type === "layers") continue;
    const param = entry.type === "categorical"
      ? { type: "categorical" as const, choices: entry.choices }
      : entry;
    for (const { value } of probeValues(param)) values.push({ [path]: value });
  }
  return values.slice(0, MAX_ALTERNATIVES);
}

/**
 * Why `param` at `path` cannot be applied to `base` (with `context` set first, or any one of
 * `alternatives` besides), or undefined when every probe value makes a valid run config. Only
 * the first failing value is reported, as the base refuses it.
 */
export function paramMisfit(
  base: RunConfigInput,
  context: Record<string, unknown>,
  path: string,
  param: ParamSpec,
  alternatives: ReadonlyArray<Record<string, unknown>> = [],
): string | undefined {
  for (const { value, role } of probeValues(param)) {
    const result = tryApplyParams(base, { ...context, [path]: value });
    if (result.ok) continue;
    const rescued = alternatives.slice(0, MAX_ALTERNATIVES).some((other) =>
      tryApplyParams(base, { ...context, ...other, [path]: value }).ok
    );
    if (rescued) continue;
    const [issue] = result.issues;
    const where = issue.path === path ? "" : `${issue.path || "(root)"}: `;
    return `Cannot set "${path}" to ${show(value)} (${role}): ${where}${issue.message}`;
  }
  return undefined;
}

function layersFit(
  base: RunConfigInput,
  entry: LayersEntry,
  context: Record<string, unknown>,
  where: Path,
  issues: SpaceIssue[],
) {
  // Every layer starts from the fixed fields and the first probe value of each searched one.
  const template: Record<string, unknown> = {};
  for (const field of LAYER_FIELDS) {
    const value = entry.layer[field];
    if (value !== undefined) {
      template[field] = isParamSpec(value) ? probeValues(value)[0].value : value;
    }
  }
  const tryLayers = (layers: unknown[]) =>
    tryApplyParams(base, { ...context, [LAYERS_PATH]: layers });
  const counts = [...new Set([Math.max(entry.low, 1), entry.high])].filter((n) => n > 0);
  for (const count of counts) {
    const result = tryLayers(Array.from({ length: count }, () => template));
    if (result.ok) continue;
    const [issue] = result.issues;
    const field = /^model\.layers\.\d+\.(\w+)$/.exec(issue.path)?.[1];
    issues.push({
      path: field ? [...where, "layer", field] : where,
      message: `With ${count} layer${count === 1 ? "" : "s"}: ${issue.path}: ${issue.message}`,
    });
    return;
  }
  for (const field of LAYER_FIELDS) {
    const param = entry.layer[field];
    if (!isParamSpec(param)) continue;
    for (const { value, role } of probeValues(param)) {
      const result = tryLayers([{ ...template, [field]: value }]);
      if (result.ok) continue;
      issues.push({
        path: [...where, "layer", field],
        message: `Cannot set "${layerParamName(0, field)}" to ${show(value)} (${role}): ` +
          result.issues[0].message,
      });
      break;
    }
  }
}

/**
 * Floats without a step, which a grid cannot enumerate, each at the entry that searches it: in
 * its branch (`space.optimizer.type.when.sgd.optimizer.momentum`), or a depth entry's field.
 */
export function gridStepIssues(space: SpaceSpec): SpaceIssue[] {
  const issues: SpaceIssue[] = [];
  const unstepped = (param: unknown) =>
    isParamSpec(param) && param.type === "float" && param.step === undefined;
  const visit = (sub: SpaceSpec, at: Path) => {
    for (const [path, entry] of Object.entries(sub)) {
      const where = [...at, path];
      if (entry.type === "layers") {
        for (const field of LAYER_FIELDS.filter((field) => unstepped(entry.layer[field]))) {
          issues.push({
            path: [...where, "layer", field],
            message: `The grid sampler needs a step for float layer field "${field}"`,
          });
        }
      } else if (unstepped(entry)) {
        issues.push({
          path: where,
          message: `The grid sampler needs a step for float parameter "${path}"`,
        });
      } else if (entry.type === "categorical") {
        for (const [key, branch] of Object.entries(entry.when ?? {})) {
          visit(branch, [...where, "when", key]);
        }
      }
    }
  };
  visit(space, ["space"]);
  return issues;
}
