/**
 * What the New run form calls each run config field and each choice, so that its messages, the
 * run page's settings and the study form's base (`base.<path>`) use the words a user sees
 * beside the inputs rather than config paths.
 *
 * @module
 */

import type {
  BatchMode,
  EarlyStoppingSpec,
  GradientClipping,
  InitScheme,
  LossName,
} from "../../engine/spec.ts";

/** Labels of fields (and of the groups that hold them) by dotted run config path. */
const LABELS: Record<string, string> = {
  name: "Run name",
  seed: "Seed",
  epochs: "Epochs",
  device: "Device",
  layerStats: "Layer statistics",
  loss: "Loss",
  data: "Data",
  "data.dataset": "Dataset",
  "data.datasetOther": "Other dataset",
  "data.normalize": "Normalize inputs",
  "data.normalize.mean": "Mean",
  "data.normalize.std": "Std",
  "data.split": "Split of the training pool",
  "data.split.train": "Train fraction",
  "data.split.dev": "Dev fraction",
  "data.split.test": "Test fraction",
  "data.trainSize": "Train size",
  "data.testSize": "Test size",
  model: "Model",
  "model.init": "Weight initialisation",
  "model.layers": "Hidden layers",
  optimizer: "Optimizer",
  "optimizer.type": "Optimizer",
  "optimizer.lr": "Learning rate",
  "optimizer.momentum": "Momentum",
  "optimizer.dampening": "Dampening",
  "optimizer.weightDecay": "Weight decay",
  "optimizer.nesterov": "Nesterov",
  "optimizer.alpha": "Alpha",
  "optimizer.eps": "Eps",
  "optimizer.centered": "Centered",
  "optimizer.betas": "Betas (β1, β2)",
  "optimizer.betas.0": "β1",
  "optimizer.betas.1": "β2",
  "optimizer.amsgrad": "AMSGrad",
  scheduler: "LR scheduler",
  "scheduler.type": "LR scheduler",
  "scheduler.stepSize": "Step size (epochs)",
  "scheduler.gamma": "Gamma",
  "scheduler.milestones": "Milestones (epochs)",
  "scheduler.tMax": "T max (epochs)",
  "scheduler.etaMin": "Eta min",
  "scheduler.startFactor": "Start factor",
  "scheduler.endFactor": "End factor",
  "scheduler.totalIters": "Total iters (epochs)",
  "scheduler.maxLr": "Max lr",
  "scheduler.totalSteps": "Total steps",
  "scheduler.epochs": "One-cycle epochs",
  "scheduler.stepsPerEpoch": "Steps per epoch",
  "scheduler.pctStart": "Pct start",
  "scheduler.annealStrategy": "Anneal strategy",
  "scheduler.cycleMomentum": "Cycle momentum",
  "scheduler.baseMomentum": "Base momentum",
  "scheduler.maxMomentum": "Max momentum",
  "scheduler.divFactor": "Div factor",
  "scheduler.finalDivFactor": "Final div factor",
  "scheduler.threePhase": "Three phase",
  "scheduler.metric": "Plateau metric",
  "scheduler.mode": "Mode",
  "scheduler.factor": "Factor",
  "scheduler.patience": "Patience (epochs)",
  "scheduler.threshold": "Threshold",
  "scheduler.thresholdMode": "Threshold mode",
  "scheduler.cooldown": "Cooldown (epochs)",
  "scheduler.minLr": "Min lr",
  "scheduler.eps": "Eps",
  regularization: "Regularisation",
  "regularization.l1": "L1",
  "regularization.l2": "L2",
  gradientClipping: "Gradient clipping",
  "gradientClipping.type": "Gradient clipping",
  "gradientClipping.maxNorm": "Max norm",
  "gradientClipping.normType": "Norm type",
  "gradientClipping.clipValue": "Clip value",
  earlyStopping: "Early stopping",
  "earlyStopping.enabled": "Early stopping",
  "earlyStopping.metric": "Watch",
  "earlyStopping.mode": "Better when",
  "earlyStopping.patience": "Patience (epochs)",
  "earlyStopping.minDelta": "Min delta",
  "earlyStopping.restoreBest": "Restore best weights",
  batch: "Batches",
  "batch.mode": "Batches",
  "batch.size": "Batch size",
  "batch.shuffle": "Shuffle each epoch",
};

const LAYER_FIELDS: Record<string, string> = {
  units: "units",
  activation: "activation",
  batchNorm: "batch norm",
  dropout: "dropout",
};

/**
 * The form's label for a run config path: `model.layers.0.units` → "Layer 1 units",
 * `optimizer.betas.1` → "β2", `data.split.dev` → "Dev fraction", "" → "Config". A path the form
 * has no field for (an unknown field) is its own label. The study form passes the path after
 * `base.`.
 */
export function fieldLabel(path: string): string {
  if (path === "") return "Config";
  if (Object.hasOwn(LABELS, path)) return LABELS[path];
  const layer = /^model\.layers\.(\d+)(?:\.(\w+))?$/.exec(path);
  if (layer) {
    const [, index, field] = layer;
    const name = `Layer ${Number(index) + 1}`;
    if (field === undefined) return name;
    if (Object.hasOwn(LAYER_FIELDS, field)) return `${name} ${LAYER_FIELDS[field]}`;
  }
  return path;
}

export const INIT_LABELS: Record<InitScheme, string> = {
  default: "PyTorch default: U(±1/√fan_in)",
  xavier_uniform: "Xavier (Glorot) uniform",
  xavier_normal: "Xavier (Glorot) normal",
  kaiming_uniform: "Kaiming (He) uniform",
  kaiming_normal: "Kaiming (He) normal",
  lecun_uniform: "LeCun uniform",
  lecun_normal: "LeCun normal",
};

export const LOSS_LABELS: Record<LossName, string> = {
  cross_entropy: "Cross-entropy (softmax)",
  bce_with_logits: "BCE with logits",
  bce: "BCE (sigmoid output)",
  mse: "Mean squared error",
};

/** The form's clipping choices: none, or torch.nn.utils' two kinds. */
export const CLIP_LABELS: Record<"none" | GradientClipping["type"], string> = {
  none: "None",
  norm: "By global norm",
  value: "By value",
};

/** Early stopping's choices and what it watches. */
export const EARLY_STOPPING_LABELS = { off: "Off", on: "On" } as const;
export const EARLY_STOPPING_METRIC_LABELS: Record<EarlyStoppingSpec["metric"], string> = {
  devLoss: "Dev loss",
  devAccuracy: "Dev accuracy",
};
export const EARLY_STOPPING_MODE_LABELS: Record<EarlyStoppingSpec["mode"], string> = {
  min: "Lower",
  max: "Higher",
};

export const BATCH_LABELS: Record<BatchMode, string> = {
  stochastic: "Stochastic (size 1)",
  minibatch: "Mini-batch",
  full: "Full batch",
};
