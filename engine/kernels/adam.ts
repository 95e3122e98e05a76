/**
 * Host of `shaders/adam.wgsl`: torch.optim.Adam and AdamW (amsgrad) over the flat parameters,
 * the L1/L2 penalty folded in. The bias corrections are per-step scalars (engine/webgpu/
 * step_params.ts), computed in f64 on the host as engine/cpu/optim/adam.ts's `adamScalars`.
 *
 * @module
 */

import type { AdamSpec, Regularization } from "../spec.ts";
import type { GpuContext } from "../webgpu/gpu_context.ts";
import { assertInteger, type KernelDefinition } from "./kernel.ts";
import {
  OPTIMIZER_WORKGROUP_SIZE,
  type OptimizerKernel,
  penaltyConstants,
} from "./optimizer_kernel.ts";

const DEFINITION: KernelDefinition = {
  name: "adam",
  libraries: ["step_params", "penalty", "epoch_status"],
  entryPoint: "main",
  bindings: ["read_write", "read", "read_write", "read"],
  usesStep: true,
};

export async function adamKernel(
  context: GpuContext,
  spec: AdamSpec,
  regularization: Regularization,
  params: number,
): Promise<OptimizerKernel> {
  assertInteger("adam params", params, 1);
  const beta2 = spec.betas[1];
  const decoupled = spec.type === "adamw";
  const kernel = await context.kernel(DEFINITION, {
    ...penaltyConstants(regularization),
    PARAMS: params,
    BETA2: Math.fround(beta2),
    ONE_MINUS_BETA2: Math.fround(1 - beta2),
    EPS: Math.fround(spec.eps),
    WEIGHT_DECAY: Math.fround(spec.weightDecay),
    DECOUPLED: decoupled ? 1 : 0,
    AMSGRAD: spec.amsgrad ? 1 : 0,
    WORKGROUP_SIZE: OPTIMIZER_WORKGROUP_SIZE,
  });
  const stateNames = ["exp_avg", "exp_avg_sq"];
  if (spec.amsgrad) stateNames.push("max_exp_avg_sq");
  return { kernel, params, stateNames };
}
