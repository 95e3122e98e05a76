/**
 * Per-layer statistics of an epoch, the same on both backends: what a teacher points at when
 * initialisation, batch norm, dropout or L1/L2 change how a network trains (TensorBoard's
 * histograms and "dead ReLU" counts, for an MLP).
 *
 * At the end of each epoch, after its last step, the first {@linkcode probeRows} rows of the train
 * split (the probe batch, fixed for the run) go through the network in evaluation mode (no
 * dropout, batch norm's running statistics). For each hidden layer:
 * - mean and std of its pre-activations (the activation's input: batch norm's output when on,
 *   else the Linear output) and of its activations, over all probe rows × units; std is the
 *   population one (÷ n), each taken in two passes (the mean, then centred squares);
 * - the dead share (relu, leaky_relu, gelu): units whose pre-activation is never > 0 on the probe
 *   rows, over units;
 * - the saturated share (sigmoid: |x| > 4, tanh: |x| > 2, where the derivative is below ~7% of
 *   its peak: σ'(4)/σ'(0) = 0.071, tanh'(2)/tanh'(0) = 0.071): of all probe (row, unit) values;
 * - ‖W‖ of its Linear weight at the epoch's end; ‖∂L/∂W‖ of the data loss at the epoch's last
 *   step (before the L1/L2 penalty's gradient and clipping); the update ratio
 *   ‖W_end − W_start‖ / ‖W_start‖ over the epoch;
 * - a histogram of W in {@linkcode HISTOGRAM_BINS} bins over [−R, R], R = 4/√fan_in (four times
 *   PyTorch's default init bound, so every init scheme starts well inside), values outside
 *   counted in the end bins.
 *
 * Backends compute the raw sums ({@linkcode LayerSums}: `engine/cpu/layer_stats.ts` in f64, the
 * kernel `shaders/layer_stats.wgsl` in f32); {@linkcode finishLayerStats} turns them into
 * {@linkcode LayerStats} on the host for both.
 *
 * @module
 */

import type { Activation, LayerSpec, RunConfig } from "./spec.ts";

/** Most rows of the probe batch. */
export const PROBE_ROWS = 256;
/** Bins of each weight histogram. */
export const HISTOGRAM_BINS = 32;

export interface LayerStats {
  preActivationMean: number;
  preActivationStd: number;
  activationMean: number;
  activationStd: number;
  /** Units never positive before the activation, over units; null unless relu, leaky_relu, gelu. */
  deadShare: number | null;
  /** Probe values past the saturation threshold, over all; null unless sigmoid or tanh. */
  saturatedShare: number | null;
  weightNorm: number;
  gradientNorm: number;
  /** Null when the epoch's start weights are unknown (an epoch resumed from an old checkpoint). */
  updateRatio: number | null;
  /** Counts of W in equal bins over [−limit, limit]; values outside count in the end bins. */
  weightHistogram: { limit: number; counts: number[] };
}

/** What a backend sums for one hidden layer; {@linkcode finishLayerStats} does the rest. */
export interface LayerSums {
  preActivationMean: number;
  /** Σ (x − mean)² over the probe's values. */
  preActivationSquares: number;
  activationMean: number;
  activationSquares: number;
  /** Units whose pre-activation is never > 0 on the probe rows. */
  deadUnits: number;
  /** Probe values whose |pre-activation| is past the saturation threshold. */
  saturatedValues: number;
  /** Σ w², Σ g², Σ w_start² and Σ (w − w_start)² over the layer's Linear weight. */
  weightSquares: number;
  gradientSquares: number;
  startSquares: number;
  updateSquares: number;
  histogram: ArrayLike<number>;
}

/** Whether the run computes layer statistics: on unless the config says `layerStats: false`. */
export function layerStatsEnabled(config: RunConfig): boolean {
  return config.layerStats !== false;
}

/** Rows of the probe batch for a train split of `trainCount` rows. */
export function probeRows(trainCount: number): number {
  return Math.min(PROBE_ROWS, trainCount);
}

/** R of a layer's histogram, 4/√fan_in, fixed for the run. */
export function histogramLimit(fanIn: number): number {
  return 4 / Math.sqrt(fanIn);
}

/** |x| past which `activation` counts as saturated, or null where saturation is not counted. */
export function saturationThreshold(activation: Activation): number | null {
  if (activation === "sigmoid") return 4;
  if (activation === "tanh") return 2;
  return null;
}

/** Whether dead units are counted for `activation` (the ReLU family, and GELU). */
export function countsDeadUnits(activation: Activation): boolean {
  return activation === "relu" || activation === "leaky_relu" || activation === "gelu";
}

/**
 * The statistics of a hidden layer of `spec` with `fanIn` inputs from its sums over `rows` probe
 * rows; `startKnown` false when the epoch's start weights were not kept.
 */
export function finishLayerStats(
  sums: LayerSums,
  shape: { spec: LayerSpec; fanIn: number; rows: number; startKnown: boolean },
): LayerStats {
  const { spec, fanIn, rows, startKnown } = shape;
  const values = rows * spec.units;
  const startNorm = Math.sqrt(sums.startSquares);
  return {
    preActivationMean: sums.preActivationMean,
    preActivationStd: Math.sqrt(sums.preActivationSquares / values),
    activationMean: sums.activationMean,
    activationStd: Math.sqrt(sums.activationSquares / values),
    deadShare: countsDeadUnits(spec.activation) ? sums.deadUnits / spec.units : null,
    saturatedShare: saturationThreshold(spec.activation) === null
      ? null
      : sums.saturatedValues / values,
    weightNorm: Math.sqrt(sums.weightSquares),
    gradientNorm: Math.sqrt(sums.gradientSquares),
    updateRatio: startKnown && startNorm > 0 ? Math.sqrt(sums.updateSquares) / startNorm : null,
    weightHistogram: { limit: histogramLimit(fanIn), counts: Array.from(sums.histogram) },
  };
}
