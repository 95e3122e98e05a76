/**
 * Host of `shaders/linear_backward_data.wgsl`: the gradient at the previous hidden layer's
 * pre-activation, dY = (dZ · W) ⊙ dropout mask/(1 − p) ⊙ f′(y), one fused product.
 *
 * @module
 */

import type { GpuContext } from "../webgpu/gpu_context.ts";
import { epilogueConstants, type HiddenEpilogue } from "./activation.ts";
import { assertCapacity, assertInteger, type Dispatch, type KernelDefinition } from "./kernel.ts";
import { blockGrid, isBlockKernel } from "./matmul_block.ts";
import { type MatmulTile, tileConstants, tileGrid, tileOf } from "./matmul_tile.ts";
import { compileMatmul, matmulDispatches, type MatmulKernels, unsplit } from "./split_k.ts";

/** Bindings: gradOutput, params, preActivation, gradInput, partials (split-K). */
const DEFINITION: KernelDefinition = {
  name: "linear_backward_data",
  libraries: ["step_params", "matmul_tile", "activation", "dropout_rng", "hidden_epilogue"],
  entryPoint: "main",
  bindings: ["read", "read", "read", "read_write", "read_write"],
  usesStep: true,
};

/** The same kernel on matmul_block, for CPU adapters (no partials). */
const BLOCK_DEFINITION: KernelDefinition = {
  ...DEFINITION,
  name: "linear_backward_data_block",
  libraries: ["step_params", "matmul_block", "activation", "dropout_rng", "hidden_epilogue"],
  bindings: DEFINITION.bindings.slice(0, 4),
};

export interface LinearBackwardDataShape {
  /** Units of the previous hidden layer (W's columns), and of this layer (W's rows). */
  inFeatures: number;
  outFeatures: number;
  weightOffset: number;
  maxRows: number;
  /** The previous hidden layer's activation and dropout. */
  previous: HiddenEpilogue;
  tile?: MatmulTile;
  /** matmul_block instead of matmul_tile; the context's choice when absent. */
  blocks?: boolean;
  /** Shares of the depth (split_k.ts); the context's choice when absent. */
  splitK?: number;
}

export interface LinearBackwardDataBuffers {
  /** dZ [rows × out] of this layer. */
  gradOutput: GPUBuffer;
  params: GPUBuffer;
  /** y [rows × in], the previous layer's saved pre-activation. */
  preActivation: GPUBuffer;
  /** dY [rows × in], written. */
  gradInput: GPUBuffer;
  /** Split-K's scratch, when the kernel splits (MatmulKernels.partialWords). */
  partials?: GPUBuffer;
}

export async function linearBackwardDataKernel(
  context: GpuContext,
  shape: LinearBackwardDataShape,
): Promise<MatmulKernels> {
  assertInteger("linear_backward_data inFeatures", shape.inFeatures, 1);
  assertInteger("linear_backward_data outFeatures", shape.outFeatures, 1);
  assertInteger("linear_backward_data maxRows", shape.maxRows, 1);
  const blocks = shape.blocks ?? context.matmulBlocks;
  const constants = {
    ...epilogueConstants(shape.previous, true),
    IN_FEATURES: shape.inFeatures,
    OUT_FEATURES: shape.outFeatures,
    WEIGHT_OFFSET: shape.weightOffset,
  };
  if (blocks) return unsplit(await context.kernel(BLOCK_DEFINITION, constants));
  const tile = shape.tile ?? context.matmulTile(shape.maxRows, shape.inFeatures);
  const [x, y] = tileGrid(tile, shape.maxRows, shape.inFeatures);
  const splits = shape.splitK ?? context.matmulSplit(x * y, shape.outFeatures, tile.tileK);
  return await compileMatmul(
    context,
    DEFINITION,
    "reduce",
    { ...tileConstants(tile, true, false), ...constants },
    splits,
    { rows: shape.maxRows, cols: shape.inFeatures },
  );
}

export function linearBackwardDataDispatch(
  context: GpuContext,
  kernels: MatmulKernels,
  shape: LinearBackwardDataShape,
  buffers: LinearBackwardDataBuffers,
): Dispatch[] {
  const name = DEFINITION.name;
  const { inFeatures, outFeatures, maxRows } = shape;
  assertCapacity(name, "gradOutput", buffers.gradOutput, maxRows * outFeatures);
  assertCapacity(name, "params", buffers.params, shape.weightOffset + outFeatures * inFeatures);
  assertCapacity(name, "preActivation", buffers.preActivation, maxRows * inFeatures);
  assertCapacity(name, "gradInput", buffers.gradInput, maxRows * inFeatures);
  const tile = isBlockKernel(kernels.matmul) ? null : tileOf(kernels.matmul);
  return matmulDispatches(
    context,
    kernels,
    [buffers.gradOutput, buffers.params, buffers.preActivation, buffers.gradInput],
    {
      partials: buffers.partials,
      partialsAt: tile ? 4 : null,
      maxRows,
      grid: (rows) => tile ? tileGrid(tile, rows, inFeatures) : blockGrid(rows, inFeatures),
      elements: (rows) => rows * inFeatures,
    },
  );
}
