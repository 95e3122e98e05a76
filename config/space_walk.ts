/**
 * How a trial walks a search space, the way an Optuna objective runs its `suggest_*` calls:
 * top to bottom, into a choice's sub-space only when that choice is taken, and through a depth
 * entry once per layer it chose. One walk, three uses:
 *
 * - the tuner draws each parameter from the trial (`tuner/from_spec.ts`);
 * - {@linkcode configForParams} rebuilds a trial's run config from its stored parameters (train
 *   the best, replay a trial);
 * - admission tries the values that cost the most (`admission.ts`).
 *
 * @module
 */

import type { RunConfig } from "../engine/spec.ts";
import type { ParamValue } from "../tuner/frozen_trial.ts";
import { show } from "./fields.ts";
import { applyParams } from "./params.ts";
import type { RunConfigInput } from "./schema.ts";
import {
  choiceKey,
  LAYER_COUNT_PARAM,
  LAYER_FIELDS,
  LAYERS_PATH,
  type LayersEntry,
  type ParamSpec,
  type SpaceEntry,
  type SpaceSpec,
} from "./space_schema.ts";

/** Gives the value of trial parameter `name`, drawn from `param`. */
export type Choose = (name: string, param: ParamSpec) => ParamValue;

export interface Walk {
  /** The trial's parameters, by name, in the order they were chosen. */
  params: Record<string, ParamValue>;
  /** What to set on the base, by dotted path: each parameter, and the layer list of a depth entry. */
  assignments: Record<string, unknown>;
}

export function isParamSpec(value: unknown): value is ParamSpec {
  return typeof value === "object" && value !== null && "type" in value;
}

/** The distribution an entry draws from: a categorical without its sub-spaces. */
function drawnFrom(entry: Exclude<SpaceEntry, LayersEntry>): ParamSpec {
  return entry.type === "categorical" ? { type: "categorical", choices: entry.choices } : entry;
}

/** The distribution of the number of layers of a depth entry. */
export function layerCountParam(entry: LayersEntry): ParamSpec {
  return { type: "int", low: entry.low, high: entry.high, log: false };
}

export function layerParamName(index: number, field: string): string {
  return `${LAYERS_PATH}.${index}.${field}`;
}

export function walkSpace(space: SpaceSpec, choose: Choose): Walk {
  const params: Record<string, ParamValue> = {};
  const assignments: Record<string, unknown> = {};
  const take = (name: string, param: ParamSpec) => params[name] = choose(name, param);
  const visit = (sub: SpaceSpec) => {
    for (const [path, entry] of Object.entries(sub)) {
      if (entry.type === "layers") {
        assignments[LAYERS_PATH] = chooseLayers(entry, take);
        continue;
      }
      const value = take(path, drawnFrom(entry));
      assignments[path] = value;
      const branch = entry.type === "categorical" ? entry.when?.[choiceKey(value)] : undefined;
      if (branch) visit(branch);
    }
  };
  visit(space);
  return { params, assignments };
}

function chooseLayers(entry: LayersEntry, take: Choose): Record<string, unknown>[] {
  const count = take(LAYER_COUNT_PARAM, layerCountParam(entry)) as number;
  return Array.from({ length: count }, (_, index) => {
    const layer: Record<string, unknown> = {};
    for (const field of LAYER_FIELDS) {
      const value = entry.layer[field];
      if (value === undefined) continue;
      layer[field] = isParamSpec(value) ? take(layerParamName(index, field), value) : value;
    }
    return layer;
  });
}

/**
 * The run config a trial with `params` trained: `base` with the space walked on those values.
 * Throws when `params` lacks one the walk reaches (they come from another space).
 */
export function configForParams(
  base: RunConfigInput,
  space: SpaceSpec,
  params: Readonly<Record<string, ParamValue>>,
): RunConfig {
  const { assignments } = walkSpace(space, (name) => {
    if (!(name in params)) {
      throw new Error(
        `Parameters ${show(params)} lack "${name}", which this study's space searches`,
      );
    }
    return params[name];
  });
  return applyParams(base, assignments);
}

/**
 * Every parameter a trial of `space` may have, with the widest range it may be drawn from: a
 * path searched in two branches with two ranges shows one axis spanning both, and a depth
 * entry's fields appear once per layer up to its most layers. For plots and tables.
 */
export function spaceParams(space: SpaceSpec): Record<string, ParamSpec> {
  const params: Record<string, ParamSpec> = {};
  const add = (name: string, param: ParamSpec) => {
    params[name] = params[name] ? widen(params[name], param) : param;
  };
  const visit = (sub: SpaceSpec) => {
    for (const [path, entry] of Object.entries(sub)) {
      if (entry.type !== "layers") {
        add(path, drawnFrom(entry));
        if (entry.type === "categorical") Object.values(entry.when ?? {}).forEach(visit);
        continue;
      }
      add(LAYER_COUNT_PARAM, layerCountParam(entry));
      for (let index = 0; index < entry.high; index++) {
        for (const field of LAYER_FIELDS) {
          const value = entry.layer[field];
          if (isParamSpec(value)) add(layerParamName(index, field), value);
        }
      }
    }
  };
  visit(space);
  return params;
}

function widen(a: ParamSpec, b: ParamSpec): ParamSpec {
  if (a.type === "categorical" || b.type === "categorical" || a.type !== b.type) {
    const choices = (p: ParamSpec) => p.type === "categorical" ? p.choices : [p.low, p.high];
    return { type: "categorical", choices: [...new Set([...choices(a), ...choices(b)])] };
  }
  return {
    ...a,
    low: Math.min(a.low, b.low),
    high: Math.max(a.high, b.high),
    log: a.log && b.log,
    step: a.step === b.step ? a.step : undefined,
  } as ParamSpec;
}
