/**
 * Gradient clipping on the GPU, between the backward pass and the optimizer dispatch of a step
 * (the CPU twin is `engine/cpu/grad_clip.ts`): by norm, `grad_norm` then `grad_scale`, the
 * coefficient computed and applied on the device within the step's command buffer; by value,
 * `grad_clamp`. Both add the L1/L2 penalty's gradient before clipping (the penalty is part of
 * the loss), so the optimizer kernel of a clipped session is built without the penalty.
 *
 * @module
 */

import type { GradientClipping, Regularization } from "../spec.ts";
import type { GpuContext } from "../webgpu/gpu_context.ts";
import { gradClampDispatch, gradClampKernel } from "./grad_clamp.ts";
import { gradNormDispatch, gradNormKernel, normPartials } from "./grad_norm.ts";
import { gradScaleDispatch, gradScaleKernel } from "./grad_scale.ts";
import type { Dispatch, Kernel } from "./kernel.ts";

export type GradClipKernels =
  | { type: "norm"; norm: Kernel; scale: Kernel; partialWords: number }
  | { type: "value"; clamp: Kernel; partialWords: 0 };

/** What the optimizer kernel adds itself: nothing once clipping has added the penalty. */
export const NO_PENALTY: Regularization = { l1: 0, l2: 0 };

export async function gradClipKernels(
  context: GpuContext,
  clipping: GradientClipping,
  regularization: Regularization,
  params: number,
): Promise<GradClipKernels> {
  if (clipping.type === "value") {
    const clamp = await gradClampKernel(context, clipping, regularization, params);
    return { type: "value", clamp, partialWords: 0 };
  }
  const [norm, scale] = await Promise.all([
    gradNormKernel(context, clipping, regularization, params),
    gradScaleKernel(context, clipping, regularization, params),
  ]);
  return { type: "norm", norm, scale, partialWords: normPartials(params) };
}

/**
 * The clipping dispatches of a step; `partials` is scratch of at least `partialWords` words that
 * nothing else uses between the two passes.
 */
export function gradClipDispatches(
  context: GpuContext,
  kernels: GradClipKernels,
  buffers: { params: GPUBuffer; grads: GPUBuffer; partials: GPUBuffer },
): Dispatch[] {
  if (kernels.type === "value") return [gradClampDispatch(context, kernels.clamp, buffers)];
  return [
    gradNormDispatch(context, kernels.norm, buffers),
    gradScaleDispatch(context, kernels.scale, buffers),
  ];
}
