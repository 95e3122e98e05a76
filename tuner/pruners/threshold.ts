/**
 * Prune a trial whose latest intermediate value leaves [lower, upper] (or is NaN): Optuna 3.1's
 * `ThresholdPruner` (`optuna/pruners/_threshold.py`). Unlike the other pruners it reads no other
 * trial, so it works from the first trial on: a guard against diverging runs.
 *
 * @module
 */

import { type FrozenTrial, lastStep } from "../frozen_trial.ts";
import type { Pruner } from "./base.ts";
import { checkInteger, isFirstInInterval } from "./percentile.ts";

export interface ThresholdPrunerOptions {
  /** Values below this are pruned; at least one of lower and upper is needed. */
  lower?: number;
  /** Values above this are pruned. */
  upper?: number;
  /** Steps of every trial that are never pruned (Optuna: 0). */
  nWarmupSteps?: number;
  /** Check only once per this many steps after the warm-up (Optuna: 1). */
  intervalSteps?: number;
}

export class ThresholdPruner implements Pruner {
  readonly lower: number;
  readonly upper: number;
  readonly nWarmupSteps: number;
  readonly intervalSteps: number;

  constructor(options: ThresholdPrunerOptions) {
    if (options.lower === undefined && options.upper === undefined) {
      throw new RangeError("Threshold pruner needs a lower or an upper bound, or both");
    }
    for (const bound of ["lower", "upper"] as const) {
      const value = options[bound];
      if (value !== undefined && (typeof value !== "number" || Number.isNaN(value))) {
        throw new RangeError(`Threshold pruner ${bound} must be a number, got ${value}`);
      }
    }
    this.lower = options.lower ?? -Infinity;
    this.upper = options.upper ?? Infinity;
    this.nWarmupSteps = options.nWarmupSteps ?? 0;
    this.intervalSteps = options.intervalSteps ?? 1;
    if (this.lower > this.upper) {
      throw new RangeError(
        `Threshold pruner lower ${this.lower} is above its upper ${this.upper}`,
      );
    }
    checkInteger("nWarmupSteps", this.nWarmupSteps, 0);
    checkInteger("intervalSteps", this.intervalSteps, 1);
  }

  prune(_study: unknown, trial: FrozenTrial): boolean {
    const step = lastStep(trial);
    if (step === null || step < this.nWarmupSteps) return false;
    if (!isFirstInInterval(trial, step, this.nWarmupSteps, this.intervalSteps)) return false;
    const latest = trial.intermediateValues.get(step)!;
    return Number.isNaN(latest) || latest < this.lower || latest > this.upper;
  }
}
