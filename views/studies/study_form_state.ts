/**
 * The new-study form and the study file, both ways. The base run is the New run editor itself,
 * its fields named as there (`optimizer.lr`, `model.layers.1.dropout`); the study's own fields
 * are `study.<path>` (`study.trials`, `study.sampler.seed`). Any base field can be searched in
 * place: `search.<path>` switches it, and its distribution is the entry at `space.<path>` (see
 * `space_fields.ts`, which also holds a choice's sub-space rows). `search.model.layers` searches
 * the depth, with the layer template at `space.model.layers.layer.<field>`. Parameters the
 * editor does not draw (a path of another optimizer type) are rows at `extra`.
 *
 * The file keeps only the base fields that differ from the defaults (`minimal_config.ts`), and
 * a study opened with "Edit as new study" comes back as the same file.
 *
 * @module
 */

import { defaultRunConfig, parseRunConfig } from "../../config/schema.ts";
import { LAYER_FIELDS, LAYERS_PATH, type LayersEntry } from "../../config/space_schema.ts";
import type { StudySpec } from "../../config/study_schema.ts";
import type { RunConfig } from "../../engine/spec.ts";
import { minimalConfig } from "../run_editor/minimal_config.ts";
import {
  applyLayerAction,
  CLIP_TYPE_FIELD,
  configToValues,
  defined,
  type FormValues,
  isChecked,
  layerCount,
  numberOrText,
  optionalNumber,
  SHOWN_OPTIMIZER_FIELD,
  switchOptimizer,
  valuesToInput,
} from "../run_editor/run_form_state.ts";
import type { OptimizerType } from "../../engine/spec.ts";
import {
  isSchedulerType,
  SCHEDULER_FIELDS,
  schedulerSwitched,
  switchScheduler,
} from "../run_editor/scheduler_form.ts";
import { SUGGESTED_PATHS, suggestionFor } from "./search_suggestions.ts";
import { objectivesToValues, readNsga2Sampler, readObjectives } from "./objective_fields.tsx";
import {
  DISTRIBUTION_FIELDS,
  readEntry,
  readRows,
  removeRow,
  rowCount,
  rowPrefix,
  writeEntry,
  writeRows,
} from "./space_fields.ts";

export type { FormValues } from "../run_editor/run_form_state.ts";

const CHECKED = "on";
export const STUDY_PREFIX = "study.";
export const SEARCH_PREFIX = "search.";
export const SPACE_PREFIX = "space.";
/** Rows of searched parameters the editor does not draw in place. */
export const EXTRA_ROWS = "extra";
/** Which rows to add or remove: `add:<rows>` or `remove:<rows>.<i>`. */
export const SPACE_ACTION_FIELD = "spaceAction";
/** Where issues about the search space as a whole are shown. */
export const SPACE_FIELD = "space";
/** Where issues about the base as a whole are shown. */
export const BASE_FIELD = "base";
export const DEPTH_SEARCH = `${SEARCH_PREFIX}${LAYERS_PATH}`;
export const DEPTH_ENTRY = `${SPACE_PREFIX}${LAYERS_PATH}`;
export const TEMPLATE = `${DEPTH_ENTRY}.layer`;

/**
 * Base fields that are form plumbing, not run config paths, and so never searched. The
 * clipping choice is one: its "none" is an absent config field, not a value to sample.
 */
const NOT_SEARCHABLE = new Set([
  "name",
  "data.datasetOther",
  "data.normalize",
  SHOWN_OPTIMIZER_FIELD,
  CLIP_TYPE_FIELD,
]);

/** The clipping fields the editor's chosen kind uses, and so may be searched. */
const CLIP_FIELDS: Record<string, string[]> = {
  norm: ["gradientClipping.maxNorm", "gradientClipping.normType"],
  value: ["gradientClipping.clipValue"],
};

/** Whether the base field `name` has a search switch. */
export function isSearchable(name: string): boolean {
  return !NOT_SEARCHABLE.has(name) && !/^(study|search|space|extra)\./.test(name) &&
    !/^(layerAction|spaceAction|refresh)$/.test(name);
}

const OPTIMIZER_FIELDS: Record<OptimizerType, string[]> = {
  sgd: ["lr", "momentum", "dampening", "weightDecay", "nesterov"],
  rmsprop: ["lr", "alpha", "eps", "weightDecay", "momentum", "centered"],
  adam: ["lr", "betas.0", "betas.1", "eps", "weightDecay", "amsgrad"],
  adamw: ["lr", "betas.0", "betas.1", "eps", "weightDecay", "amsgrad"],
};

const STATIC_FIELDS = [
  "seed",
  "data.dataset",
  "data.normalize.mean",
  "data.normalize.std",
  "data.split.train",
  "data.split.dev",
  "data.split.test",
  "data.trainSize",
  "data.testSize",
  "model.init",
  "loss",
  "batch.mode",
  "batch.size",
  "batch.shuffle",
  "optimizer.type",
  "scheduler.type",
  "regularization.l1",
  "regularization.l2",
  "epochs",
  "device",
];

/** The base fields the editor draws for these values, each of which may be searched in place. */
export function drawnFields(values: FormValues): string[] {
  const type = values["optimizer.type"] as OptimizerType;
  const optimizer = (OPTIMIZER_FIELDS[type] ?? []).map((field) => `optimizer.${field}`);
  const layers = isChecked(values, DEPTH_SEARCH) ? [] : Array.from(
    { length: layerCount(values) },
    (_, i) => LAYER_FIELDS.map((field) => `model.layers.${i}.${field}`),
  ).flat();
  const schedulerType = values["scheduler.type"];
  const scheduler = isSchedulerType(schedulerType)
    ? SCHEDULER_FIELDS[schedulerType].map(([field]) => `scheduler.${field}`)
    : [];
  const clipType = values[CLIP_TYPE_FIELD];
  const clipping = Object.hasOwn(CLIP_FIELDS, clipType) ? CLIP_FIELDS[clipType] : [];
  return [...STATIC_FIELDS, ...optimizer, ...scheduler, ...clipping, ...layers];
}

/** The paths searched in place, in the order their switches were posted. */
export function searchedInPlace(values: FormValues): string[] {
  const drawn = new Set(drawnFields(values));
  return Object.keys(values)
    .filter((name) => name.startsWith(SEARCH_PREFIX) && isChecked(values, name))
    .map((name) => name.slice(SEARCH_PREFIX.length))
    .filter((path) => drawn.has(path));
}

// ---------------------------------------------------------------------------------------------
// Form → file

function readDepth(values: FormValues): Record<string, unknown> {
  const layer: Record<string, unknown> = {};
  for (const field of LAYER_FIELDS) {
    const name = `${TEMPLATE}.${field}`;
    if (isChecked(values, `${SEARCH_PREFIX}${name}`)) {
      layer[field] = readEntry(values, name, MAX_NO_WHEN);
    } else if (field === "batchNorm") {
      if (isChecked(values, name)) layer[field] = true;
    } else if (field === "activation") {
      if (values[name] && values[name] !== "relu") layer[field] = values[name];
    } else {
      const value = optionalNumber(values[name]);
      if (value !== undefined && !(field === "dropout" && value === 0)) layer[field] = value;
    }
  }
  return {
    type: "layers",
    low: numberOrText(values[`${DEPTH_ENTRY}.low`] ?? ""),
    high: numberOrText(values[`${DEPTH_ENTRY}.high`] ?? ""),
    layer,
  };
}

/** A layer field's distribution has no sub-spaces: read it as if at the deepest level. */
const MAX_NO_WHEN = Number.POSITIVE_INFINITY;

function readSampler(values: FormValues): Record<string, unknown> {
  const field = (name: string) => values[`${STUDY_PREFIX}sampler.${name}`];
  const type = field("type");
  const seed = optionalNumber(field("seed"));
  if (type === "nsga2") return readNsga2Sampler(values, seed);
  if (type === "gp") {
    return defined({
      type,
      seed,
      nStartupTrials: optionalNumber(field("nStartupTrials")),
      deterministicObjective: isChecked(values, `${STUDY_PREFIX}sampler.deterministicObjective`),
    });
  }
  if (type === "cmaes") {
    return defined({
      type,
      seed,
      nStartupTrials: optionalNumber(field("nStartupTrials")),
      popsize: optionalNumber(field("popsize")),
      sigma0: optionalNumber(field("sigma0")),
      restartStrategy: field("restartStrategy") || undefined,
      incPopsize: optionalNumber(field("incPopsize")),
      considerPrunedTrials: isChecked(values, `${STUDY_PREFIX}sampler.considerPrunedTrials`),
    });
  }
  if (type === "qmc") {
    return defined({
      type,
      seed,
      qmcType: field("qmcType") || undefined,
      scramble: isChecked(values, `${STUDY_PREFIX}sampler.scramble`),
    });
  }
  if (type !== "tpe") return defined({ type, seed });
  return defined({
    type,
    seed,
    nStartupTrials: optionalNumber(field("nStartupTrials")),
    nEiCandidates: optionalNumber(field("nEiCandidates")),
    multivariate: isChecked(values, `${STUDY_PREFIX}sampler.multivariate`),
    constantLiar: isChecked(values, `${STUDY_PREFIX}sampler.constantLiar`),
  });
}

const PRUNER_FIELDS: Record<string, string[]> = {
  median: ["nStartupTrials", "nWarmupSteps", "intervalSteps"],
  percentile: ["percentile", "nStartupTrials", "nWarmupSteps", "intervalSteps", "nMinTrials"],
  asha: ["minResource", "reductionFactor", "minEarlyStoppingRate"],
  hyperband: ["minResource", "maxResource", "reductionFactor"],
  threshold: ["lower", "upper", "nWarmupSteps", "intervalSteps"],
  patient: ["patience", "minDelta"],
  none: [],
};

/** The pruner drawn at `prefix`; a patient pruner's wrapped one ("none": none) one level down. */
function readPruner(values: FormValues, prefix = `${STUDY_PREFIX}pruner`): Record<string, unknown> {
  const type = values[`${prefix}.type`];
  const knobs = (PRUNER_FIELDS[type] ?? []).map((name) => {
    const text = values[`${prefix}.${name}`];
    return [name, text?.trim() === "auto" ? "auto" : optionalNumber(text)];
  });
  const wrapped = values[`${prefix}.wrapped.type`];
  const wraps = type === "patient" && wrapped !== undefined && wrapped !== "none";
  return defined({
    type,
    ...Object.fromEntries(knobs),
    wrapped: wraps ? readPruner(values, `${prefix}.wrapped`) : undefined,
  });
}

/** The study file the form describes; `parseStudySpec` validates it. */
export function valuesToStudyInput(values: FormValues): Record<string, unknown> {
  const study = (name: string) => values[`${STUDY_PREFIX}${name}`];
  const raw = valuesToInput(values);
  const parsed = parseRunConfig(raw);
  // A base with problems goes as typed, so each problem comes back at its field.
  const base = parsed.ok ? minimalConfig(parsed.config) : withoutName(raw);
  const space: [string, unknown][] = [];
  if (isChecked(values, DEPTH_SEARCH)) space.push([LAYERS_PATH, readDepth(values)]);
  for (const path of searchedInPlace(values)) {
    space.push([path, readEntry(values, `${SPACE_PREFIX}${path}`)]);
  }
  space.push(...Object.entries(readRows(values, EXTRA_ROWS)));
  return {
    name: (study("name") ?? "").trim(),
    direction: study("direction"),
    metric: study("metric"),
    ...readObjectives(values),
    trials: numberOrText(study("trials")),
    // Empty: left out, so "auto": chosen from the cores and the backend of the machine that trains.
    parallel: (study("parallel") ?? "").trim() === "" ? undefined : numberOrText(study("parallel")),
    sampler: readSampler(values),
    pruner: readPruner(values),
    base,
    space: Object.fromEntries(space),
  };
}

function withoutName(input: Record<string, unknown>): Record<string, unknown> {
  const { name: _, ...rest } = input;
  return rest;
}

// ---------------------------------------------------------------------------------------------
// File → form

/** The study form's own fields for `spec` (name, objective, sampler, pruner). */
function studyValues(spec: Omit<StudySpec, "base" | "space">): FormValues {
  const values: FormValues = {};
  const set = (name: string, value: unknown) => {
    if (value !== undefined && value !== null) values[`${STUDY_PREFIX}${name}`] = String(value);
  };
  set("name", spec.name);
  set("direction", spec.direction);
  set("metric", spec.metric);
  set("trials", spec.trials);
  if (typeof spec.parallel === "number") set("parallel", spec.parallel);
  for (const [key, value] of Object.entries(spec.sampler)) {
    if (typeof value === "boolean") {
      if (value) values[`${STUDY_PREFIX}sampler.${key}`] = CHECKED;
    } else set(`sampler.${key}`, value);
  }
  values[`${STUDY_PREFIX}sampler.seed`] ??= "";
  const { wrapped, ...pruner } = spec.pruner as Record<string, unknown>;
  for (const [key, value] of Object.entries(pruner)) set(`pruner.${key}`, value);
  if (spec.pruner.type === "patient") set("pruner.wrapped.type", "none");
  for (const [key, value] of Object.entries(wrapped ?? {})) set(`pruner.wrapped.${key}`, value);
  return { ...values, ...objectivesToValues(spec) };
}

function writeDepth(values: FormValues, entry: LayersEntry): void {
  values[DEPTH_SEARCH] = CHECKED;
  values[`${DEPTH_ENTRY}.low`] = String(entry.low);
  values[`${DEPTH_ENTRY}.high`] = String(entry.high);
  const defaults: Record<string, string> = { activation: "relu", dropout: "0", units: "" };
  for (const field of LAYER_FIELDS) {
    const name = `${TEMPLATE}.${field}`;
    const value = entry.layer[field];
    if (typeof value === "object" && value !== null) {
      values[`${SEARCH_PREFIX}${name}`] = CHECKED;
      writeEntry(values, name, value);
    } else if (field === "batchNorm") {
      if (value === true) values[name] = CHECKED;
    } else {
      values[name] = value === undefined ? defaults[field] : String(value);
    }
  }
}

/** A run config (a stored study's base, or a run to tune) as the form's base fields. */
function baseValues(base: unknown): FormValues {
  const parsed = parseRunConfig(base);
  const config: RunConfig = parsed.ok ? parsed.config : defaultRunConfig();
  const values = configToValues(config);
  delete values.name;
  return values;
}

/** A stored study as the form ("Edit as new study"): every field of its file in place. */
export function specToValues(spec: StudySpec): FormValues {
  const values = { ...baseValues(spec.base), ...studyValues(spec) };
  const drawn = new Set(drawnFields(values));
  const extra: Record<string, StudySpec["space"][string]> = {};
  for (const [path, entry] of Object.entries(spec.space)) {
    if (entry.type === "layers" && path === LAYERS_PATH) writeDepth(values, entry);
    else if (drawn.has(path) && entry.type !== "layers") {
      values[`${SEARCH_PREFIX}${path}`] = CHECKED;
      writeEntry(values, `${SPACE_PREFIX}${path}`, entry);
    } else extra[path] = entry;
  }
  writeRows(values, EXTRA_ROWS, extra);
  return values;
}

const DEFAULT_STUDY = {
  name: "",
  direction: "maximize",
  metric: "devAccuracy",
  trials: 20,
  sampler: { type: "tpe", seed: 0, nStartupTrials: 10, nEiCandidates: 24, constantLiar: true },
  pruner: { type: "median", nStartupTrials: 5, nWarmupSteps: 0, intervalSteps: 1 },
} as const;

/** The form as it opens for `config` (the defaults, or a run to tune): a search over lr. */
export function tuneRunValues(config: unknown): FormValues {
  const values = {
    ...baseValues(config),
    ...studyValues(DEFAULT_STUDY as unknown as StudySpec),
    [`${SEARCH_PREFIX}optimizer.lr`]: CHECKED,
  };
  return prepareValues(values);
}

/** The form as it opens: the default run for 5 epochs, and a search over the learning rate. */
export function defaultStudyValues(): FormValues {
  return tuneRunValues({ epochs: 5 });
}

// ---------------------------------------------------------------------------------------------
// Edits

/** Fills what a newly searched field or a new row lacks: its suggested distribution. */
export function prepareValues(input: FormValues): FormValues {
  const values = { ...input };
  for (const path of searchedInPlace(values)) {
    const prefix = `${SPACE_PREFIX}${path}`;
    if (values[`${prefix}.type`] === undefined) {
      fill(values, prefix, suggestionFor(path, values[path]));
    }
  }
  if (isChecked(values, DEPTH_SEARCH) && values[`${DEPTH_ENTRY}.low`] === undefined) {
    const count = layerCount(values);
    values[`${DEPTH_ENTRY}.low`] = String(Math.max(1, count - 1));
    values[`${DEPTH_ENTRY}.high`] = String(Math.max(2, count + 1));
    values[`${TEMPLATE}.units`] = values["model.layers.0.units"] ?? "128";
    values[`${TEMPLATE}.activation`] = values["model.layers.0.activation"] ?? "relu";
    values[`${TEMPLATE}.dropout`] = values["model.layers.0.dropout"] ?? "0";
    if (isChecked(values, "model.layers.0.batchNorm")) values[`${TEMPLATE}.batchNorm`] = CHECKED;
    values[`${SEARCH_PREFIX}${TEMPLATE}.units`] = CHECKED;
  }
  for (const field of LAYER_FIELDS) {
    const name = `${TEMPLATE}.${field}`;
    if (isChecked(values, `${SEARCH_PREFIX}${name}`) && values[`${name}.type`] === undefined) {
      fill(values, name, suggestionFor(`model.layers.0.${field}`, values[name]));
    }
  }
  fillRows(values);
  return values;
}

function fill(values: FormValues, prefix: string, suggestion: FormValues) {
  for (const [field, value] of Object.entries(suggestion)) values[`${prefix}.${field}`] = value;
}

/**
 * Rows whose path is new, or changed since their distribution was drawn (`.shown` says for
 * which path), take the path's suggestion; in every list, sub-spaces included.
 */
function fillRows(values: FormValues) {
  for (const name of Object.keys(values)) {
    const match = /^(.*\.\d+)\.path$/.exec(name);
    if (!match) continue;
    const row = match[1];
    const path = values[name].trim();
    if (values[`${row}.shown`] === path && values[`${row}.type`] !== undefined) continue;
    for (const field of DISTRIBUTION_FIELDS) delete values[`${row}.${field}`];
    fill(values, row, suggestionFor(path));
    values[`${row}.shown`] = path;
  }
}

/** A new row offers the first suggested path no row of that list has yet. */
function newRowPath(values: FormValues, rows: string): string {
  const used = new Set(Object.keys(readRows(values, rows)));
  return SUGGESTED_PATHS.find((path) => !used.has(path)) ?? SUGGESTED_PATHS[0];
}

/**
 * Applies a space button (`add:<rows>`, `remove:<rows>.<i>`), a layer button, or a switched
 * optimizer type, then fills what the change left empty.
 */
export function applyFormAction(values: FormValues, action?: string, layerAction?: string) {
  let next = { ...values };
  if (layerAction !== undefined) {
    next = applyLayerAction(next, layerAction);
    // Switches of layers that no longer exist would search a path the base does not have.
    const count = layerCount(next);
    for (const name of Object.keys(next)) {
      const match = /^(search|space)\.model\.layers\.(\d+)\./.exec(name);
      if (match && Number(match[2]) >= count) delete next[name];
    }
  }
  const type = next["optimizer.type"] as OptimizerType;
  if (type && next[SHOWN_OPTIMIZER_FIELD] && type !== next[SHOWN_OPTIMIZER_FIELD]) {
    next = switchOptimizer(next, type);
  }
  if (schedulerSwitched(next)) next = switchScheduler(next, next["scheduler.type"]);
  if (action?.startsWith("add:")) {
    const rows = action.slice("add:".length);
    const count = rowCount(next, rows);
    next[`${rowPrefix(rows, count)}.path`] = newRowPath(next, rows);
  } else if (action?.startsWith("remove:")) {
    const row = action.slice("remove:".length);
    const match = /^(.*)\.(\d+)$/.exec(row);
    if (match) next = removeRow(next, match[1], Number(match[2]));
  }
  return prepareValues(next);
}
