/**
 * The run configuration as the engine consumes it: every field present, defaults already applied.
 *
 * The zod schema in `config/schema.ts` validates user input at the edge and produces this type;
 * inside the engine the types are trusted. Names follow DESIGN.md's contract.
 *
 * @module
 */

export type DatasetId = string; // "mnist", "fashion-mnist", "synthetic-binary", "idx:<dir>", "csv:<path>"

export const ACTIVATIONS = ["relu", "sigmoid", "tanh", "leaky_relu", "gelu", "none"] as const;
export type Activation = typeof ACTIVATIONS[number];

export const INIT_SCHEMES = [
  "default",
  "xavier_uniform",
  "xavier_normal",
  "kaiming_uniform",
  "kaiming_normal",
  "lecun_uniform",
  "lecun_normal",
] as const;
export type InitScheme = typeof INIT_SCHEMES[number];

export const LOSSES = ["cross_entropy", "bce_with_logits", "bce", "mse"] as const;
export type LossName = typeof LOSSES[number];

export const BATCH_MODES = ["stochastic", "minibatch", "full"] as const;
export type BatchMode = typeof BATCH_MODES[number];

export const DEVICES = ["auto", "gpu", "cpu"] as const;
export type DeviceChoice = typeof DEVICES[number];

export interface Normalize {
  mean: number;
  std: number;
}

export interface SplitFractions {
  train: number;
  dev: number;
  /** Only for datasets without an official test set. */
  test?: number;
}

export interface DataSpec {
  dataset: DatasetId;
  /** Applied after ToTensor's scaling to [0, 1]; `null` keeps [0, 1]. */
  normalize: Normalize | null;
  split: SplitFractions;
  /** First N examples of the training pool (before splitting); all when absent. */
  trainSize?: number;
  /** First N examples of the official test set; all when absent. */
  testSize?: number;
}

export interface LayerSpec {
  units: number;
  activation: Activation;
  batchNorm: boolean;
  dropout: number;
}

export interface ModelSpec {
  init: InitScheme;
  /** Hidden layers; the output layer's size follows from the dataset and the loss. */
  layers: LayerSpec[];
}

export interface SgdSpec {
  type: "sgd";
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
}

export interface RmspropSpec {
  type: "rmsprop";
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
}

export interface AdamSpec {
  type: "adam" | "adamw";
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
}

export type OptimizerSpec = SgdSpec | RmspropSpec | AdamSpec;
export type OptimizerType = OptimizerSpec["type"];

/**
 * A learning-rate schedule, one variant per torch.optim.lr_scheduler class (torch 1.13, whose
 * defaults these are). `one_cycle` steps after every batch; the rest after every epoch, and
 * `reduce_on_plateau` with the epoch's dev metric.
 */
export const SCHEDULER_TYPES = [
  "step",
  "multi_step",
  "exponential",
  "cosine_annealing",
  "linear",
  "one_cycle",
  "reduce_on_plateau",
] as const;
export type SchedulerType = typeof SCHEDULER_TYPES[number];

/** StepLR: lr · gamma every `stepSize` epochs. */
export interface StepLrSpec {
  type: "step";
  stepSize: number;
  gamma: number;
}

/** MultiStepLR: lr · gamma at each milestone epoch (a repeated milestone multiplies again). */
export interface MultiStepLrSpec {
  type: "multi_step";
  milestones: number[];
  gamma: number;
}

/** ExponentialLR: lr · gamma every epoch. */
export interface ExponentialLrSpec {
  type: "exponential";
  gamma: number;
}

/** CosineAnnealingLR: cosine from the optimizer's lr down to etaMin over tMax epochs. */
export interface CosineAnnealingLrSpec {
  type: "cosine_annealing";
  tMax: number;
  etaMin: number;
}

/** LinearLR (warm-up): lr · factor, the factor linear from startFactor to endFactor. */
export interface LinearLrSpec {
  type: "linear";
  startFactor: number;
  endFactor: number;
  totalIters: number;
}

export const ANNEAL_STRATEGIES = ["cos", "linear"] as const;

/**
 * OneCycleLR, stepped per batch. Its length is `totalSteps`, else `epochs` × `stepsPerEpoch`,
 * else the run's own epochs × batches per epoch. With `cycleMomentum` it also cycles SGD's and
 * RMSprop's momentum or Adam's β1 between maxMomentum and baseMomentum.
 */
export interface OneCycleLrSpec {
  type: "one_cycle";
  maxLr: number;
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  pctStart: number;
  annealStrategy: typeof ANNEAL_STRATEGIES[number];
  cycleMomentum: boolean;
  baseMomentum: number;
  maxMomentum: number;
  divFactor: number;
  finalDivFactor: number;
  threePhase: boolean;
}

export const PLATEAU_METRICS = ["devLoss", "devAccuracy"] as const;

/** ReduceLROnPlateau on a dev metric, stepped after each epoch's dev evaluation. */
export interface ReduceLrOnPlateauSpec {
  type: "reduce_on_plateau";
  metric: typeof PLATEAU_METRICS[number];
  mode: "min" | "max";
  factor: number;
  patience: number;
  threshold: number;
  thresholdMode: "rel" | "abs";
  cooldown: number;
  minLr: number;
  eps: number;
}

export type SchedulerSpec =
  | StepLrSpec
  | MultiStepLrSpec
  | ExponentialLrSpec
  | CosineAnnealingLrSpec
  | LinearLrSpec
  | OneCycleLrSpec
  | ReduceLrOnPlateauSpec;

export interface Regularization {
  /** Coefficient of sum(|w|) over every parameter, biases included (the seed's l1_l2_regularization). */
  l1: number;
  /** Coefficient of sum(w²) over every parameter, biases included. */
  l2: number;
}

/**
 * torch.nn.utils.clip_grad_norm_: every gradient scaled by min(1, maxNorm / (‖g‖ + 1e-6)), the
 * norm of order `normType` taken over all gradients as one vector.
 */
export interface ClipByNorm {
  type: "norm";
  maxNorm: number;
  /** p ≥ 1, or "inf" for the largest |g|. */
  normType: number | "inf";
}

/** torch.nn.utils.clip_grad_value_: every gradient clamped to [−clipValue, clipValue]. */
export interface ClipByValue {
  type: "value";
  clipValue: number;
}

/**
 * Applied after backward (the L1/L2 penalty's gradient included, as it is part of the loss) and
 * before the optimizer step, whose weight decay is not clipped.
 */
export type GradientClipping = ClipByNorm | ClipByValue;

/**
 * Early stopping on a dev metric, as PyTorch Lightning's `EarlyStopping(monitor, min_delta,
 * patience, mode)`: an epoch improves when its metric beats the best so far by more than
 * `minDelta`, and the run stops after `patience` epochs in a row without one.
 */
export interface EarlyStoppingSpec {
  metric: "devLoss" | "devAccuracy";
  mode: "min" | "max";
  patience: number;
  minDelta: number;
  /** Whether the run keeps (tests, stores) its best epoch's weights rather than its last. */
  restoreBest: boolean;
}

export interface BatchSpec {
  mode: BatchMode;
  /** Used by `minibatch`; `stochastic` is 1 and `full` the whole train split. */
  size: number;
  shuffle: boolean;
}

export interface RunConfig {
  name: string;
  seed: number;
  data: DataSpec;
  model: ModelSpec;
  loss: LossName;
  optimizer: OptimizerSpec;
  regularization: Regularization;
  /** The learning-rate schedule; none (a constant lr) when null or absent. */
  scheduler?: SchedulerSpec | null;
  /** Gradient clipping; none when null or absent. */
  gradientClipping?: GradientClipping | null;
  /** Early stopping on a dev metric; none when null or absent. */
  earlyStopping?: EarlyStoppingSpec | null;
  batch: BatchSpec;
  epochs: number;
  device: DeviceChoice;
  /**
   * Per-layer statistics each epoch (`engine/layer_stats.ts`); on unless false (absent in configs
   * stored before it existed).
   */
  layerStats?: boolean;
}

/** Number of output units: one logit for the binary losses on two classes, else one per class. */
export function outputUnits(loss: LossName, classes: number): number {
  const binary = loss === "bce" || loss === "bce_with_logits";
  return binary && classes === 2 ? 1 : classes;
}
