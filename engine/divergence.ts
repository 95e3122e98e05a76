/**
 * When a run has blown up though its loss is still a number: the host decides from each epoch's
 * train loss, which it reads back anyway, so the GPU waits for nothing more.
 *
 * @module
 */

import type { LossName } from "./spec.ts";

/** How far past its start a loss may grow before the run is called diverged. */
export const GROWTH_FACTOR = 1e4;
/** Below this no loss is called diverged, however small its start. */
export const ABSOLUTE_FLOOR = 1e3;

/**
 * The loss of a model that outputs zeros, what an untrained one scores: ln C for cross entropy
 * (a uniform softmax), ln 2 for either BCE (a probability of 1/2), and for MSE against one-hot
 * targets 1/C (1 with a single 0/1 output, which bounds its share of positives).
 */
export function zeroOutputLoss(loss: LossName, units: number): number {
  if (loss === "cross_entropy") return Math.log(units);
  if (loss === "mse") return 1 / units;
  return Math.log(2);
}

/**
 * The start a run's loss is measured against: the smaller of a zero output's loss and the first
 * epoch's. Not the first epoch's alone: a learning rate that blows the weights up does it within
 * the first steps, so the first epoch's mean is already huge (Adam at lr 1000 on the synthetic
 * set: 3.7e6 in epoch 1, falling from there) and nothing later is 10 000 times it.
 */
export function startingLoss(firstEpochLoss: number, zeroOutput: number): number {
  return Math.min(firstEpochLoss, zeroOutput);
}

/**
 * Why an epoch's train loss means the run diverged, or undefined while it has not: a loss that
 * is NaN or infinite, or one over 10 000 times its start and over 1000. The factor is far past
 * anything training that works does (a loss that fell then rose again 10× is still training);
 * the floor keeps a run that fitted its data to a loss of 1e-6 from being called diverged
 * when it drifts back up to 0.05.
 */
export function divergenceReason(
  epoch: number,
  trainLoss: number,
  start: number,
): string | undefined {
  if (!Number.isFinite(trainLoss)) {
    return `Train loss became ${trainLoss} at epoch ${epoch}`;
  }
  if (trainLoss > ABSOLUTE_FLOOR && trainLoss > GROWTH_FACTOR * start) {
    return `Train loss ${loss(trainLoss)} at epoch ${epoch} grew past 10000× its start ` +
      `(${loss(start)})`;
  }
  return undefined;
}

/** 3726000 → "3.726e+6", 0.6931471 → "0.6931": four significant places, as the pages show them. */
function loss(value: number): string {
  return Math.abs(value) >= 1000 ? value.toExponential(3) : value.toPrecision(4);
}
