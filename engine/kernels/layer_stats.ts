/**
 * Host of `shaders/layer_stats.wgsl`: one hidden layer's raw statistic sums. `gradient_sums`
 * runs inside the epoch's last step right after the backward pass; at the epoch's end
 * `weight_sums`, then `main` (one workgroup) over the probe batch's values, folding the others'
 * partial sums. They fill the layer's slot of a stats buffer, which the epoch's readback carries
 * home for {@linkcode decodeLayerSums} and `finishLayerStats` (engine/layer_stats.ts).
 *
 * @module
 */

import {
  countsDeadUnits,
  HISTOGRAM_BINS,
  histogramLimit,
  type LayerSums,
  saturationThreshold,
} from "../layer_stats.ts";
import type { LayerSpec } from "../spec.ts";
import type { GpuContext } from "../webgpu/gpu_context.ts";
import {
  assertCapacity,
  assertInteger,
  bindKernel,
  type Dispatch,
  type Kernel,
  type KernelDefinition,
} from "./kernel.ts";

const DEFINITION: KernelDefinition = {
  name: "layer_stats",
  libraries: [],
  entryPoint: "main",
  bindings: ["read", "read", "read", "read", "read", "read_write", "read_write"],
  usesStep: false,
};
const GRADIENT_DEFINITION: KernelDefinition = { ...DEFINITION, entryPoint: "gradient_sums" };
const WEIGHT_DEFINITION: KernelDefinition = { ...DEFINITION, entryPoint: "weight_sums" };

/** Words of one layer's slot: 10 sums and counts, then the histogram (STATS_WORDS in WGSL). */
export const LAYER_STATS_WORDS = 10 + HISTOGRAM_BINS;
const WORKGROUP_SIZE = 256;
/** Weights per workgroup of the many-workgroup passes, about (16 per lane). */
const WEIGHTS_PER_GROUP = 16 * WORKGROUP_SIZE;

/**
 * Workgroups of `gradient_sums` and `weight_sums` for `weights` weights: enough to spread a large
 * layer over a GPU, at most 256 so that `main` folds their partials one per lane.
 */
export function layerStatsGroups(weights: number): number {
  return Math.min(WORKGROUP_SIZE, Math.ceil(weights / WEIGHTS_PER_GROUP));
}

/** Floats of partial sums a layer of `weights` weights needs: 3 per workgroup, and 1. */
export function layerStatsPartials(weights: number): number {
  return 4 * layerStatsGroups(weights);
}
export interface LayerStatsShape {
  spec: LayerSpec;
  fanIn: number;
  /** Rows of the probe batch. */
  rows: number;
  /** Offset in floats of the layer's Linear weight in the flat parameters and gradients. */
  weightOffset: number;
  /** Offset in floats of its start weights in the packed start buffer. */
  startOffset: number;
  /** The hidden layer's index: its slot in the stats buffer. */
  slot: number;
  /** Offset in floats of its partial sums (layerStatsPartials of them). */
  partialsOffset: number;
}

export interface LayerStatsKernels {
  gradients: Kernel;
  weights: Kernel;
  epochEnd: Kernel;
}

export async function layerStatsKernels(
  context: GpuContext,
  shape: LayerStatsShape,
): Promise<LayerStatsKernels> {
  const { spec, fanIn, rows } = shape;
  assertInteger("layer_stats units", spec.units, 1);
  assertInteger("layer_stats fanIn", fanIn, 1);
  assertInteger("layer_stats rows", rows, 1);
  assertInteger("layer_stats weights", spec.units * fanIn, 1);
  assertInteger("layer_stats probe values", rows * spec.units, 1);
  const constants = {
    UNITS: spec.units,
    FAN_IN: fanIn,
    ROWS: rows,
    WEIGHT_OFFSET: shape.weightOffset,
    START_OFFSET: shape.startOffset,
    SLOT: shape.slot,
    GROUPS: layerStatsGroups(spec.units * fanIn),
    PARTIALS_OFFSET: shape.partialsOffset,
    COUNT_DEAD: countsDeadUnits(spec.activation) ? 1 : 0,
    SATURATION: saturationThreshold(spec.activation) ?? 0,
    HISTOGRAM_LIMIT: Math.fround(histogramLimit(fanIn)),
    WORKGROUP_SIZE,
  };
  const [gradients, weights, epochEnd] = await Promise.all([
    context.kernel(GRADIENT_DEFINITION, constants),
    context.kernel(WEIGHT_DEFINITION, constants),
    context.kernel(DEFINITION, constants),
  ]);
  return { gradients, weights, epochEnd };
}

export interface LayerStatsBuffers {
  grads: GPUBuffer;
  params: GPUBuffer;
  /** The hidden weights at the epoch's start, packed. */
  start: GPUBuffer;
  /** The layer's probe values: the activation's input and output. */
  preActivation: GPUBuffer;
  activation: GPUBuffer;
  partials: GPUBuffer;
  stats: GPUBuffer;
}

/** A dispatch of `kernel` (any entry point): GROUPS workgroups, or one for `main`. */
export function layerStatsDispatch(
  context: GpuContext,
  kernel: Kernel,
  buffers: LayerStatsBuffers,
): Dispatch {
  const c = kernel.constants;
  const weights = c.UNITS * c.FAN_IN;
  assertCapacity("layer_stats", "grads", buffers.grads, c.WEIGHT_OFFSET + weights);
  assertCapacity("layer_stats", "params", buffers.params, c.WEIGHT_OFFSET + weights);
  assertCapacity("layer_stats", "start", buffers.start, c.START_OFFSET + weights);
  assertCapacity("layer_stats", "preActivation", buffers.preActivation, c.ROWS * c.UNITS);
  assertCapacity("layer_stats", "activation", buffers.activation, c.ROWS * c.UNITS);
  assertCapacity("layer_stats", "partials", buffers.partials, c.PARTIALS_OFFSET + 4 * c.GROUPS);
  assertCapacity("layer_stats", "stats", buffers.stats, (c.SLOT + 1) * LAYER_STATS_WORDS);
  return {
    kernel,
    bindGroup: bindKernel(context.device, kernel, [
      buffers.grads,
      buffers.params,
      buffers.start,
      buffers.preActivation,
      buffers.activation,
      buffers.partials,
      buffers.stats,
    ]),
    maxRows: Infinity,
    workgroups: () => [kernel.definition.entryPoint === "main" ? 1 : c.GROUPS, 1, 1],
  };
}

/** The sums of layer `slot` in stats bytes read back from byte `at`. */
export function decodeLayerSums(bytes: ArrayBuffer, at: number, slot: number): LayerSums {
  const view = new DataView(bytes, at + slot * LAYER_STATS_WORDS * 4, LAYER_STATS_WORDS * 4);
  const float = (word: number) => view.getFloat32(word * 4, true);
  return {
    preActivationMean: float(0),
    preActivationSquares: float(1),
    activationMean: float(2),
    activationSquares: float(3),
    deadUnits: view.getUint32(16, true),
    saturatedValues: view.getUint32(20, true),
    weightSquares: float(6),
    gradientSquares: float(7),
    startSquares: float(8),
    updateSquares: float(9),
    histogram: Array.from(
      { length: HISTOGRAM_BINS },
      (_, bin) => view.getUint32(40 + bin * 4, true),
    ),
  };
}
