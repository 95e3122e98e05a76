/**
 * Host of `shaders/grad_norm.wgsl`: the first pass of clipping by norm
 * (torch.nn.utils.clip_grad_norm_), one partial Σ |gᵢ|^p (or max |gᵢ|) per workgroup over the
 * flat gradients with the L1/L2 penalty's gradient added; `grad_scale.ts` folds them.
 *
 * @module
 */

import type { ClipByNorm, Regularization } from "../spec.ts";
import type { GpuContext } from "../webgpu/gpu_context.ts";
import {
  assertCapacity,
  assertInteger,
  bindKernel,
  type Dispatch,
  type Kernel,
  type KernelDefinition,
} from "./kernel.ts";
import { penaltyConstants } from "./optimizer_kernel.ts";

const DEFINITION: KernelDefinition = {
  name: "grad_norm",
  libraries: ["penalty", "grad_norm_terms"],
  entryPoint: "main",
  bindings: ["read", "read", "read_write"],
  usesStep: false,
};

export const GRAD_CLIP_WORKGROUP_SIZE = 256;

/** Workgroups (and partials) of the first pass: one per 256 gradients, at most 256. */
export function normPartials(params: number): number {
  return Math.min(Math.ceil(params / GRAD_CLIP_WORKGROUP_SIZE), GRAD_CLIP_WORKGROUP_SIZE);
}

/** The overrides of `shaders/grad_norm_terms.wgsl` for a norm type. */
export function normTypeConstants(normType: ClipByNorm["normType"]): Record<string, number> {
  return normType === "inf" ? { NORM_INF: 1 } : { NORM_TYPE: Math.fround(normType) };
}

export async function gradNormKernel(
  context: GpuContext,
  clipping: ClipByNorm,
  regularization: Regularization,
  params: number,
): Promise<Kernel> {
  assertInteger("grad_norm params", params, 1);
  return await context.kernel(DEFINITION, {
    ...penaltyConstants(regularization),
    ...normTypeConstants(clipping.normType),
    PARAMS: params,
    PARTIALS: normPartials(params),
    WORKGROUP_SIZE: GRAD_CLIP_WORKGROUP_SIZE,
  });
}

export function gradNormDispatch(
  context: GpuContext,
  kernel: Kernel,
  buffers: { params: GPUBuffer; grads: GPUBuffer; partials: GPUBuffer },
): Dispatch {
  const { PARAMS: params, PARTIALS: partials } = kernel.constants;
  assertCapacity("grad_norm", "params", buffers.params, params);
  assertCapacity("grad_norm", "grads", buffers.grads, params);
  assertCapacity("grad_norm", "partials", buffers.partials, partials);
  return {
    kernel,
    bindGroup: bindKernel(context.device, kernel, [
      buffers.params,
      buffers.grads,
      buffers.partials,
    ]),
    maxRows: Infinity,
    workgroups: () => [partials, 1, 1],
  };
}
