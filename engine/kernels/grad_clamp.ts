/**
 * Host of `shaders/grad_clamp.wgsl`: clipping by value (torch.nn.utils.clip_grad_value_), every
 * gradient (penalty included) clamped to [−clipValue, clipValue].
 *
 * @module
 */

import type { ClipByValue, Regularization } from "../spec.ts";
import type { GpuContext } from "../webgpu/gpu_context.ts";
import { GRAD_CLIP_WORKGROUP_SIZE } from "./grad_norm.ts";
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
  name: "grad_clamp",
  libraries: ["penalty"],
  entryPoint: "main",
  bindings: ["read", "read_write"],
  usesStep: false,
};

export async function gradClampKernel(
  context: GpuContext,
  clipping: ClipByValue,
  regularization: Regularization,
  params: number,
): Promise<Kernel> {
  assertInteger("grad_clamp params", params, 1);
  if (!(clipping.clipValue > 0)) {
    throw new RangeError(`Clip value must be greater than 0, got ${clipping.clipValue}`);
  }
  return await context.kernel(DEFINITION, {
    ...penaltyConstants(regularization),
    PARAMS: params,
    CLIP_VALUE: Math.fround(clipping.clipValue),
    WORKGROUP_SIZE: GRAD_CLIP_WORKGROUP_SIZE,
  });
}

export function gradClampDispatch(
  context: GpuContext,
  kernel: Kernel,
  buffers: { params: GPUBuffer; grads: GPUBuffer },
): Dispatch {
  const params = kernel.constants.PARAMS;
  assertCapacity("grad_clamp", "params", buffers.params, params);
  assertCapacity("grad_clamp", "grads", buffers.grads, params);
  const groups = Math.min(
    Math.ceil(params / GRAD_CLIP_WORKGROUP_SIZE),
    context.limits.maxComputeWorkgroupsPerDimension,
  );
  return {
    kernel,
    bindGroup: bindKernel(context.device, kernel, [buffers.params, buffers.grads]),
    maxRows: Infinity,
    workgroups: () => [groups, 1, 1],
  };
}
