/**
 * Host of `shaders/linear_backward_weight.wgsl`: dW = dZᵀ·X and db = Σ dZ in one product (X with
 * a column of ones), re-gathering X from the dataset for the first layer.
 *
 * @module
 */

import type { GpuContext } from "../webgpu/gpu_context.ts";
import {
  assertCapacity,
  bindKernel,
  type Dispatch,
  type Kernel,
  type KernelDefinition,
} from "./kernel.ts";
import { layerInputConstants, sourceWords } from "./layer_input.ts";
import { assertLinearShape, type LinearShape } from "./linear_forward.ts";
import { blockGrid, isBlockKernel } from "./matmul_block.ts";
import { tileConstants, tileGrid, tileOf } from "./matmul_tile.ts";

const DEFINITION: KernelDefinition = {
  name: "linear_backward_weight",
  libraries: ["step_params", "matmul_tile", "layer_input"],
  entryPoint: "main",
  bindings: ["read", "read", "read", "read_write"],
  usesStep: true,
};

/** The same kernel on matmul_block, for CPU adapters. */
const BLOCK_DEFINITION: KernelDefinition = {
  ...DEFINITION,
  name: "linear_backward_weight_block",
  libraries: ["step_params", "matmul_block", "layer_input_quad"],
};

export interface LinearBackwardWeightBuffers {
  /** dZ [rows × out]. */
  gradOutput: GPUBuffer;
  /** The layer's input, as for linear_forward. */
  source: GPUBuffer;
  order: GPUBuffer;
  /** Flat gradients; W's and b's slots are overwritten. */
  grads: GPUBuffer;
  sourceRows: number;
}

export async function linearBackwardWeightKernel(
  context: GpuContext,
  shape: LinearShape,
): Promise<Kernel> {
  assertLinearShape(DEFINITION.name, shape);
  const blocks = shape.blocks ?? context.matmulBlocks;
  const tile = shape.tile ??
    context.matmulTile(shape.outFeatures, shape.inFeatures + 1);
  return await context.kernel(blocks ? BLOCK_DEFINITION : DEFINITION, {
    ...(blocks ? {} : tileConstants(tile, false, false)),
    ...layerInputConstants(shape.source, shape.inFeatures),
    OUT_FEATURES: shape.outFeatures,
    WEIGHT_OFFSET: shape.weightOffset,
    BIAS_OFFSET: shape.biasOffset,
  });
}

export function linearBackwardWeightDispatch(
  context: GpuContext,
  kernel: Kernel,
  shape: LinearShape,
  buffers: LinearBackwardWeightBuffers,
): Dispatch {
  const name = DEFINITION.name;
  const { inFeatures, outFeatures, maxRows } = shape;
  const sourceRows = shape.source.kind === "activations" ? maxRows : buffers.sourceRows;
  assertCapacity(name, "gradOutput", buffers.gradOutput, maxRows * outFeatures);
  assertCapacity(name, "source", buffers.source, sourceWords(shape.source, sourceRows, inFeatures));
  assertCapacity(name, "grads", buffers.grads, shape.weightOffset + outFeatures * inFeatures);
  assertCapacity(name, "grads", buffers.grads, shape.biasOffset + outFeatures);
  const grid = isBlockKernel(kernel)
    ? blockGrid(outFeatures, inFeatures + 1)
    : tileGrid(tileOf(kernel), outFeatures, inFeatures + 1);
  return {
    kernel,
    bindGroup: bindKernel(context.device, kernel, [
      buffers.gradOutput,
      buffers.source,
      buffers.order,
      buffers.grads,
    ]),
    maxRows,
    // The output is [out × (in + 1)] whatever the batch: rows only lengthen each reduction.
    workgroups: () => grid,
  };
}
