/**
 * Host of `shaders/linear_backward_data.wgsl`: the gradient at the previous hidden layer's
 * pre-activation, dY = (dZ · W) ⊙ dropout mask/(1 − p) ⊙ f′(y), one fused product.
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
import { blockGrid, isBlockKernel } from "./matmul_block.ts";
import { type MatmulTile, tileConstants, tileGrid, tileOf } from "./matmul_tile.ts";

const DEFINITION: KernelDefinition = {
  name: "linear_backward_data",
  libraries: ["step_params", "matmul_tile", "activation", "dropout_rng"],
  entryPoint: "main",
  bindings: ["read", "read", "read", "read_write"],
  usesStep: true,
};

/** The same kernel on matmul_block, for CPU adapters. */
const BLOCK_DEFINITION: KernelDefinition = {
  ...DEFINITION,
  name: "linear_backward_data_block",
  libraries: ["step_params", "matmul_block", "activation", "dropout_rng"],
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
}

export interface LinearBackwardDataBuffers {
  /** dZ [rows × out] of this layer. */
  gradOutput: GPUBuffer;
  params: GPUBuffer;
  /** y [rows × in], the previous layer's saved pre-activation. */
  preActivation: GPUBuffer;
  /** dY [rows × in], written. */
  gradInput: GPUBuffer;
}

export async function linearBackwardDataKernel(
  context: GpuContext,
  shape: LinearBackwardDataShape,
): Promise<Kernel> {
  assertInteger("linear_backward_data inFeatures", shape.inFeatures, 1);
  assertInteger("linear_backward_data outFeatures", shape.outFeatures, 1);
  assertInteger("linear_backward_data maxRows", shape.maxRows, 1);
  const blocks = shape.blocks ?? context.matmulBlocks;
  const tile = shape.tile ?? context.matmulTile(shape.maxRows, shape.inFeatures);
  return await context.kernel(blocks ? BLOCK_DEFINITION : DEFINITION, {
    ...(blocks ? {} : tileConstants(tile, true, false)),
    ...epilogueConstants(shape.previous, true),
    IN_FEATURES: shape.inFeatures,
    OUT_FEATURES: shape.outFeatures,
    WEIGHT_OFFSET: shape.weightOffset,
  });
}

export function linearBackwardDataDispatch(
  context: GpuContext,
  kernel: Kernel,
  shape: LinearBackwardDataShape,
  buffers: LinearBackwardDataBuffers,
): Dispatch {
  const name = DEFINITION.name;
  const { inFeatures, outFeatures, maxRows } = shape;
  assertCapacity(name, "gradOutput", buffers.gradOutput, maxRows * outFeatures);
  assertCapacity(name, "params", buffers.params, shape.weightOffset + outFeatures * inFeatures);
  assertCapacity(name, "preActivation", buffers.preActivation, maxRows * inFeatures);
  assertCapacity(name, "gradInput", buffers.gradInput, maxRows * inFeatures);
  const tile = isBlockKernel(kernel) ? null : tileOf(kernel);
  return {
    kernel,
    bindGroup: bindKernel(context.device, kernel, [
      buffers.gradOutput,
      buffers.params,
      buffers.preActivation,
      buffers.gradInput,
    ]),
    maxRows,
    workgroups: (rows) => tile ? tileGrid(tile, rows, inFeatures) : blockGrid(rows, inFeatures),
  };
}
