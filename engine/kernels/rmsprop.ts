/**
 * Host of `shaders/rmsprop.wgsl`: torch.optim.RMSprop (centered, momentum, weight decay) over
 * the flat parameters, the L1/L2 penalty folded in.
 *
 * @module
 */

import type { Regularization, RmspropSpec } from "../spec.ts";
import type { GpuContext } from "../webgpu/gpu_context.ts";
import { assertInteger, type KernelDefinition } from "./kernel.ts";
import {
  OPTIMIZER_WORKGROUP_SIZE,
  type OptimizerKernel,
  penaltyConstants,
} from "./optimizer_kernel.ts";

const DEFINITION: KernelDefinition = {
  name: "rmsprop",
  libraries: ["step_params", "penalty", "epoch_status"],
  entryPoint: "main",
  bindings: ["read_write", "read", "read_write", "read"],
  usesStep: true,
};

export async function rmspropKernel(
  context: GpuContext,
  spec: RmspropSpec,
  regularization: Regularization,
  params: number,
): Promise<OptimizerKernel> {
  assertInteger("rmsprop params", params, 1);
  const stateNames = ["square_avg"];
  if (spec.centered) stateNames.push("grad_avg");
  if (spec.momentum > 0) stateNames.push("momentum_buffer");
  const kernel = await context.kernel(DEFINITION, {
    ...penaltyConstants(regularization),
    PARAMS: params,
    ALPHA: Math.fround(spec.alpha),
    ONE_MINUS_ALPHA: Math.fround(1 - spec.alpha),
    EPS: Math.fround(spec.eps),
    WEIGHT_DECAY: Math.fround(spec.weightDecay),
    USES_MOMENTUM: spec.momentum > 0 ? 1 : 0,
    CENTERED: spec.centered ? 1 : 0,
    GRAD_AVG_OFFSET: sectionOffset(stateNames, "grad_avg", params),
    MOMENTUM_OFFSET: sectionOffset(stateNames, "momentum_buffer", params),
    WORKGROUP_SIZE: OPTIMIZER_WORKGROUP_SIZE,
  });
  return { kernel, params, stateNames };
}

/** Offset of state section `name` (0 when the options leave it out: the kernel never reads it). */
function sectionOffset(names: readonly string[], name: string, params: number): number {
  return Math.max(0, names.indexOf(name)) * params;
}
