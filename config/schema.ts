/**
 * The run config schema: validates a run config at the edge (API, CLI, UI, tuner) and fills
 * every missing field with PyTorch's default, producing the engine's `RunConfig`.
 *
 * Optimizer defaults and rules are torch.optim 2.x's
 * (https://pytorch.org/docs/stable/optim.html): SGD, RMSprop, Adam and AdamW.
 *
 * @module
 */

import { z } from "zod";
import {
  ACTIVATIONS,
  BATCH_MODES,
  DEVICES,
  INIT_SCHEMES,
  LOSSES,
  type RunConfig,
} from "../engine/spec.ts";
import {
  boundedNumber,
  displayName,
  type Equals,
  flag,
  oneOf,
  show,
  strictObject,
} from "./fields.ts";
import { gradientClippingSchema } from "./clip_schema.ts";
import { earlyStoppingSchema } from "./early_stopping_schema.ts";
import { type Issue, toIssues } from "./issues.ts";
import { optimizerSchema } from "./optimizer_schema.ts";
import { protoKeyIssue } from "./proto_key.ts";
import { schedulerSchema } from "./scheduler_schema.ts";

export type { Issue } from "./issues.ts";

export const BUILT_IN_DATASETS = ["mnist", "fashion-mnist", "synthetic-binary"] as const;
const DATASET_PREFIXES = ["idx:", "csv:"] as const;
const DATASET_ALLOWED = `${BUILT_IN_DATASETS.join(", ")}, idx:<dir> or csv:<path>`;

/** `..`, also percent-encoded (`%2e%2e`), which a later URL decoding would turn into `..`. */
function isDotDot(segment: string): boolean {
  return /^(\.|%2e){2}$/i.test(segment);
}

/** A built-in dataset name, or `idx:<dir>` / `csv:<path>` with a path that cannot climb out (`..`). */
const datasetSchema = z
  .string({ error: (iss) => `Dataset must be one of ${DATASET_ALLOWED}, got ${show(iss.input)}` })
  .superRefine((id, ctx) => {
    if ((BUILT_IN_DATASETS as readonly string[]).includes(id)) return;
    const prefix = DATASET_PREFIXES.find((p) => id.startsWith(p));
    let message: string | undefined;
    if (!prefix) {
      message = `Dataset must be one of ${DATASET_ALLOWED}, got ${show(id)}`;
    } else if (id.length === prefix.length) {
      message = `Dataset ${show(id)} needs a path after "${prefix}"`;
    } else if (/\p{Cc}/u.test(id)) {
      message = `Dataset path must not contain control characters such as NUL, got ${show(id)}`;
    } else if (id.slice(prefix.length).split(/[\\/]/).some(isDotDot)) {
      message = `Dataset path must not contain ".." segments, got ${show(id)}`;
    }
    if (message) ctx.addIssue({ code: "custom", message, input: id });
  });

const normalizeSchema = strictObject("normalize", {
  mean: boundedNumber("Normalize mean").default(0.5),
  std: boundedNumber("Normalize std", { min: 0, minExclusive: true }).default(0.5),
}, '{"mean": 0.5, "std": 0.5} (or null for none)');

const fraction = (label: string) => boundedNumber(label, { min: 0, max: 1 });
const SPLIT_TOLERANCE = 1e-9;

const splitSchema = strictObject("split", {
  train: boundedNumber("Train fraction", { min: 0, max: 1, minExclusive: true }).default(0.9),
  dev: fraction("Dev fraction").default(0.1),
  test: fraction("Test fraction").optional(),
}, '{"train": 0.9, "dev": 0.1}').superRefine((split, ctx) => {
  const parts = [split.train, split.dev, split.test ?? 0];
  // Out-of-range fractions already have their own issue.
  if (!parts.every((part) => part >= 0 && part <= 1)) return;
  const sum = parts.reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 1) <= SPLIT_TOLERANCE) return;
  const terms = `train ${split.train} + dev ${split.dev}` +
    (split.test === undefined ? "" : ` + test ${split.test}`);
  ctx.addIssue({
    code: "custom",
    message: `Split fractions must sum to 1, got ${terms} = ${sum}`,
    input: split,
  });
});

const dataSchema = strictObject("data", {
  dataset: datasetSchema.default("mnist"),
  normalize: normalizeSchema.nullable().prefault({}),
  split: splitSchema.prefault({}),
  trainSize: boundedNumber("Train size", { min: 1, integer: true }).optional(),
  testSize: boundedNumber("Test size", { min: 1, integer: true }).optional(),
}, '{"dataset": "mnist"}');

export const MAX_UNITS = 8192;
export const MAX_HIDDEN_LAYERS = 16;

const layerSchema = strictObject("layer", {
  units: boundedNumber("Units", { min: 1, max: MAX_UNITS, integer: true }),
  activation: oneOf("Activation", ACTIVATIONS).default("relu"),
  batchNorm: flag("Batch norm").default(false),
  dropout: boundedNumber("Dropout", { min: 0, max: 1, maxExclusive: true }).default(0),
}, '{"units": 512, "activation": "relu", "dropout": 0.2}');

/** The seed notebook's network: 512 and 256 ReLU units with dropout 0.2. */
const DEFAULT_LAYERS = [{ units: 512, dropout: 0.2 }, { units: 256, dropout: 0.2 }];

const layersSchema = z.array(layerSchema, {
  error: (iss) => `Layers must be an array of layer objects, got ${show(iss.input)}`,
}).max(MAX_HIDDEN_LAYERS, {
  error: (iss) => {
    const count = Array.isArray(iss.input) ? iss.input.length : show(iss.input);
    return `A model may have at most ${MAX_HIDDEN_LAYERS} hidden layers, got ${count}`;
  },
});

const modelSchema = strictObject("model", {
  init: oneOf("Init", INIT_SCHEMES).default("default"),
  layers: layersSchema.prefault(DEFAULT_LAYERS),
}, '{"init": "default", "layers": [{"units": 512}]}');

const regularizationSchema = strictObject("regularization", {
  l1: boundedNumber("L1 coefficient", { min: 0 }).default(0),
  l2: boundedNumber("L2 coefficient", { min: 0 }).default(0),
}, '{"l1": 0, "l2": 0}');

/**
 * Stochastic mode trains on one example at a time whatever `size` says, so its stored size is 1:
 * a form that carries the mini-batch size along then stores what the engine does.
 */
const batchSchema = strictObject("batch", {
  mode: oneOf("Batch mode", BATCH_MODES).default("minibatch"),
  size: boundedNumber("Batch size", { min: 1, max: 65536, integer: true }).default(128),
  shuffle: flag("Shuffle").default(true),
}, '{"mode": "minibatch", "size": 128}').transform((batch) =>
  batch.mode === "stochastic" ? { ...batch, size: 1 } : batch
);

export const runConfigSchema = strictObject("run config", {
  name: displayName("Name", 1, 100).default("run"),
  seed: boundedNumber("Seed", { min: 0, max: 2 ** 32 - 1, integer: true }).default(0),
  data: dataSchema.prefault({}),
  model: modelSchema.prefault({}),
  loss: oneOf("Loss", LOSSES).default("cross_entropy"),
  optimizer: optimizerSchema.prefault({}),
  scheduler: schedulerSchema.nullable().optional(),
  regularization: regularizationSchema.prefault({}),
  gradientClipping: gradientClippingSchema.nullable().optional(),
  earlyStopping: earlyStoppingSchema.nullable().optional(),
  batch: batchSchema.prefault({}),
  epochs: boundedNumber("Epochs", { min: 1, max: 10000, integer: true }).default(10),
  device: oneOf("Device", DEVICES).default("auto"),
  // On when absent, so configs stored before it existed read the same.
  layerStats: flag("Layer statistics").optional(),
}, '{"epochs": 5}');

/** What a user may write: any subset of the run config. */
export type RunConfigInput = z.input<typeof runConfigSchema>;

export type ParseRunConfigResult = { ok: true; config: RunConfig } | { ok: false; issues: Issue[] };

export function parseRunConfig(input: unknown): ParseRunConfigResult {
  const polluting = protoKeyIssue(input);
  if (polluting) return { ok: false, issues: [polluting] };
  const result = runConfigSchema.safeParse(input);
  if (result.success) return { ok: true, config: result.data };
  return { ok: false, issues: toIssues(result.error) };
}

/** The full default run config (DESIGN.md's contract). */
export function defaultRunConfig(): RunConfig {
  return runConfigSchema.parse({});
}

// The schema's output and the engine's RunConfig must not drift apart: a compile error here
// means one changed without the other. (The optimizer is checked in optimizer_schema.ts, where
// adam and adamw are two variants of the one AdamSpec.)
type Output = z.output<typeof runConfigSchema>;
true satisfies Equals<Omit<Output, "optimizer">, Omit<RunConfig, "optimizer">>;
