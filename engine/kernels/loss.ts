/**
 * Host of `shaders/loss.wgsl` (with the `loss_functions` library): a training step's per-row
 * loss, accuracy and ∂loss/∂logits, accumulated into per-row metric slots that
 * `metrics_reduce` folds once per epoch.
 *
 * @module
 */

import type { LossName } from "../spec.ts";
import type { GpuContext } from "../webgpu/gpu_context.ts";
import { EPOCH_STATUS_BYTES } from "./metrics_reduce.ts";
import {
  assertCapacity,
  assertInteger,
  bindKernel,
  type Dispatch,
  type Kernel,
  type KernelDefinition,
} from "./kernel.ts";

const DEFINITION: KernelDefinition = {
  name: "loss",
  libraries: ["step_params", "loss_functions", "epoch_status"],
  entryPoint: "main",
  bindings: ["read", "read", "read", "read_write", "read_write", "read_write"],
  usesStep: true,
};

/** Must match the LOSS_* constants of shaders/loss_functions.wgsl. */
const LOSS_CODES: Readonly<Record<LossName, number>> = {
  cross_entropy: 0,
  bce_with_logits: 1,
  bce: 2,
  mse: 3,
};

const WORKGROUP_SIZE = 64;

/** Bytes of one RowMetrics slot: loss sum and correct count. */
export const ROW_METRICS_BYTES = 8;

export interface LossShape {
  loss: LossName;
  classes: number;
  /** Output units: `classes`, or 1 for a binary loss on two classes. */
  outputs: number;
  maxRows: number;
}

export interface LossBuffers {
  logits: GPUBuffer;
  /** u32 label per dataset row. */
  labels: GPUBuffer;
  order: GPUBuffer;
  rowMetrics: GPUBuffer;
  /** Rows `labels` holds. */
  labelRows: number;
}

/** Override constants shared with `loss_evaluate`. */
export function lossConstants(shape: LossShape): Record<string, number> {
  assertInteger("loss classes", shape.classes, 2);
  assertInteger("loss outputs", shape.outputs, 1);
  assertInteger("loss maxRows", shape.maxRows, 1);
  return {
    LOSS: LOSS_CODES[shape.loss],
    CLASSES: shape.classes,
    OUTPUTS: shape.outputs,
    WORKGROUP_SIZE,
  };
}

/** Checks the buffers both loss kernels read; returns the grid for a step of `rows`. */
export function assertLossBuffers(name: string, shape: LossShape, buffers: LossBuffers) {
  const { maxRows, outputs } = shape;
  assertCapacity(name, "logits", buffers.logits, maxRows * outputs);
  assertCapacity(name, "labels", buffers.labels, buffers.labelRows);
  assertCapacity(name, "rowMetrics", buffers.rowMetrics, (maxRows * ROW_METRICS_BYTES) / 4);
  return (rows: number): [number, number, number] => [Math.ceil(rows / WORKGROUP_SIZE), 1, 1];
}

export async function lossKernel(context: GpuContext, shape: LossShape): Promise<Kernel> {
  return await context.kernel(DEFINITION, lossConstants(shape));
}

/**
 * Binds the training loss: `gradLogits` [rows × outputs] receives ∂loss/∂logits and `totals`
 * (the epoch status) the first non-finite step.
 */
export function lossDispatch(
  context: GpuContext,
  kernel: Kernel,
  shape: LossShape,
  buffers: LossBuffers & { gradLogits: GPUBuffer; totals: GPUBuffer },
): Dispatch {
  const workgroups = assertLossBuffers(DEFINITION.name, shape, buffers);
  assertCapacity(DEFINITION.name, "gradLogits", buffers.gradLogits, shape.maxRows * shape.outputs);
  assertCapacity(DEFINITION.name, "totals", buffers.totals, EPOCH_STATUS_BYTES / 4);
  return {
    kernel,
    bindGroup: bindKernel(context.device, kernel, [
      buffers.logits,
      buffers.labels,
      buffers.order,
      buffers.rowMetrics,
      buffers.gradLogits,
      buffers.totals,
    ]),
    maxRows: shape.maxRows,
    workgroups,
  };
}
