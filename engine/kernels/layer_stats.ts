/**
 * Host of `shaders/layer_stats.wgsl`: one hidden layer's raw statistic sums, one workgroup per
 * dispatch. `main` runs at the epoch's end over the probe batch's values and the layer's weights;
 * `gradient_sums` inside the epoch's last step, right after the backward pass. Both write the
 * layer's slot of a stats buffer, which the epoch's readback carries home for
 * {@linkcode decodeLayerSums} and `finishLayerStats` (engine/layer_stats.ts).
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
  bindings: ["read", "read", "read", "read", "read", "read_write"],
  usesStep: false,
};
const GRADIENT_DEFINITION: KernelDefinition = { ...DEFINITION, entryPoint: "gradient_sums" };

/** Words of one layer's slot: 10 sums and counts, then the histogram (STATS_WORDS in WGSL). */
export const LAYER_STATS_WORDS = 10 + HISTOGRAM_BINS;
const WORKGROUP_SIZE = 256;

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
}

export interface LayerStatsKernels {
  epochEnd: Kernel;
  gradients: Kernel;
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
    COUNT_DEAD: countsDeadUnits(spec.activation) ? 1 : 0,
    SATURATION: saturationThreshold(spec.activation) ?? 0,
    HISTOGRAM_LIMIT: Math.fround(histogramLimit(fanIn)),
    WORKGROUP_SIZE,
  };
  const [epochEnd, gradients] = await Promise.all([
    context.kernel(DEFINITION, constants),
    context.kernel(GRADIENT_DEFINITION, constants),
  ]);
  return { epochEnd, gradients };
}

export interface LayerStatsBuffers {
  grads: GPUBuffer;
  params: GPUBuffer;
  /** The hidden weights at the epoch's start, packed. */
  start: GPUBuffer;
  /** The layer's probe values: the activation's input and output. */
  preActivation: GPUBuffer;
  activation: GPUBuffer;
  stats: GPUBuffer;
}

/** A dispatch of `kernel` (either entry point): one workgroup. */
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
  assertCapacity("layer_stats", "stats", buffers.stats, (c.SLOT + 1) * LAYER_STATS_WORDS);
  return {
    kernel,
    bindGroup: bindKernel(context.device, kernel, [
      buffers.grads,
      buffers.params,
      buffers.start,
      buffers.preActivation,
      buffers.activation,
      buffers.stats,
    ]),
    maxRows: Infinity,
    workgroups: () => [1, 1, 1],
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
