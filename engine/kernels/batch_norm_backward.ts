/**
 * Host of `shaders/batch_norm_backward.wgsl`: BatchNorm1d's training backward, writing dγ, dβ
 * into the flat gradients and dZ for the linear layer below.
 *
 * @module
 */

import type { GpuContext } from "../webgpu/gpu_context.ts";
import { ROW_LANES, UNIT_LANES } from "./batch_norm_forward.ts";
import type { BatchNormShape } from "./batch_norm_forward.ts";
import {
  assertCapacity,
  assertInteger,
  bindKernel,
  type Dispatch,
  type Kernel,
  type KernelDefinition,
} from "./kernel.ts";

const DEFINITION: KernelDefinition = {
  name: "batch_norm_backward",
  libraries: ["step_params"],
  entryPoint: "main",
  bindings: ["read", "read", "read", "read", "read_write", "read_write"],
  usesStep: true,
};

export interface BatchNormBackwardBuffers {
  /** dY [rows × units], the gradient at the batch norm's output. */
  gradOutput: GPUBuffer;
  /** Z [rows × units], the saved input. */
  preNorm: GPUBuffer;
  /** The forward pass's batch mean and 1/√(σ² + ε). */
  batchStats: GPUBuffer;
  params: GPUBuffer;
  grads: GPUBuffer;
  /** dZ [rows × units], written. */
  gradInput: GPUBuffer;
}

export async function batchNormBackwardKernel(
  context: GpuContext,
  shape: BatchNormShape,
): Promise<Kernel> {
  assertInteger("batch_norm_backward units", shape.units, 1);
  return await context.kernel(DEFINITION, {
    UNITS: shape.units,
    GAMMA_OFFSET: shape.gammaOffset,
    BETA_OFFSET: shape.betaOffset,
    UNIT_LANES,
    ROW_LANES,
  });
}

export function batchNormBackwardDispatch(
  context: GpuContext,
  kernel: Kernel,
  shape: BatchNormShape,
  buffers: BatchNormBackwardBuffers,
): Dispatch {
  const name = DEFINITION.name;
  const { units, maxRows } = shape;
  const paramWords = Math.max(shape.gammaOffset, shape.betaOffset) + units;
  assertCapacity(name, "gradOutput", buffers.gradOutput, maxRows * units);
  assertCapacity(name, "preNorm", buffers.preNorm, maxRows * units);
  assertCapacity(name, "batchStats", buffers.batchStats, 2 * units);
  assertCapacity(name, "params", buffers.params, paramWords);
  assertCapacity(name, "grads", buffers.grads, paramWords);
  assertCapacity(name, "gradInput", buffers.gradInput, maxRows * units);
  const grid: [number, number, number] = [Math.ceil(units / UNIT_LANES), 1, 1];
  return {
    kernel,
    bindGroup: bindKernel(context.device, kernel, [
      buffers.gradOutput,
      buffers.preNorm,
      buffers.batchStats,
      buffers.params,
      buffers.grads,
      buffers.gradInput,
    ]),
    maxRows,
    workgroups: () => grid,
  };
}
