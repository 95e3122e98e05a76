/**
 * Host of `shaders/batch_norm_forward.wgsl`: BatchNorm1d (batch statistics and running-statistic
 * updates in training, running statistics in evaluation) fused with the layer's activation and
 * dropout.
 *
 * @module
 */

import type { GpuContext } from "../webgpu/gpu_context.ts";
import { epilogueConstants, type HiddenEpilogue } from "./activation.ts";
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
  name: "batch_norm_forward",
  libraries: ["step_params", "activation", "dropout_rng", "hidden_epilogue", "epoch_status"],
  entryPoint: "main",
  bindings: ["read", "read", "read_write", "read_write", "read_write", "read_write", "read"],
  usesStep: true,
};

/** Units per workgroup, and threads per unit that stride over the batch's rows. */
export const UNIT_LANES = 16;
export const ROW_LANES = 16;

export interface BatchNormShape {
  units: number;
  maxRows: number;
  /** Offsets of γ and β in the flat parameters. */
  gammaOffset: number;
  betaOffset: number;
  /** Offsets of running mean, running variance and the batch counter in the buffers array. */
  runningMeanOffset: number;
  runningVarOffset: number;
  batchesTrackedOffset: number;
  momentum: number;
  eps: number;
  epilogue: HiddenEpilogue;
}

export interface BatchNormForwardBuffers {
  /** Z [rows × units], the linear layer's output. */
  preNorm: GPUBuffer;
  params: GPUBuffer;
  /** Running statistics (updated in training). */
  running: GPUBuffer;
  /** [2 × units]: batch mean, then 1/√(σ² + ε), for the backward pass. */
  batchStats: GPUBuffer;
  /** y [rows × units], the normalised output. */
  normalized: GPUBuffer;
  /** A [rows × units], after activation and dropout. */
  activation: GPUBuffer;
  /** The epoch status: running statistics stop after a non-finite loss. */
  status: GPUBuffer;
}

export async function batchNormForwardKernel(
  context: GpuContext,
  shape: BatchNormShape,
  training: boolean,
): Promise<Kernel> {
  assertInteger("batch_norm_forward units", shape.units, 1);
  assertInteger("batch_norm_forward maxRows", shape.maxRows, 1);
  return await context.kernel(DEFINITION, {
    ...epilogueConstants(shape.epilogue, training),
    UNITS: shape.units,
    GAMMA_OFFSET: shape.gammaOffset,
    BETA_OFFSET: shape.betaOffset,
    RUNNING_MEAN_OFFSET: shape.runningMeanOffset,
    RUNNING_VAR_OFFSET: shape.runningVarOffset,
    BATCHES_TRACKED_OFFSET: shape.batchesTrackedOffset,
    MOMENTUM: Math.fround(shape.momentum),
    EPS: Math.fround(shape.eps),
    TRAINING: training ? 1 : 0,
    UNIT_LANES,
    ROW_LANES,
  });
}

export function batchNormForwardDispatch(
  context: GpuContext,
  kernel: Kernel,
  shape: BatchNormShape,
  buffers: BatchNormForwardBuffers,
): Dispatch {
  const name = DEFINITION.name;
  const { units, maxRows } = shape;
  assertCapacity(name, "preNorm", buffers.preNorm, maxRows * units);
  assertCapacity(
    name,
    "params",
    buffers.params,
    Math.max(shape.gammaOffset, shape.betaOffset) + units,
  );
  assertCapacity(name, "running", buffers.running, shape.batchesTrackedOffset + 1);
  assertCapacity(name, "batchStats", buffers.batchStats, 2 * units);
  assertCapacity(name, "normalized", buffers.normalized, maxRows * units);
  assertCapacity(name, "activation", buffers.activation, maxRows * units);
  assertCapacity(name, "status", buffers.status, EPOCH_STATUS_BYTES / 4);
  const grid: [number, number, number] = [Math.ceil(units / UNIT_LANES), 1, 1];
  return {
    kernel,
    bindGroup: bindKernel(context.device, kernel, [
      buffers.preNorm,
      buffers.params,
      buffers.running,
      buffers.batchStats,
      buffers.normalized,
      buffers.activation,
      buffers.status,
    ]),
    maxRows,
    workgroups: () => grid,
  };
}
