/**
 * Admission beside validation: what this server would refuse of the parts of an input the schema
 * found valid, so one submit shows every problem (a bad layer and a train size past the
 * dataset's) instead of the dataset's limits only once the rest is fixed.
 *
 * A check runs only on fields the schema did not fault; faulted fields are taken at their
 * defaults and nothing is said about them, or about a part that holds them or lies within them.
 * The memory estimate reads nearly the whole config, so it runs only when every faulted field is
 * one it does not read (a name, a learning rate, a dropout).
 *
 * @module
 */

import {
  type AdmissionContext,
  admissionIssues,
  runDataRefusals,
  studyAdmissionIssues,
  studyDataRefusals,
} from "./admission.ts";
import type { Issue } from "./issues.ts";
import { protoKeyIssue } from "./proto_key.ts";
import { parseRunConfig, type RunConfigInput } from "./schema.ts";
import { paramSchema } from "./space_schema.ts";
import { parseStudySpec, type StudySpec } from "./study_schema.ts";

/** Whether one path holds the other, or they are the same ("" holds everything). */
export function onOneLine(a: string, b: string): boolean {
  return a === b || a === "" || b === "" || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function without(value: unknown, keys: string[]): unknown {
  const [key, ...rest] = keys;
  if (Array.isArray(value) && /^\d+$/.test(key) && Number(key) < value.length) {
    const copy = [...value];
    copy[Number(key)] = without(copy[Number(key)], rest);
    return copy;
  }
  if (!isRecord(value) || !Object.hasOwn(value, key)) return value;
  const copy = { ...value };
  if (rest.length === 0) delete copy[key];
  else copy[key] = without(copy[key], rest);
  return copy;
}

/**
 * `input` without the fields at `paths`, so the schema's defaults take their place; a path ending
 * in an array index drops the whole array (`optimizer.betas.1` drops `betas`). Copies only along
 * the paths; `input` is left as it was.
 */
export function withoutPaths(input: unknown, paths: readonly string[]): unknown {
  let result = input;
  for (const path of paths) {
    const keys = path.split(".");
    while (keys.length > 0 && /^\d+$/.test(keys.at(-1)!)) keys.pop();
    if (keys.length > 0) result = without(result, keys);
  }
  return result;
}

/** Run config fields the memory estimate does not read (`engine/memory_estimate.ts`). */
const MEMORY_FREE = [
  /^name$/,
  /^seed$/,
  /^epochs$/,
  /^regularization(\..*)?$/,
  /^model\.init$/,
  /^model\.layers\.\d+\.(activation|dropout)$/,
  /^data\.(normalize|testSize)(\..*)?$/,
  /^optimizer\.(lr|eps|betas|weightDecay|alpha|dampening|nesterov)(\..*)?$/,
  /^batch\.shuffle$/,
];

export function memoryIgnores(path: string): boolean {
  return MEMORY_FREE.some((pattern) => pattern.test(path));
}

/**
 * What this server would refuse of a run config input whose schema `issues` are given: its data
 * (unless the dataset itself is faulted) and, where only fields it does not read are faulted,
 * its memory. Empty when `issues` is: a valid config takes `runRefusals`.
 */
export async function partialRunRefusals(
  input: unknown,
  issues: readonly Issue[],
  ctx: AdmissionContext,
): Promise<Issue[]> {
  if (issues.length === 0 || protoKeyIssue(input) || !isRecord(input)) return [];
  const faults = issues.map((issue) => issue.path);
  const faulted = (path: string) => faults.some((fault) => onOneLine(fault, path));
  const repaired = withoutPaths(input, faults) as Record<string, unknown>;
  const refusals: Issue[] = [];
  if (!faulted("data.dataset")) {
    // Only the data: other fields may still fail (a layer without units), and these checks read
    // only the data.
    const data = parseRunConfig({ data: repaired.data });
    if (data.ok) {
      const found = await runDataRefusals(data.config, ctx);
      refusals.push(...found.filter((issue) => !faulted(issue.path)));
    }
  }
  if (faults.every(memoryIgnores)) {
    const config = parseRunConfig(repaired);
    if (config.ok) refusals.push(...await admissionIssues(config.config, ctx));
  }
  return refusals;
}

/** Top-level study fields that admission does not read: faulted, they take their defaults. */
const STUDY_SETTINGS = ["name", "direction", "trials", "sampler", "pruner"];

/**
 * {@linkcode partialRunRefusals} for a study file: its base's data and searched datasets, and
 * memory at the search space's worst where only fields the estimate does not read are faulted.
 * A faulted search space leaves the trials unknown, so nothing is checked then.
 */
export async function partialStudyRefusals(
  input: unknown,
  issues: readonly Issue[],
  ctx: AdmissionContext,
): Promise<Issue[]> {
  if (issues.length === 0 || protoKeyIssue(input) || !isRecord(input)) return [];
  const faults = issues.map((issue) => issue.path);
  const faulted = (path: string) => faults.some((fault) => onOneLine(fault, path));
  // A base that is not an object, or a faulted space: the trials are unknown.
  if (faults.some((fault) => onOneLine(fault, "space") || fault === "base")) return [];
  const baseFaults = faults.filter((fault) => fault.startsWith("base."))
    .map((fault) => fault.slice("base.".length));
  const base = withoutPaths(input.base ?? {}, baseFaults);
  // A faulted metric is taken as one without a dev split to check.
  const metric = faulted("metric") ? "trainLoss" : input.metric as StudySpec["metric"] | undefined;
  const settings = Object.fromEntries(
    Object.entries(input).filter(([key]) => !STUDY_SETTINGS.includes(key) || !faulted(key)),
  );
  const refusals: Issue[] = [];
  if (!baseFaults.some((fault) => onOneLine(fault, "data.dataset"))) {
    const data = studyData(base, metric, input.space);
    if (data) {
      const found = await studyDataRefusals(data, ctx);
      refusals.push(...found.filter((issue) => !faulted(issue.path)));
    }
  }
  if (baseFaults.every(memoryIgnores)) {
    const study = parseStudySpec({ name: "study", ...settings, metric, base });
    if (study.ok) refusals.push(...await studyAdmissionIssues(study.spec, ctx));
  }
  return refusals;
}

/** The parts of a study its data checks read, or null when they are not valid. */
function studyData(
  base: unknown,
  metric: StudySpec["metric"] | undefined,
  space: unknown,
): Pick<StudySpec, "metric" | "base" | "space"> | null {
  const data = parseRunConfig({ data: isRecord(base) ? base.data : undefined });
  if (!data.ok || !isRecord(space)) return null;
  const searched: StudySpec["space"] = {};
  for (const [path, entry] of Object.entries(space)) {
    if (!path.startsWith("data.")) continue;
    const param = paramSchema.safeParse(entry);
    if (!param.success) return null;
    searched[path] = param.data;
  }
  // Only the data: the base's other fields may be faulted, and these checks do not read them.
  const dataOnly = isRecord(base) && base.data !== undefined ? { data: base.data } : {};
  return { metric: metric ?? "devAccuracy", base: dataOnly as RunConfigInput, space: searched };
}
