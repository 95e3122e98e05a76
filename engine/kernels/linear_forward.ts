/**
 * Host of `shaders/linear_forward.wgsl`: Z = X·Wᵀ + b for one layer and batch, gathering X from
 * the dataset (first layer) or the previous activations, with the hidden layer's activation and
 * dropout fused in (`hidden`), or Z alone (`linear`: logits, or the input of batch norm).
 *
 * @module
 */

import type { GpuContext } from "../webgpu/gpu_context.ts";
import { epilogueConstants, type HiddenEpilogue } from "./activation.ts";
import {
  assertCapacity,
  assertInteger,
  bindKernel,
  type Dispatch,
  type Kernel,
  type KernelDefinition,
} from "./kernel.ts";
import { layerInputConstants, type LayerSource, sourceWords } from "./layer_input.ts";
import { blockGrid, isBlockKernel } from "./matmul_block.ts";
import { type MatmulTile, tileConstants, tileGrid, tileOf } from "./matmul_tile.ts";

const LIBRARIES = ["step_params", "matmul_tile", "layer_input", "activation", "dropout_rng"];

const HIDDEN: KernelDefinition = {
  name: "linear_forward",
  libraries: LIBRARIES,
  entryPoint: "hidden",
  bindings: ["read", "read", "read", "read_write", "read_write"],
  usesStep: true,
};

const LINEAR: KernelDefinition = {
  ...HIDDEN,
  entryPoint: "linear",
  bindings: HIDDEN.bindings.slice(0, 4),
};

/** The same kernels on matmul_block, for CPU adapters (`shaders/linear_forward_block.wgsl`). */
const BLOCK_HIDDEN: KernelDefinition = {
  ...HIDDEN,
  name: "linear_forward_block",
  libraries: ["step_params", "matmul_block", "layer_input_quad", "activation", "dropout_rng"],
};

const BLOCK_LINEAR: KernelDefinition = {
  ...BLOCK_HIDDEN,
  entryPoint: "linear",
  bindings: LINEAR.bindings,
};

export interface LinearShape {
  inFeatures: number;
  outFeatures: number;
  /** Offsets (in floats) of W [out × in] and b [out] in the flat parameter buffer. */
  weightOffset: number;
  biasOffset: number;
  /** Most rows one step may have (the bound buffers' capacity). */
  maxRows: number;
  source: LayerSource;
  /** Tile to compile with; chosen from the shape when absent (tests pin each candidate). */
  tile?: MatmulTile;
  /** matmul_block instead of matmul_tile; the context's choice when absent. */
  blocks?: boolean;
}

export interface LinearForwardBuffers {
  /** Dataset inputs (u8 packed in words, or f32), or the previous layer's activations. */
  source: GPUBuffer;
  /** The batch order: dataset row of each batch row, from `step.first`. */
  order: GPUBuffer;
  params: GPUBuffer;
  /** Z [rows × out]. */
  preActivation: GPUBuffer;
  /** A [rows × out], for `hidden` only. */
  activation?: GPUBuffer;
  /** Rows in the dataset `source` holds (ignored for activations). */
  sourceRows: number;
}

export function assertLinearShape(kernel: string, shape: LinearShape): void {
  assertInteger(`${kernel} inFeatures`, shape.inFeatures, 1);
  assertInteger(`${kernel} outFeatures`, shape.outFeatures, 1);
  assertInteger(`${kernel} maxRows`, shape.maxRows, 1);
  assertInteger(`${kernel} weightOffset`, shape.weightOffset, 0);
  assertInteger(`${kernel} biasOffset`, shape.biasOffset, 0);
}

/**
 * Compiles the forward kernel for `shape`; with `hidden`, the activation/dropout epilogue
 * (`training` enables dropout).
 */
export async function linearForwardKernel(
  context: GpuContext,
  shape: LinearShape,
  hidden: { epilogue: HiddenEpilogue; training: boolean } | null,
): Promise<Kernel> {
  assertLinearShape("linear_forward", shape);
  const blocks = shape.blocks ?? context.matmulBlocks;
  const tile = shape.tile ?? context.matmulTile(shape.maxRows, shape.outFeatures);
  const constants: Record<string, number> = {
    ...(blocks ? {} : tileConstants(tile, true, true)),
    ...layerInputConstants(shape.source, shape.inFeatures),
    OUT_FEATURES: shape.outFeatures,
    WEIGHT_OFFSET: shape.weightOffset,
    BIAS_OFFSET: shape.biasOffset,
  };
  if (hidden) Object.assign(constants, epilogueConstants(hidden.epilogue, hidden.training));
  const definition = blocks ? (hidden ? BLOCK_HIDDEN : BLOCK_LINEAR) : (hidden ? HIDDEN : LINEAR);
  return await context.kernel(definition, constants);
}

/** Binds `kernel` (from {@linkcode linearForwardKernel} with `shape`) to its buffers. */
export function linearForwardDispatch(
  context: GpuContext,
  kernel: Kernel,
  shape: LinearShape,
  buffers: LinearForwardBuffers,
): Dispatch {
  const name = "linear_forward";
  const { inFeatures, outFeatures, maxRows } = shape;
  const sourceRows = shape.source.kind === "activations" ? maxRows : buffers.sourceRows;
  assertCapacity(name, "source", buffers.source, sourceWords(shape.source, sourceRows, inFeatures));
  assertCapacity(name, "params", buffers.params, shape.biasOffset + outFeatures);
  assertCapacity(name, "params", buffers.params, shape.weightOffset + outFeatures * inFeatures);
  assertCapacity(name, "preActivation", buffers.preActivation, maxRows * outFeatures);
  const list = [buffers.source, buffers.order, buffers.params, buffers.preActivation];
  if (kernel.definition.entryPoint === "hidden") {
    if (!buffers.activation) {
      throw new RangeError("Kernel linear_forward (hidden) needs an activation buffer");
    }
    assertCapacity(name, "activation", buffers.activation, maxRows * outFeatures);
    list.push(buffers.activation);
  }
  const tile = isBlockKernel(kernel) ? null : tileOf(kernel);
  return {
    kernel,
    bindGroup: bindKernel(context.device, kernel, list),
    maxRows,
    workgroups: (rows) => tile ? tileGrid(tile, rows, outFeatures) : blockGrid(rows, outFeatures),
  };
}
