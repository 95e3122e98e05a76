/**
 * Host of `shaders/grad_scale.wgsl`: the second pass of clipping by norm
 * (torch.nn.utils.clip_grad_norm_), which folds `grad_norm.ts`'s partials into the global norm
 * and scales every gradient (penalty included) by min(1, maxNorm / (‖g‖ + 1e-6)) on the device.
 *
 * @module
 */

import type { ClipByNorm, Regularization } from "../spec.ts";
import type { GpuContext } from "../webgpu/gpu_context.ts";
import { GRAD_CLIP_WORKGROUP_SIZE, normPartials, normTypeConstants } from "./grad_norm.ts";
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
  name: "grad_scale",
  libraries: ["penalty", "grad_norm_terms"],
  entryPoint: "main",
  bindings: ["read", "read_write", "read"],
  usesStep: false,
};

export async function gradScaleKernel(
  context: GpuContext,
  clipping: ClipByNorm,
  regularization: Regularization,
  params: number,
): Promise<Kernel> {
  assertInteger("grad_scale params", params, 1);
  if (!(clipping.maxNorm > 0)) {
    throw new RangeError(`Max norm must be greater than 0, got ${clipping.maxNorm}`);
  }
  return await context.kernel(DEFINITION, {
    ...penaltyConstants(regularization),
    ...normTypeConstants(clipping.normType),
    PARAMS: params,
    PARTIALS: normPartials(params),
    MAX_NORM: Math.fround(clipping.maxNorm),
    WORKGROUP_SIZE: GRAD_CLIP_WORKGROUP_SIZE,
  });
}

export function gradScaleDispatch(
  context: GpuContext,
  kernel: Kernel,
  buffers: { params: GPUBuffer; grads: GPUBuffer; partials: GPUBuffer },
): Dispatch {
  const { PARAMS: params, PARTIALS: partials } = kernel.constants;
  assertCapacity("grad_scale", "params", buffers.params, params);
  assertCapacity("grad_scale", "grads", buffers.grads, params);
  assertCapacity("grad_scale", "partials", buffers.partials, partials);
  const groups = Math.min(
    Math.ceil(params / GRAD_CLIP_WORKGROUP_SIZE),
    context.limits.maxComputeWorkgroupsPerDimension,
  );
  return {
    kernel,
    bindGroup: bindKernel(context.device, kernel, [
      buffers.params,
      buffers.grads,
      buffers.partials,
    ]),
    maxRows: Infinity,
    workgroups: () => [groups, 1, 1],
  };
}
