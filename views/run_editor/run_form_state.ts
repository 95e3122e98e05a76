/**
 * The new-run form and the run config, both ways. The form posts flat fields named by the
 * config's dotted paths (`optimizer.lr`, `model.layers.1.dropout`), so a validation issue's path
 * is the name of the field it belongs to. Values stay strings until the zod schema judges them:
 * "abc" in a number field reaches `parseRunConfig` as "abc" and comes back as its message.
 *
 * @module
 */

import { BUILT_IN_DATASETS, MAX_HIDDEN_LAYERS, parseRunConfig } from "../../config/schema.ts";
import type {
  GradientClipping,
  OptimizerSpec,
  OptimizerType,
  RunConfig,
} from "../../engine/spec.ts";
import { type FormValues, isChecked, numberOrText, optionalNumber } from "./form_values.ts";
import { schedulerInput, schedulerValues } from "./scheduler_form.ts";
import { earlyStoppingInput, earlyStoppingValues } from "./early_stopping_form.ts";

export { type FormValues, isChecked, numberOrText, optionalNumber } from "./form_values.ts";

/** The dataset select's choice that defers to the free-text field. */
export const OTHER_DATASET = "other";
/** Form-only fields, which are not config paths. */
export const DATASET_OTHER_FIELD = "data.datasetOther";
export const NORMALIZE_FIELD = "data.normalize";
/** Which optimizer's fields the form showed, to notice a type switched without JavaScript. */
export const SHOWN_OPTIMIZER_FIELD = "optimizer.shownType";
export const LAYER_ACTION_FIELD = "layerAction";
/** "none", "norm" or "value": the form's choice, no clipping being an absent config field. */
export const CLIP_TYPE_FIELD = "gradientClipping.type";
/** What the clipping fields hold while clipping is off: common choices, not torch defaults. */
const CLIP_SUGGESTIONS = { maxNorm: 1, normType: 2, clipValue: 0.5 };

const CHECKED = "on";

/** `record` without its undefined entries: an optional field left empty is absent, not undefined. */
export function defined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

/**
 * How many hidden layers the form holds (fields `model.layers.<i>.units`, counted from 0), at
 * most one over the schema's limit, so the schema says "at most 16" while a posted
 * `model.layers.99999999.units` cannot make the server build a hundred million rows.
 */
export function layerCount(values: FormValues): number {
  let count = 0;
  for (const name of Object.keys(values)) {
    const match = /^model\.layers\.(\d+)\.units$/.exec(name);
    if (match) count = Math.max(count, Number(match[1]) + 1);
  }
  return Math.min(count, MAX_HIDDEN_LAYERS + 1);
}

/** The raw config input the form describes; `parseRunConfig` validates it. */
export function valuesToInput(values: FormValues): Record<string, unknown> {
  const field = (name: string) => values[name];
  const dataset = field("data.dataset") === OTHER_DATASET
    ? (field(DATASET_OTHER_FIELD) ?? "").trim()
    : field("data.dataset");
  const layers = Array.from({ length: layerCount(values) }, (_, i) => ({
    units: numberOrText(field(`model.layers.${i}.units`)),
    activation: field(`model.layers.${i}.activation`),
    batchNorm: isChecked(values, `model.layers.${i}.batchNorm`),
    dropout: numberOrText(field(`model.layers.${i}.dropout`)),
  }));
  return {
    name: field("name"),
    seed: numberOrText(field("seed")),
    data: {
      dataset,
      normalize: isChecked(values, NORMALIZE_FIELD)
        ? {
          mean: numberOrText(field("data.normalize.mean")),
          std: numberOrText(field("data.normalize.std")),
        }
        : null,
      split: defined({
        train: numberOrText(field("data.split.train")),
        dev: numberOrText(field("data.split.dev")),
        test: optionalNumber(field("data.split.test")),
      }),
      ...defined({
        trainSize: optionalNumber(field("data.trainSize")),
        testSize: optionalNumber(field("data.testSize")),
      }),
    },
    model: { init: field("model.init"), layers },
    loss: field("loss"),
    optimizer: optimizerInput(values),
    regularization: {
      l1: numberOrText(field("regularization.l1")),
      l2: numberOrText(field("regularization.l2")),
    },
    ...defined({ gradientClipping: clippingInput(values) }),
    ...defined({ earlyStopping: earlyStoppingInput(values) }),
    ...defined({ scheduler: schedulerInput(values) }),
    batch: {
      mode: field("batch.mode"),
      size: numberOrText(field("batch.size")),
      shuffle: isChecked(values, "batch.shuffle"),
    },
    epochs: numberOrText(field("epochs")),
    device: field("device"),
    // On unless unticked: the config leaves out what is on by default.
    ...(isChecked(values, "layerStats") ? {} : { layerStats: false }),
  };
}

/** The chosen kind of clipping with its fields, or undefined for none. */
function clippingInput(values: FormValues): Record<string, unknown> | undefined {
  const type = values[CLIP_TYPE_FIELD];
  const number = (name: string) => numberOrText(values[`gradientClipping.${name}`]);
  switch (type) {
    case undefined:
    case "none":
      return undefined;
    case "norm":
      return { type, maxNorm: number("maxNorm"), normType: number("normType") };
    case "value":
      return { type, clipValue: number("clipValue") };
    default:
      return { type };
  }
}

/** Only the fields of the chosen type: the form may still hold another type's fields. */
function optimizerInput(values: FormValues): Record<string, unknown> {
  const type = values["optimizer.type"];
  const number = (name: string) => numberOrText(values[`optimizer.${name}`]);
  const flag = (name: string) => isChecked(values, `optimizer.${name}`);
  switch (type) {
    case "sgd":
      return {
        type,
        lr: number("lr"),
        momentum: number("momentum"),
        dampening: number("dampening"),
        weightDecay: number("weightDecay"),
        nesterov: flag("nesterov"),
      };
    case "rmsprop":
      return {
        type,
        lr: number("lr"),
        alpha: number("alpha"),
        eps: number("eps"),
        weightDecay: number("weightDecay"),
        momentum: number("momentum"),
        centered: flag("centered"),
      };
    case "adam":
    case "adamw":
      return {
        type,
        lr: number("lr"),
        betas: [number("betas.0"), number("betas.1")],
        eps: number("eps"),
        weightDecay: number("weightDecay"),
        amsgrad: flag("amsgrad"),
      };
    default:
      return { type };
  }
}

/** The form filled with a (validated) config. */
export function configToValues(config: RunConfig): FormValues {
  const values: FormValues = {
    name: config.name,
    seed: String(config.seed),
    epochs: String(config.epochs),
    device: config.device,
    "model.init": config.model.init,
    loss: config.loss,
    "regularization.l1": String(config.regularization.l1),
    "regularization.l2": String(config.regularization.l2),
    "batch.mode": config.batch.mode,
    "batch.size": String(config.batch.size),
    "data.split.train": String(config.data.split.train),
    "data.split.dev": String(config.data.split.dev),
    "data.split.test": config.data.split.test === undefined ? "" : String(config.data.split.test),
    "data.trainSize": config.data.trainSize === undefined ? "" : String(config.data.trainSize),
    "data.testSize": config.data.testSize === undefined ? "" : String(config.data.testSize),
    ...optimizerValues(config.optimizer),
    ...schedulerValues(config.scheduler),
    ...clippingValues(config.gradientClipping ?? null),
    ...earlyStoppingValues(config.earlyStopping ?? null),
  };
  if (config.batch.shuffle) values["batch.shuffle"] = CHECKED;
  if (config.layerStats !== false) values.layerStats = CHECKED;
  const builtIn = (BUILT_IN_DATASETS as readonly string[]).includes(config.data.dataset);
  values["data.dataset"] = builtIn ? config.data.dataset : OTHER_DATASET;
  values[DATASET_OTHER_FIELD] = builtIn ? "" : config.data.dataset;
  const normalize = config.data.normalize ?? { mean: 0.5, std: 0.5 };
  if (config.data.normalize) values[NORMALIZE_FIELD] = CHECKED;
  values["data.normalize.mean"] = String(normalize.mean);
  values["data.normalize.std"] = String(normalize.std);
  config.model.layers.forEach((layer, i) => {
    values[`model.layers.${i}.units`] = String(layer.units);
    values[`model.layers.${i}.activation`] = layer.activation;
    values[`model.layers.${i}.dropout`] = String(layer.dropout);
    if (layer.batchNorm) values[`model.layers.${i}.batchNorm`] = CHECKED;
  });
  return values;
}

function clippingValues(clipping: GradientClipping | null): FormValues {
  const fields = { ...CLIP_SUGGESTIONS, ...clipping };
  return {
    [CLIP_TYPE_FIELD]: clipping?.type ?? "none",
    "gradientClipping.maxNorm": String(fields.maxNorm),
    "gradientClipping.normType": String(fields.normType),
    "gradientClipping.clipValue": String(fields.clipValue),
  };
}

function optimizerValues(optimizer: OptimizerSpec): FormValues {
  const values: FormValues = {
    "optimizer.type": optimizer.type,
    [SHOWN_OPTIMIZER_FIELD]: optimizer.type,
  };
  for (const [key, value] of Object.entries(optimizer)) {
    if (key === "type") continue;
    if (key === "betas") {
      const [beta1, beta2] = value as [number, number];
      values["optimizer.betas.0"] = String(beta1);
      values["optimizer.betas.1"] = String(beta2);
    } else if (typeof value === "boolean") {
      if (value) values[`optimizer.${key}`] = CHECKED;
    } else {
      values[`optimizer.${key}`] = String(value);
    }
  }
  return values;
}

/** torch.optim's defaults for `type` (learning rates differ: SGD 1e-3, RMSprop 1e-2). */
export function optimizerDefaults(type: OptimizerType): OptimizerSpec {
  const parsed = parseRunConfig({ optimizer: { type } });
  if (!parsed.ok) throw new Error(`Optimizer type must be one of sgd, rmsprop, adam, adamw`);
  return parsed.config.optimizer;
}

/** The form with its optimizer fields replaced by `type`'s defaults. */
export function switchOptimizer(values: FormValues, type: OptimizerType): FormValues {
  const kept = Object.fromEntries(
    Object.entries(values).filter(([name]) => !name.startsWith("optimizer.")),
  );
  return { ...kept, ...optimizerValues(optimizerDefaults(type)) };
}

const LAYER_FIELDS = ["units", "activation", "batchNorm", "dropout"] as const;
/** What "Add layer" appends: the seed notebook's second layer. */
const NEW_LAYER: FormValues = { units: "128", activation: "relu", dropout: "0" };

/**
 * Applies a layer button: `add`, `remove:<i>`, `up:<i>` or `down:<i>`. The fields are rewritten
 * so the layers stay numbered 0..n-1; anything else leaves the form as it was.
 */
export function applyLayerAction(values: FormValues, action: string): FormValues {
  const count = layerCount(values);
  const layers = Array.from({ length: count }, (_, i) => layerValues(values, i));
  const [verb, indexText] = action.split(":");
  const index = Number(indexText);
  if (verb === "add") {
    layers.push({ ...NEW_LAYER });
  } else if (Number.isInteger(index) && index >= 0 && index < count) {
    if (verb === "remove") layers.splice(index, 1);
    const other = verb === "up" ? index - 1 : verb === "down" ? index + 1 : -1;
    if (other >= 0 && other < count) {
      [layers[index], layers[other]] = [layers[other], layers[index]];
    }
  }
  const rest = Object.fromEntries(
    Object.entries(values).filter(([name]) => !name.startsWith("model.layers.")),
  );
  layers.forEach((layer, i) => {
    for (const [key, value] of Object.entries(layer)) rest[`model.layers.${i}.${key}`] = value;
  });
  return rest;
}

function layerValues(values: FormValues, index: number): FormValues {
  const layer: FormValues = {};
  for (const key of LAYER_FIELDS) {
    const value = values[`model.layers.${index}.${key}`];
    if (value !== undefined) layer[key] = value;
  }
  return layer;
}

/** A config as the `config` query parameter of a share link: base64url of its JSON. */
export function encodeShareConfig(config: unknown): string {
  const bytes = new TextEncoder().encode(JSON.stringify(config));
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** The config a share link carries; throws an Error saying what is wrong with the text. */
export function decodeShareConfig(text: string): unknown {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(text)) {
    throw new Error("Shared config must be base64url text (letters, digits, - and _)");
  }
  let json: string;
  try {
    const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/").replace(/=+$/, ""));
    json = new TextDecoder("utf-8", { fatal: true }).decode(
      Uint8Array.from(binary, (char) => char.charCodeAt(0)),
    );
  } catch {
    throw new Error("Shared config is not valid base64url-encoded UTF-8");
  }
  try {
    return JSON.parse(json);
  } catch (error) {
    throw new Error(`Shared config is not valid JSON: ${(error as Error).message}`);
  }
}

/** `/runs/new?config=…`: the new-run form filled with `config`. */
export function shareUrl(config: unknown): string {
  return `/runs/new?config=${encodeShareConfig(config)}`;
}
