/**
 * Per-step scalars (`shaders/step_params.wgsl`), one uniform slot per step at a stride the
 * device's dynamic-offset alignment allows. A whole epoch's slots are written before its command
 * buffers are submitted (queue.writeBuffer lands before later submissions run), so kernels
 * index them by dynamic offset and no step waits for the host.
 *
 * @module
 */

import { adamScalars } from "../cpu/optim/adam.ts";
import { type StepHyper, withHyper } from "../schedule/lr_scheduler.ts";
import type { OptimizerSpec } from "../spec.ts";

/** Bytes of one StepParams record: 13 four-byte fields (gpu_context.ts rounds the stride up). */
export const STEP_PARAMS_BYTES = 52;

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
  /** The step's learning rate (a scheduler's, else the optimizer's). */
  lr: number;
  /** SGD's or RMSprop's momentum, or Adam's β1 (OneCycleLR may cycle it). */
  momentum: number;
  /** Adam: 1 − β1, rounded once from f64. */
  oneMinusBeta1: number;
  /** AdamW: 1 − lr·λ, rounded once from f64; 1 otherwise. */
  decoupledDecay: number;
  /** 1 on the first step that uses momentum: SGD's buffer starts as a copy of the gradient. */
  momentumFresh: number;
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
    view.setFloat32(at + 32, step.lr, true);
    view.setFloat32(at + 36, step.momentum, true);
    view.setFloat32(at + 40, step.oneMinusBeta1, true);
    view.setFloat32(at + 44, step.decoupledDecay, true);
    view.setUint32(at + 48, step.momentumFresh, true);
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
  /** Each step's scheduled lr and momentum; the optimizer's own where absent. */
  hypers?: readonly StepHyper[];
  /** Whether a step before this epoch used momentum (SGD's buffer exists). */
  momentumUsed?: boolean;
}

/** The slots of one training epoch: batch i covers order[i·batchSize, min((i+1)·batchSize, count)). */
export function epochSteps(schedule: EpochSchedule): StepParams[] {
  const { count, batchSize, steps, epoch, seed, optimizerStepsBefore } = schedule;
  const result: StepParams[] = [];
  let momentumUsed = schedule.momentumUsed ?? false;
  for (let i = 0; i < steps; i++) {
    const first = i * batchSize;
    const t = optimizerStepsBefore + i + 1;
    const optimizer = withHyper(schedule.optimizer, schedule.hypers?.[i]);
    const adam = optimizer.type === "adam" || optimizer.type === "adamw"
      ? adamScalars(optimizer, t)
      : { stepSize: 0, biasCorrection2Sqrt: 1 };
    const isAdam = optimizer.type === "adam" || optimizer.type === "adamw";
    const momentum = "betas" in optimizer ? optimizer.betas[0] : optimizer.momentum;
    const fresh = !momentumUsed && momentum !== 0;
    if (momentum !== 0) momentumUsed = true;
    result.push({
      rows: Math.min(batchSize, count - first),
      first,
      globalStep: epoch * steps + i,
      stepInEpoch: i,
      dropoutSeed: seed,
      optimizerStep: t,
      adamStepSize: adam.stepSize,
      adamBiasCorrection2Sqrt: adam.biasCorrection2Sqrt,
      lr: optimizer.lr,
      momentum,
      oneMinusBeta1: isAdam ? 1 - momentum : 0,
      decoupledDecay: optimizer.type === "adamw" ? 1 - optimizer.lr * optimizer.weightDecay : 1,
      momentumFresh: fresh ? 1 : 0,
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
      lr: 0,
      momentum: 0,
      oneMinusBeta1: 0,
      decoupledDecay: 1,
      momentumFresh: 0,
    });
  }
  return result;
}
