/**
 * What the three optimizer kernels (`sgd`, `rmsprop`, `adam`) share: one dispatch over the flat
 * parameter buffer with the gradient, the optimizer state and the explicit L1/L2 penalty
 * (`shaders/penalty.wgsl`) folded in.
 *
 * @module
 */

import type { Regularization } from "../spec.ts";
import type { GpuContext } from "../webgpu/gpu_context.ts";
import { assertCapacity, bindKernel, type Dispatch, type Kernel } from "./kernel.ts";
import { EPOCH_STATUS_BYTES } from "./metrics_reduce.ts";

export const OPTIMIZER_WORKGROUP_SIZE = 256;

/** A compiled optimizer and the layout of its state buffer. */
export interface OptimizerKernel {
  kernel: Kernel;
  /** Names (torch's state keys) of the state sections, each `params` floats, in buffer order. */
  stateNames: readonly string[];
  params: number;
}

export function penaltyConstants(regularization: Regularization): Record<string, number> {
  return { L1: Math.fround(regularization.l1), L2: Math.fround(regularization.l2) };
}

/**
 * Binds an optimizer to the flat parameters, gradients, its state and the epoch status (whose
 * non-finite step stops the updates).
 */
export function optimizerDispatch(
  context: GpuContext,
  optimizer: OptimizerKernel,
  buffers: { params: GPUBuffer; grads: GPUBuffer; state: GPUBuffer; status: GPUBuffer },
): Dispatch {
  const { kernel, params, stateNames } = optimizer;
  const name = kernel.definition.name;
  assertCapacity(name, "params", buffers.params, params);
  assertCapacity(name, "grads", buffers.grads, params);
  assertCapacity(name, "state", buffers.state, stateNames.length * params);
  assertCapacity(name, "status", buffers.status, EPOCH_STATUS_BYTES / 4);
  const groups = Math.min(
    Math.ceil(params / OPTIMIZER_WORKGROUP_SIZE),
    context.limits.maxComputeWorkgroupsPerDimension,
  );
  return {
    kernel,
    bindGroup: bindKernel(context.device, kernel, [
      buffers.params,
      buffers.grads,
      buffers.state,
      buffers.status,
    ]),
    maxRows: Infinity,
    workgroups: () => [groups, 1, 1],
  };
}
