/**
 * Host of `shaders/metrics_reduce.wgsl`: folds the per-row metric slots into the loss sum and
 * correct count of the epoch status record (shaders/epoch_status.wgsl), once per epoch or
 * evaluation.
 *
 * @module
 */

import type { GpuContext } from "../webgpu/gpu_context.ts";
import {
  assertCapacity,
  assertInteger,
  bindKernel,
  type Dispatch,
  type Kernel,
  type KernelDefinition,
} from "./kernel.ts";
import { ROW_METRICS_BYTES } from "./loss.ts";

const DEFINITION: KernelDefinition = {
  name: "metrics_reduce",
  libraries: ["epoch_status"],
  entryPoint: "main",
  bindings: ["read", "read_write"],
  usesStep: false,
};

/** Bytes of shaders/epoch_status.wgsl's record: loss sum, correct count, first non-finite step. */
export const EPOCH_STATUS_BYTES = 12;
/** `first_non_finite` while every loss was finite. */
export const NO_STEP = 0xffffffff;

export interface MetricTotals {
  /** Σ of per-row losses. */
  loss: number;
  correct: number;
  /** First step (within the epoch) whose loss was not finite, if any. */
  firstNonFinite?: number;
}

export async function metricsReduceKernel(context: GpuContext, slots: number): Promise<Kernel> {
  assertInteger("metrics_reduce slots", slots, 1);
  return await context.kernel(DEFINITION, { SLOTS: slots });
}

export function metricsReduceDispatch(
  context: GpuContext,
  kernel: Kernel,
  rowMetrics: GPUBuffer,
  totals: GPUBuffer,
): Dispatch {
  const slots = kernel.constants.SLOTS;
  assertCapacity("metrics_reduce", "rowMetrics", rowMetrics, (slots * ROW_METRICS_BYTES) / 4);
  assertCapacity("metrics_reduce", "totals", totals, EPOCH_STATUS_BYTES / 4);
  return {
    kernel,
    bindGroup: bindKernel(context.device, kernel, [rowMetrics, totals]),
    maxRows: Infinity,
    workgroups: () => [1, 1, 1],
  };
}

/** The epoch status at the start of an epoch: no sums, no non-finite step. */
export function freshEpochStatus(): Uint32Array {
  return new Uint32Array([0, 0, NO_STEP]);
}

/** Decodes an epoch status record read back from the GPU. */
export function decodeTotals(bytes: ArrayBuffer, byteOffset = 0): MetricTotals {
  const view = new DataView(bytes, byteOffset, EPOCH_STATUS_BYTES);
  const first = view.getUint32(8, true);
  return {
    loss: view.getFloat32(0, true),
    correct: view.getUint32(4, true),
    ...(first === NO_STEP ? {} : { firstNonFinite: first }),
  };
}
