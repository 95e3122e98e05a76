/**
 * Host of `shaders/sgd.wgsl`: torch.optim.SGD with momentum, dampening, Nesterov and weight
 * decay over the flat parameters, the L1/L2 penalty folded in.
 *
 * @module
 */

import type { Regularization, SgdSpec } from "../spec.ts";
import type { GpuContext } from "../webgpu/gpu_context.ts";
import { assertInteger, type KernelDefinition } from "./kernel.ts";
import {
  OPTIMIZER_WORKGROUP_SIZE,
  type OptimizerKernel,
  penaltyConstants,
} from "./optimizer_kernel.ts";

const DEFINITION: KernelDefinition = {
  name: "sgd",
  libraries: ["step_params", "penalty", "epoch_status"],
  entryPoint: "main",
  bindings: ["read_write", "read", "read_write", "read"],
  usesStep: true,
};

export async function sgdKernel(
  context: GpuContext,
  spec: SgdSpec,
  regularization: Regularization,
  params: number,
): Promise<OptimizerKernel> {
  assertInteger("sgd params", params, 1);
  if (spec.nesterov && (spec.momentum <= 0 || spec.dampening !== 0)) {
    throw new RangeError(
      `Nesterov momentum requires a momentum and zero dampening, got momentum ${spec.momentum} ` +
        `and dampening ${spec.dampening}`,
    );
  }
  const kernel = await context.kernel(DEFINITION, {
    ...penaltyConstants(regularization),
    PARAMS: params,
    USES_MOMENTUM: spec.momentum !== 0 ? 1 : 0,
    ONE_MINUS_DAMPENING: Math.fround(1 - spec.dampening),
    WEIGHT_DECAY: Math.fround(spec.weightDecay),
    NESTEROV: spec.nesterov ? 1 : 0,
    WORKGROUP_SIZE: OPTIMIZER_WORKGROUP_SIZE,
  });
  return { kernel, params, stateNames: spec.momentum !== 0 ? ["momentum_buffer"] : [] };
}
