/**
 * A run config in one line of words, naming every setting that is not at its default, and the
 * defaults themselves as a config shaped like the run's, so a table can mark what was left as is.
 *
 * A layer's defaults are the schema's (ReLU, no batch norm, no dropout), so the notebook's 0.2
 * dropout is named; an optimizer's are torch.optim's for its type (AdamW's weight decay 0.01).
 *
 * @module
 */

import { defaultMode } from "../../config/early_stopping_schema.ts";
import { defaultRunConfig } from "../../config/schema.ts";
import type { LayerSpec, OptimizerSpec, RunConfig } from "../../engine/spec.ts";
import { optimizerDefaults } from "./run_form_state.ts";

const DEFAULT_LAYER: Omit<LayerSpec, "units"> = {
  activation: "relu",
  batchNorm: false,
  dropout: 0,
};

/**
 * The config a run would have with every setting left as is, shaped like `config`: as many
 * layers, the same optimizer type. Layer units have no default, so they are 0 there.
 */
export function defaultsFor(config: RunConfig): RunConfig {
  const defaults = defaultRunConfig();
  return {
    ...defaults,
    model: {
      ...defaults.model,
      layers: config.model.layers.map(() => ({ units: 0, ...DEFAULT_LAYER })),
    },
    optimizer: optimizerDefaults(config.optimizer.type),
  };
}

/** A tuned value to at most four significant digits: 0.002010219… → 0.00201. */
export function significant(value: number): string {
  return String(Number(value.toPrecision(4)));
}

const INIT_WORDS: Record<string, string> = {
  xavier_uniform: "Xavier uniform init",
  xavier_normal: "Xavier normal init",
  kaiming_uniform: "He uniform init",
  kaiming_normal: "He normal init",
  lecun_uniform: "LeCun uniform init",
  lecun_normal: "LeCun normal init",
};

const LOSS_WORDS: Record<string, string> = {
  bce_with_logits: "BCE with logits loss",
  bce: "BCE loss",
  mse: "MSE loss",
};

/** "batch norm, dropout 0.2", or "" for a layer at its defaults (activation aside). */
function layerExtras(layer: LayerSpec): string {
  return [
    layer.batchNorm ? "batch norm" : "",
    layer.dropout !== DEFAULT_LAYER.dropout ? `dropout ${significant(layer.dropout)}` : "",
  ].filter(Boolean).join(", ");
}

/**
 * "512 → 256 relu, dropout 0.2" when the layers share activation, batch norm and dropout;
 * otherwise each layer on its own: "512 relu, batch norm → 256 tanh".
 */
function layersText(layers: LayerSpec[]): string {
  if (layers.length === 0) return "linear";
  const tail = (layer: LayerSpec) => {
    const extras = layerExtras(layer);
    return `${layer.activation}${extras ? `, ${extras}` : ""}`;
  };
  const tails = layers.map(tail);
  if (tails.every((text) => text === tails[0])) {
    return `${layers.map((layer) => layer.units).join(" → ")} ${tails[0]}`;
  }
  return layers.map((layer, i) => `${layer.units} ${tails[i]}`).join(" → ");
}

/** "sgd lr 0.1, momentum 0.9, nesterov": the type, its rate and every other non-default. */
function optimizerText(optimizer: OptimizerSpec): string {
  const defaults = optimizerDefaults(optimizer.type) as unknown as Record<string, unknown>;
  const parts = [`${optimizer.type} lr ${significant(optimizer.lr)}`];
  for (const [key, value] of Object.entries(optimizer)) {
    if (key === "type" || key === "lr") continue;
    if (JSON.stringify(value) === JSON.stringify(defaults[key])) continue;
    if (typeof value === "boolean") parts.push(value ? key : `no ${key}`);
    else if (Array.isArray(value)) parts.push(`${key} ${value.map(significant).join("/")}`);
    else parts.push(`${key === "weightDecay" ? "weight decay" : key} ${significant(value)}`);
  }
  return parts.join(", ");
}

/** The data part: the dataset and whatever of its split, sizes and normalisation is not default. */
function dataText(config: RunConfig): string {
  const { data } = config;
  const defaults = defaultRunConfig().data;
  const parts = [data.dataset];
  const { train, dev, test } = data.split;
  if (train !== defaults.split.train || dev !== defaults.split.dev || test !== undefined) {
    parts.push(`split ${[train, dev, test].filter((f) => f !== undefined).join("/")}`);
  }
  if (data.trainSize !== undefined) parts.push(`train size ${data.trainSize}`);
  if (data.testSize !== undefined) parts.push(`test size ${data.testSize}`);
  if (data.normalize === null) parts.push("not normalized");
  else if (JSON.stringify(data.normalize) !== JSON.stringify(defaults.normalize)) {
    parts.push(`normalized (x − ${data.normalize.mean}) / ${data.normalize.std}`);
  }
  return parts.join(", ");
}

function clippingText(clipping: RunConfig["gradientClipping"]): string {
  if (!clipping) return "";
  if (clipping.type === "value") return `grad clip value ${significant(clipping.clipValue)}`;
  const norm = clipping.normType === 2 ? "" : ` (${clipping.normType}-norm)`;
  return `grad clip norm ${significant(clipping.maxNorm)}${norm}`;
}

/** "early stop on dev loss, patience 3": the watched metric and the knobs not at default. */
function earlyStoppingText(spec: RunConfig["earlyStopping"]): string {
  if (!spec) return "";
  const parts = [
    `early stop on ${spec.metric === "devLoss" ? "dev loss" : "dev accuracy"}`,
    `patience ${spec.patience}`,
  ];
  if (spec.mode !== defaultMode(spec.metric)) parts.push(`${spec.mode} mode`);
  if (spec.minDelta) parts.push(`min delta ${significant(spec.minDelta)}`);
  if (!spec.restoreBest) parts.push("last weights");
  return parts.join(", ");
}

/** "step lr ×0.1 every 3", "cosine lr to 0", "one-cycle lr to 0.01": the schedule in words. */
function schedulerText(scheduler: RunConfig["scheduler"]): string {
  if (!scheduler) return "";
  switch (scheduler.type) {
    case "step":
      return `step lr ×${significant(scheduler.gamma)} every ${scheduler.stepSize}`;
    case "multi_step":
      return `lr ×${significant(scheduler.gamma)} at ${scheduler.milestones.join(", ")}`;
    case "exponential":
      return `exponential lr ×${significant(scheduler.gamma)}`;
    case "cosine_annealing":
      return `cosine lr over ${scheduler.tMax}`;
    case "linear":
      return `linear lr warm-up over ${scheduler.totalIters}`;
    case "one_cycle":
      return `one-cycle lr to ${significant(scheduler.maxLr)}`;
    case "reduce_on_plateau":
      return `lr ×${significant(scheduler.factor)} on plateau`;
    default:
      return "";
  }
}

function batchText(config: RunConfig): string {
  const { batch } = config;
  const mode = batch.mode === "minibatch"
    ? `mini-batch ${batch.size}`
    : batch.mode === "full"
    ? "full batch"
    : "stochastic";
  return batch.shuffle ? mode : `${mode}, no shuffle`;
}

/**
 * The run in a line that names every setting not at its default:
 * "mnist · 512 → 256 relu, dropout 0.2 · adam lr 0.001 · mini-batch 128 · 10 epochs · seed 0",
 * and for instance "… · He normal init · MSE loss · sgd lr 0.1, momentum 0.9, nesterov ·
 * L2 0.0001 · grad clip norm 1 · … · on the CPU".
 */
export function configSummary(config: RunConfig): string {
  const { l1, l2 } = config.regularization;
  return [
    dataText(config),
    layersText(config.model.layers),
    INIT_WORDS[config.model.init] ?? "",
    LOSS_WORDS[config.loss] ?? "",
    optimizerText(config.optimizer),
    schedulerText(config.scheduler),
    l1 ? `L1 ${significant(l1)}` : "",
    l2 ? `L2 ${significant(l2)}` : "",
    clippingText(config.gradientClipping),
    batchText(config),
    earlyStoppingText(config.earlyStopping),
    `${config.epochs} ${config.epochs === 1 ? "epoch" : "epochs"}`,
    `seed ${config.seed}`,
    config.device === "cpu" ? "on the CPU" : config.device === "gpu" ? "on the GPU" : "",
    config.layerStats === false ? "no layer statistics" : "",
  ].filter(Boolean).join(" · ");
}
