/**
 * Per-step scalars (`shaders/step_params.wgsl`), one uniform slot per step at a stride the
 * device's dynamic-offset alignment allows. A whole epoch's slots are written before its command
 * buffers are submitted (queue.writeBuffer lands before later submissions run), so kernels
 * index them by dynamic offset and no step waits for the host.
 *
 * @module
 */

import { adamScalars } from "../cpu/optim/adam.ts";
import type { OptimizerSpec } from "../spec.ts";

/** Bytes of one StepParams record. */
export const STEP_PARAMS_BYTES = 32;

export interface StepParams {
  rows: number;
  /** Position of the batch's first row in the order buffer. */
  first: number;
  /** Dropout key: epoch · stepsPerEpoch + step. */
  globalStep: number;
  stepInEpoch: number;
  dropoutSeed: number;
  /** Optimizer steps including this one (torch's t, from 1). */
  optimizerStep: number;
  adamStepSize: number;
  adamBiasCorrection2Sqrt: number;
}

/** Packs `steps` into slots `stride` bytes apart. */
export function packSteps(steps: readonly StepParams[], stride: number): ArrayBuffer {
  const bytes = new ArrayBuffer(Math.max(1, steps.length) * stride);
  const view = new DataView(bytes);
  steps.forEach((step, i) => {
    const at = i * stride;
    view.setUint32(at, step.rows, true);
    view.setUint32(at + 4, step.first, true);
    view.setUint32(at + 8, step.globalStep >>> 0, true);
    view.setUint32(at + 12, step.stepInEpoch, true);
    view.setUint32(at + 16, step.dropoutSeed >>> 0, true);
    view.setUint32(at + 20, step.optimizerStep >>> 0, true);
    view.setFloat32(at + 24, step.adamStepSize, true);
    view.setFloat32(at + 28, step.adamBiasCorrection2Sqrt, true);
  });
  return bytes;
}

export interface EpochSchedule {
  count: number;
  batchSize: number;
  steps: number;
  epoch: number;
  seed: number;
  /** Optimizer steps completed before this epoch. */
  optimizerStepsBefore: number;
  optimizer: OptimizerSpec;
}

/** The slots of one training epoch: batch i covers order[i·batchSize, min((i+1)·batchSize, count)). */
export function epochSteps(schedule: EpochSchedule): StepParams[] {
  const { count, batchSize, steps, epoch, seed, optimizerStepsBefore, optimizer } = schedule;
  const result: StepParams[] = [];
  for (let i = 0; i < steps; i++) {
    const first = i * batchSize;
    const t = optimizerStepsBefore + i + 1;
    const adam = optimizer.type === "adam" || optimizer.type === "adamw"
      ? adamScalars(optimizer, t)
      : { stepSize: 0, biasCorrection2Sqrt: 1 };
    result.push({
      rows: Math.min(batchSize, count - first),
      first,
      globalStep: epoch * steps + i,
      stepInEpoch: i,
      dropoutSeed: seed,
      optimizerStep: t,
      adamStepSize: adam.stepSize,
      adamBiasCorrection2Sqrt: adam.biasCorrection2Sqrt,
    });
  }
  return result;
}

/** Evaluation slots: `count` rows in chunks of at most `chunk`, in order. */
export function chunkSteps(count: number, chunk: number): StepParams[] {
  const result: StepParams[] = [];
  for (let first = 0, i = 0; first < count; first += chunk, i++) {
    result.push({
      rows: Math.min(chunk, count - first),
      first,
      globalStep: 0,
      stepInEpoch: i,
      dropoutSeed: 0,
      optimizerStep: 0,
      adamStepSize: 0,
      adamBiasCorrection2Sqrt: 1,
    });
  }
  return result;
}
