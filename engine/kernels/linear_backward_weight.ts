/**
 * Host of `shaders/linear_backward_weight.wgsl`: dW = dZᵀ·X and db = Σ dZ in one product (X with
 * a column of ones), re-gathering X from the dataset for the first layer.
 *
 * @module
 */

import type { GpuContext } from "../webgpu/gpu_context.ts";
import { assertCapacity, type Dispatch, type KernelDefinition } from "./kernel.ts";
import { layerInputConstants, sourceWords } from "./layer_input.ts";
import { assertLinearShape, type LinearShape } from "./linear_forward.ts";
import { blockGrid, isBlockKernel } from "./matmul_block.ts";
import { tileConstants, tileGrid, tileOf } from "./matmul_tile.ts";
import { compileMatmul, matmulDispatches, type MatmulKernels, unsplit } from "./split_k.ts";

/** Bindings: gradOutput, source, order, grads, partials (split-K). */
const DEFINITION: KernelDefinition = {
  name: "linear_backward_weight",
  libraries: ["step_params", "matmul_tile", "layer_input"],
  entryPoint: "main",
  bindings: ["read", "read", "read", "read_write", "read_write"],
  usesStep: true,
};

/** The same kernel on matmul_block, for CPU adapters (no partials). */
const BLOCK_DEFINITION: KernelDefinition = {
  ...DEFINITION,
  name: "linear_backward_weight_block",
  libraries: ["step_params", "matmul_block", "layer_input_quad"],
  bindings: DEFINITION.bindings.slice(0, 4),
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
  /** Split-K's scratch, when the kernel splits (MatmulKernels.partialWords). */
  partials?: GPUBuffer;
}

export async function linearBackwardWeightKernel(
  context: GpuContext,
  shape: LinearShape,
): Promise<MatmulKernels> {
  assertLinearShape(DEFINITION.name, shape);
  const blocks = shape.blocks ?? context.matmulBlocks;
  const constants = {
    ...layerInputConstants(shape.source, shape.inFeatures),
    OUT_FEATURES: shape.outFeatures,
    WEIGHT_OFFSET: shape.weightOffset,
    BIAS_OFFSET: shape.biasOffset,
  };
  if (blocks) return unsplit(await context.kernel(BLOCK_DEFINITION, constants));
  // The product is [out × (in + 1)] whatever the batch; the batch is its depth.
  const cols = shape.inFeatures + 1;
  const tile = shape.tile ?? context.matmulTile(shape.outFeatures, cols);
  const [x, y] = tileGrid(tile, shape.outFeatures, cols);
  const splits = shape.splitK ?? context.matmulSplit(x * y, shape.maxRows, tile.tileK);
  return await compileMatmul(
    context,
    DEFINITION,
    "reduce",
    { ...tileConstants(tile, false, false), ...constants },
    splits,
    { rows: shape.outFeatures, cols },
  );
}

export function linearBackwardWeightDispatch(
  context: GpuContext,
  kernels: MatmulKernels,
  shape: LinearShape,
  buffers: LinearBackwardWeightBuffers,
): Dispatch[] {
  const name = DEFINITION.name;
  const { inFeatures, outFeatures, maxRows } = shape;
  const sourceRows = shape.source.kind === "activations" ? maxRows : buffers.sourceRows;
  assertCapacity(name, "gradOutput", buffers.gradOutput, maxRows * outFeatures);
  assertCapacity(name, "source", buffers.source, sourceWords(shape.source, sourceRows, inFeatures));
  assertCapacity(name, "grads", buffers.grads, shape.weightOffset + outFeatures * inFeatures);
  assertCapacity(name, "grads", buffers.grads, shape.biasOffset + outFeatures);
  const grid = isBlockKernel(kernels.matmul)
    ? blockGrid(outFeatures, inFeatures + 1)
    : tileGrid(tileOf(kernels.matmul), outFeatures, inFeatures + 1);
  return matmulDispatches(
    context,
    kernels,
    [buffers.gradOutput, buffers.source, buffers.order, buffers.grads],
    {
      partials: buffers.partials,
      partialsAt: isBlockKernel(kernels.matmul) ? null : 4,
      maxRows,
      // The output is [out × (in + 1)] whatever the batch: rows only lengthen each reduction.
      grid: () => grid,
      elements: () => outFeatures * (inFeatures + 1),
    },
  );
}
