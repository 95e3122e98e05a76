/**
 * The new-study form and the study file, both ways. Fields are named by the study file's paths
 * (`trials`, `sampler.seed`, `base.epochs`), so most validation issues land on the field of the
 * same name; the search space is rows `param.<i>.<field>`, and {@linkcode fieldForIssue} maps
 * `space.optimizer.lr.low` to the row that searches `optimizer.lr`.
 *
 * The base is a partial run config holding only what the form names: a full config would carry
 * Adam's `betas` into a trial that switches `optimizer.type` to SGD, which SGD refuses.
 *
 * @module
 */

import type { Issue } from "../../config/issues.ts";
import { defaultRunConfig, MAX_HIDDEN_LAYERS, type RunConfigInput } from "../../config/schema.ts";
import type { StudySpec } from "../../config/study_schema.ts";
import {
  defined,
  type FormValues,
  numberOrText,
  optionalNumber,
} from "../run_editor/run_form_state.ts";

export type { FormValues } from "../run_editor/run_form_state.ts";

/** The most rows the space editor holds; more can only repeat a searchable path. */
export const MAX_PARAMS = 24;
/** Which rows to add or remove: `add` or `remove:<i>`. */
export const SPACE_ACTION_FIELD = "spaceAction";
/** Where issues about the search space as a whole (no parameter at all) are shown. */
export const SPACE_FIELD = "space";
/** Where issues about a base field the form does not show are shown. */
export const BASE_FIELD = "base";
/** The base's hidden layers as a units list: "512, 256" (one ReLU layer per number). */
export const LAYERS_FIELD = "base.model.layers";
/** Per row: the `path|type` the row's fields were drawn for, to notice a change without JavaScript. */
const SHOWN = "shown";

const CHECKED = "on";
const ROW_FIELDS = ["path", "type", "low", "high", "step", "log", "choices", SHOWN] as const;

/** The base fields the form shows; an issue under another base path goes to {@linkcode BASE_FIELD}. */
export const BASE_FIELDS = [
  "base.data.dataset",
  "base.data.split.train",
  "base.data.split.dev",
  "base.data.split.test",
  "base.data.split",
  "base.data.trainSize",
  LAYERS_FIELD,
  "base.optimizer.type",
  "base.optimizer.lr",
  "base.batch.size",
  "base.epochs",
  "base.device",
] as const;

/** A run config path the space editor offers; `N` stands for a hidden layer's index. */
export interface Searchable {
  path: string;
  /** The range or choices a new row starts with, as the form's text fields hold them. */
  suggestion: FormValues;
}

const logFloat = (low: string, high: string) => ({ type: "float", low, high, log: CHECKED });
const float = (low: string, high: string) => ({ type: "float", low, high });
const choices = (list: string) => ({ type: "categorical", choices: list });

/** What the exercise tunes, with ranges that suit an MNIST MLP. */
export const SEARCHABLE: readonly Searchable[] = [
  { path: "optimizer.lr", suggestion: logFloat("0.0001", "0.1") },
  { path: "optimizer.type", suggestion: choices("sgd, rmsprop, adam") },
  { path: "optimizer.momentum", suggestion: float("0", "0.99") },
  { path: "optimizer.weightDecay", suggestion: logFloat("0.000001", "0.01") },
  { path: "batch.size", suggestion: { type: "int", low: "16", high: "512", log: CHECKED } },
  {
    path: "model.layers.N.units",
    suggestion: { type: "int", low: "16", high: "512", log: CHECKED },
  },
  { path: "model.layers.N.dropout", suggestion: float("0", "0.5") },
  { path: "model.layers.N.activation", suggestion: choices("relu, tanh, gelu") },
  { path: "model.init", suggestion: choices("default, xavier_uniform, kaiming_uniform") },
  { path: "regularization.l1", suggestion: logFloat("0.000001", "0.01") },
  { path: "regularization.l2", suggestion: logFloat("0.000001", "0.01") },
  { path: "epochs", suggestion: { type: "int", low: "1", high: "10" } },
];

/**
 * The searchable paths for a base with `layers` hidden layers (`N` spelled out per layer, for
 * as many layers as a model may have: the schema reports a longer list).
 */
export function searchablePaths(layers: number): string[] {
  const count = Math.min(layers, MAX_HIDDEN_LAYERS);
  return SEARCHABLE.flatMap(({ path }) =>
    path.includes(".N.")
      ? Array.from({ length: count }, (_, i) => path.replace(".N.", `.${i}.`))
      : [path]
  );
}

function suggestionFor(path: string): FormValues {
  const generic = path.replace(/\.\d+\./, ".N.");
  return SEARCHABLE.find((item) => item.path === generic)?.suggestion ?? { type: "float" };
}

/** The units typed in the hidden-layers field: "512, 256" → ["512", "256"]. */
export function layerUnits(values: FormValues): string[] {
  return (values[LAYERS_FIELD] ?? "").split(/[\s,]+/).filter(Boolean);
}

/**
 * How many rows the space editor holds (fields `param.<i>.path`, counted from 0), at most one
 * over {@linkcode MAX_PARAMS}, so a posted `param.99999999.path` cannot make the server build a
 * hundred million rows (and {@linkcode formIssues} says there are too many).
 */
export function paramCount(values: FormValues): number {
  let count = 0;
  for (const name of Object.keys(values)) {
    const match = /^param\.(\d+)\.path$/.exec(name);
    if (match) count = Math.max(count, Number(match[1]) + 1);
  }
  return Math.min(count, MAX_PARAMS + 1);
}

export const rowField = (index: number, field: string) => `param.${index}.${field}`;
/** Where a row's own issues go (shown across the row: a path that does not fit the base). */
export const rowIssueField = (index: number) => `param.${index}`;

function readRows(values: FormValues): FormValues[] {
  return Array.from({ length: paramCount(values) }, (_, i) => {
    const row: FormValues = {};
    for (const field of ROW_FIELDS) {
      const value = values[rowField(i, field)];
      if (value !== undefined) row[field] = value;
    }
    return row;
  });
}

function writeRows(values: FormValues, rows: FormValues[]): FormValues {
  const rest = Object.fromEntries(
    Object.entries(values).filter(([name]) => !name.startsWith("param.")),
  );
  rows.forEach((row, i) => {
    for (const [field, value] of Object.entries(row)) rest[rowField(i, field)] = value;
  });
  return rest;
}

function newRow(path: string): FormValues {
  const row: FormValues = { path, ...suggestionFor(path) };
  row[SHOWN] = `${row.path}|${row.type}`;
  return row;
}

/** Applies `add` (the first searchable path not yet in the space) or `remove:<i>`. */
export function applySpaceAction(values: FormValues, action: string): FormValues {
  const rows = readRows(values);
  const [verb, indexText] = action.split(":");
  const index = Number(indexText);
  if (verb === "add") {
    const used = new Set(rows.map((row) => row.path));
    const paths = searchablePaths(layerUnits(values).length);
    rows.push(newRow(paths.find((path) => !used.has(path)) ?? paths[0]));
  } else if (verb === "remove" && Number.isInteger(index) && index >= 0 && index < rows.length) {
    rows.splice(index, 1);
  }
  return writeRows(values, rows);
}

/**
 * Redraws rows whose path or type changed since they were drawn: a new path starts from its
 * suggested range, a new type keeps what was typed and fills what it lacks from the suggestion.
 * Returns the paths of the rows it redrew.
 */
export function refreshRows(values: FormValues): { values: FormValues; changed: string[] } {
  const changed: string[] = [];
  const rows = readRows(values).map((row) => {
    const [shownPath, shownType] = (row[SHOWN] ?? "").split("|");
    if (row[SHOWN] === undefined) return { ...row, [SHOWN]: `${row.path}|${row.type}` };
    if (row.path !== shownPath) {
      changed.push(row.path);
      return newRow(row.path);
    }
    if (row.type === shownType) return row;
    changed.push(row.path);
    const suggestion = suggestionFor(row.path);
    const filled = suggestion.type === row.type ? { ...suggestion, ...row } : row;
    return { ...filled, [SHOWN]: `${row.path}|${row.type}` };
  });
  return { values: writeRows(values, rows), changed };
}

/** "sgd, 0.5, true" → ["sgd", 0.5, true]: numbers, booleans and null as JSON reads them. */
export function parseChoices(text: string): unknown[] {
  return text.split(",").map((part) => part.trim()).filter(Boolean).map((part) => {
    if (part === "true") return true;
    if (part === "false") return false;
    if (part === "null") return null;
    return numberOrText(part);
  });
}

function paramInput(row: FormValues): Record<string, unknown> {
  if (row.type === "categorical") {
    return { type: row.type, choices: parseChoices(row.choices ?? "") };
  }
  if (row.type !== "float" && row.type !== "int") return { type: row.type };
  return defined({
    type: row.type,
    low: numberOrText(row.low ?? ""),
    high: numberOrText(row.high ?? ""),
    log: row.log === CHECKED ? true : undefined,
    step: optionalNumber(row.step),
  });
}

/** The study file the form describes; `parseStudySpec` validates it. */
export function valuesToStudyInput(values: FormValues): Record<string, unknown> {
  const field = (name: string) => values[name];
  // Keys are defined, not assigned: a row for "__proto__" stays a key for the schema to refuse.
  const space = Object.fromEntries(readRows(values).map((row) => [row.path, paramInput(row)]));
  return {
    name: (field("name") ?? "").trim(),
    direction: field("direction"),
    metric: field("metric"),
    trials: numberOrText(field("trials")),
    sampler: defined({ type: field("sampler.type"), seed: optionalNumber(field("sampler.seed")) }),
    pruner: { type: field("pruner.type") },
    base: {
      data: {
        dataset: field("base.data.dataset"),
        split: defined({
          train: numberOrText(field("base.data.split.train")),
          dev: numberOrText(field("base.data.split.dev")),
          test: optionalNumber(field("base.data.split.test")),
        }),
        ...defined({ trainSize: optionalNumber(field("base.data.trainSize")) }),
      },
      model: { layers: layerUnits(values).map((units) => ({ units: numberOrText(units) })) },
      optimizer: defined({
        type: field("base.optimizer.type"),
        lr: optionalNumber(field("base.optimizer.lr")),
      }),
      batch: { size: numberOrText(field("base.batch.size")) },
      epochs: numberOrText(field("base.epochs")),
      device: field("base.device"),
    },
    space,
  };
}

/** The form as it opens: the default run config's data and model, and a search over lr. */
export function defaultStudyValues(): FormValues {
  const config = defaultRunConfig();
  const values: FormValues = {
    name: "",
    direction: "maximize",
    metric: "devAccuracy",
    trials: "20",
    "sampler.type": "tpe",
    "sampler.seed": "0",
    "pruner.type": "median",
    "base.data.dataset": config.data.dataset,
    "base.data.split.train": String(config.data.split.train),
    "base.data.split.dev": String(config.data.split.dev),
    "base.data.split.test": "",
    "base.data.trainSize": "",
    [LAYERS_FIELD]: config.model.layers.map((layer) => layer.units).join(", "),
    "base.optimizer.type": config.optimizer.type,
    "base.optimizer.lr": "",
    "base.batch.size": String(config.batch.size),
    "base.epochs": "5",
    "base.device": config.device,
  };
  return applySpaceAction(values, "add");
}

/** Problems only the form can have: two rows searching one path (the file has one key each). */
export function formIssues(values: FormValues): Issue[] {
  const seen = new Map<string, number>();
  const issues: Issue[] = [];
  if (paramCount(values) > MAX_PARAMS) {
    issues.push({
      path: SPACE_FIELD,
      message: `The form holds at most ${MAX_PARAMS} parameters; a study file may list more`,
    });
  }
  readRows(values).forEach((row, i) => {
    const first = seen.get(row.path);
    if (first === undefined) {
      seen.set(row.path, i);
      return;
    }
    issues.push({
      path: rowIssueField(i),
      message: `Parameter "${row.path}" is already searched in row ${first + 1}; ` +
        `search each path once`,
    });
  });
  return issues;
}

/** The form field that shows an issue of `parseStudySpec` (or of the dataset checks). */
export function fieldForIssue(path: string, values: FormValues): string {
  if (path === SPACE_FIELD || path.startsWith(`${SPACE_FIELD}.`)) {
    const rows = readRows(values);
    let match = -1;
    rows.forEach((row, i) => {
      const key = `${SPACE_FIELD}.${row.path}`;
      const inside = path === key || path.startsWith(`${key}.`);
      if (inside && (match < 0 || row.path.length > rows[match].path.length)) match = i;
    });
    if (match < 0) return SPACE_FIELD;
    const rest = path.slice(`${SPACE_FIELD}.${rows[match].path}`.length + 1).split(".")[0];
    const known = (ROW_FIELDS as readonly string[]).includes(rest) && rest !== SHOWN;
    return known ? rowField(match, rest) : rowIssueField(match);
  }
  if (path === LAYERS_FIELD || path.startsWith(`${LAYERS_FIELD}.`)) return LAYERS_FIELD;
  if (path === BASE_FIELD || path.startsWith(`${BASE_FIELD}.`)) {
    const segments = path.split(".");
    for (let end = segments.length; end > 1; end--) {
      const candidate = segments.slice(0, end).join(".");
      if ((BASE_FIELDS as readonly string[]).includes(candidate)) return candidate;
    }
    return BASE_FIELD;
  }
  return path;
}

/** A stored study as the form (for "run again with changes"); base fields the form lacks are dropped. */
export function specToValues(spec: StudySpec): FormValues {
  const base: RunConfigInput = spec.base;
  const values = defaultStudyValues();
  const set = (name: string, value: unknown) => {
    if (value !== undefined && value !== null) values[name] = String(value);
  };
  set("name", spec.name);
  set("direction", spec.direction);
  set("metric", spec.metric);
  set("trials", spec.trials);
  set("sampler.type", spec.sampler.type);
  values["sampler.seed"] = optionalText(spec.sampler.seed);
  set("pruner.type", spec.pruner.type);
  set("base.data.dataset", base.data?.dataset);
  set("base.data.split.train", base.data?.split?.train);
  set("base.data.split.dev", base.data?.split?.dev);
  values["base.data.split.test"] = optionalText(base.data?.split?.test);
  values["base.data.trainSize"] = optionalText(base.data?.trainSize);
  const layers = base.model?.layers;
  if (layers) values[LAYERS_FIELD] = layers.map((layer) => layer.units).join(", ");
  set("base.optimizer.type", base.optimizer?.type);
  values["base.optimizer.lr"] = optionalText(base.optimizer?.lr);
  set("base.batch.size", base.batch?.size);
  set("base.epochs", base.epochs);
  set("base.device", base.device);
  const rows = Object.entries(spec.space).flatMap(([path, param]): FormValues[] => {
    if (param.type === "layers") return [];
    const row: FormValues = { path, type: param.type };
    if (param.type === "categorical") {
      row.choices = param.choices.map((choice) => String(choice)).join(", ");
    } else {
      row.low = String(param.low);
      row.high = String(param.high);
      if (param.log) row.log = CHECKED;
      if (param.step !== undefined) row.step = String(param.step);
    }
    row[SHOWN] = `${path}|${param.type}`;
    return [row];
  });
  return writeRows(values, rows);
}

function optionalText(value: unknown): string {
  return value === undefined || value === null ? "" : String(value);
}
