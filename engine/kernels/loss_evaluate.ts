/**
 * Host of `shaders/loss_evaluate.wgsl`: an evaluation chunk's per-row loss and accuracy, and the
 * confusion matrix.
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
import { assertLossBuffers, type LossBuffers, lossConstants, type LossShape } from "./loss.ts";

const DEFINITION: KernelDefinition = {
  name: "loss_evaluate",
  libraries: ["step_params", "loss_functions"],
  entryPoint: "main",
  bindings: ["read", "read", "read", "read_write", "read_write"],
  usesStep: true,
};

export async function lossEvaluateKernel(context: GpuContext, shape: LossShape): Promise<Kernel> {
  return await context.kernel(DEFINITION, lossConstants(shape));
}

/** Binds the evaluation loss; `confusion` [classes × classes] u32 counts are incremented. */
export function lossEvaluateDispatch(
  context: GpuContext,
  kernel: Kernel,
  shape: LossShape,
  buffers: LossBuffers & { confusion: GPUBuffer },
): Dispatch {
  const workgroups = assertLossBuffers(DEFINITION.name, shape, buffers);
  assertCapacity(DEFINITION.name, "confusion", buffers.confusion, shape.classes * shape.classes);
  return {
    kernel,
    bindGroup: bindKernel(context.device, kernel, [
      buffers.logits,
      buffers.labels,
      buffers.order,
      buffers.rowMetrics,
      buffers.confusion,
    ]),
    maxRows: shape.maxRows,
    workgroups,
  };
}
