/**
 * Per-layer statistics on the CPU, in f64: the readable oracle of `shaders/layer_stats.wgsl`.
 * What is measured, and when, is `engine/layer_stats.ts`'s; this file sums it.
 *
 * @module
 */

import type { NamedTensor } from "../backend.ts";
import { type FirstLayerSnapshot, strongestRows, takesFirstLayer } from "../first_layer.ts";
import {
  countsDeadUnits,
  finishLayerStats,
  HISTOGRAM_BINS,
  histogramLimit,
  type LayerStats,
  type LayerSums,
  saturationThreshold,
} from "../layer_stats.ts";
import type { LayerSpec } from "../spec.ts";
import type { Mlp } from "./mlp.ts";

/** One hidden layer's values, as {@linkcode layerSums} reads them. */
export interface LayerValues {
  spec: LayerSpec;
  /** [rows × units] of the probe batch, before and after the activation. */
  preActivation: Float32Array;
  activation: Float32Array;
  /** The Linear weight at the epoch's end and start (null when unknown), [units × fanIn]. */
  weight: Float32Array;
  start: Float32Array | null;
  fanIn: number;
  /** Σ g² of the weight's gradient at the epoch's last step. */
  gradientSquares: number;
}

/** The sums of one hidden layer, each in f64, two passes for each mean and centred square sum. */
export function layerSums(values: LayerValues): LayerSums {
  const { spec, preActivation, activation, weight, start } = values;
  const pre = centredSquares(preActivation);
  const act = centredSquares(activation);
  const threshold = saturationThreshold(spec.activation);
  let saturatedValues = 0;
  if (threshold !== null) {
    for (let i = 0; i < preActivation.length; i++) {
      if (Math.abs(preActivation[i]) > threshold) saturatedValues++;
    }
  }
  let startSquares = 0;
  let updateSquares = 0;
  if (start) {
    for (let i = 0; i < weight.length; i++) {
      startSquares += start[i] * start[i];
      updateSquares += (weight[i] - start[i]) * (weight[i] - start[i]);
    }
  }
  return {
    preActivationMean: pre.mean,
    preActivationSquares: pre.squares,
    activationMean: act.mean,
    activationSquares: act.squares,
    deadUnits: countsDeadUnits(spec.activation) ? deadUnits(preActivation, spec.units) : 0,
    saturatedValues,
    weightSquares: squareSum(weight),
    gradientSquares: values.gradientSquares,
    startSquares,
    updateSquares,
    histogram: weightHistogram(weight, histogramLimit(values.fanIn)),
  };
}

/** Units (columns of [rows × units] `preActivation`) never > 0. */
function deadUnits(preActivation: Float32Array, units: number): number {
  const alive = new Uint8Array(units);
  for (let i = 0; i < preActivation.length; i++) {
    if (preActivation[i] > 0) alive[i % units] = 1;
  }
  return units - alive.reduce((sum, a) => sum + a, 0);
}

/** Σ x² in f64. */
export function squareSum(values: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] * values[i];
  return sum;
}

/** The mean, then Σ (x − mean)². */
function centredSquares(values: Float32Array): { mean: number; squares: number } {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  const mean = sum / values.length;
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += (values[i] - mean) ** 2;
  return { mean, squares };
}

/**
 * Counts of `weight` in HISTOGRAM_BINS equal bins over [−limit, limit], clamped at the ends (±∞
 * too); NaN is in no bin. The bin is ⌊x⌋ by comparisons and `| 0` inside the range: with
 * `Math.floor`, `Math.min` and `Math.max` the default model's first layer took 5–16 ms an epoch
 * here, this about 1.
 */
export function weightHistogram(weight: Float32Array, limit: number): Uint32Array {
  const counts = new Uint32Array(HISTOGRAM_BINS);
  const binsPerUnit = HISTOGRAM_BINS / (2 * limit);
  const last = HISTOGRAM_BINS - 1;
  for (let i = 0; i < weight.length; i++) {
    const x = (weight[i] + limit) * binsPerUnit;
    if (x !== x) continue;
    counts[x < 1 ? 0 : x >= last ? last : x | 0]++;
  }
  return counts;
}

/**
 * A CPU session's statistics across an epoch: the hidden weights at its start, the gradient
 * sums of its last step, and at its end the sums over the probe forward `Mlp` just ran.
 */
export class CpuLayerStats {
  readonly #model: Mlp;
  /** Index in model.parameters of each hidden layer's Linear weight. */
  readonly #weights: number[];
  #start: Float32Array[] | null = null;
  #gradientSquares: number[] = [];

  constructor(model: Mlp) {
    this.#model = model;
    this.#weights = model.shape.layers.map((_, l) =>
      model.parameters.findIndex((p) => p.name === `hidden.${l}.linear.weight`)
    );
  }

  /**
   * Keeps the hidden weights as the epoch's start, in the arrays of the epoch before where there
   * are some: allocating the default model's 2 MB afresh took 4–8 ms an epoch here, the copy 0.05.
   */
  epochStarted(): void {
    const weights = this.#weights.map((i) => this.#model.parameters[i].data);
    const start = this.#start;
    if (start?.length === weights.length && start.every((s, l) => s.length === weights[l].length)) {
      start.forEach((s, l) => s.set(weights[l]));
    } else {
      this.#start = weights.map((weight) => weight.slice());
    }
  }

  /** Sums the data loss's weight gradients (call right after `Mlp.backward`, before any penalty). */
  gradientsReady(): void {
    this.#gradientSquares = this.#weights.map((i) => squareSum(this.#model.gradients[i]));
  }

  /** The start weights, named as the model's (a checkpoint inside an epoch carries them). */
  startWeights(): NamedTensor[] | null {
    if (!this.#start) return null;
    return this.#weights.map((i, l) => {
      const { name, shape } = this.#model.parameters[i];
      return { name, shape: [...shape], data: this.#start![l].slice() };
    });
  }

  /** Takes the start weights from a checkpoint (null: unknown, no update ratio this epoch). */
  loadStartWeights(tensors: NamedTensor[] | null): void {
    if (!tensors) {
      this.#start = null;
      return;
    }
    this.#start = this.#weights.map((i) => {
      const own = this.#model.parameters[i];
      const tensor = tensors.find((t) => t.name === own.name);
      if (!tensor || tensor.data.length !== own.data.length) {
        throw new Error(`The checkpoint's epoch-start weights lack "${own.name}" of its shape`);
      }
      return tensor.data.slice();
    });
  }

  /** The first hidden layer's strongest units, for a 28×28 image input (`first_layer.ts`). */
  firstLayer(): FirstLayerSnapshot | null {
    const first = this.#model.parameters[this.#weights[0]];
    if (!first || !takesFirstLayer(this.#weights.length, first.shape[1])) return null;
    return strongestRows(first.data, first.shape[1]);
  }

  /** The statistics of every hidden layer, after an evaluation-mode forward of `rows` rows. */
  finish(rows: number): LayerStats[] {
    const model = this.#model;
    return model.shape.layers.map((spec, l) => {
      const weight = model.parameters[this.#weights[l]];
      const fanIn = weight.shape[1];
      const sums = layerSums({
        spec,
        ...model.hiddenValues(l),
        weight: weight.data,
        start: this.#start?.[l] ?? null,
        fanIn,
        gradientSquares: this.#gradientSquares[l] ?? NaN,
      });
      return finishLayerStats(sums, { spec, fanIn, rows, startKnown: this.#start !== null });
    });
  }
}
