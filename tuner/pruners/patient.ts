/**
 * Wait `patience` steps without improvement before letting another pruner decide (or, without
 * one, before pruning): Optuna 3.1's `PatientPruner` (`optuna/pruners/_patient.py`). A trial
 * has stopped improving when the best of its last patience + 1 values is no better, by more than
 * `minDelta`, than the best of all its values before them (NaN ignored).
 *
 * @module
 */

import type { FrozenTrial } from "../frozen_trial.ts";
import type { Study } from "../study.ts";
import type { Pruner } from "./base.ts";
import { checkInteger } from "./percentile.ts";

export interface PatientPrunerOptions {
  /** Steps without improvement tolerated (an integer ≥ 0). */
  patience: number;
  /** How much better a value must be to count as an improvement (≥ 0; Optuna: 0). */
  minDelta?: number;
}

export class PatientPruner implements Pruner {
  readonly wrapped: Pruner | null;
  readonly patience: number;
  readonly minDelta: number;

  /** `wrapped` decides once patience runs out; null prunes right then. */
  constructor(wrapped: Pruner | null, options: PatientPrunerOptions) {
    this.wrapped = wrapped;
    this.patience = options.patience;
    this.minDelta = options.minDelta ?? 0;
    checkInteger("patience", this.patience, 0);
    if (!(this.minDelta >= 0)) {
      throw new RangeError(`Pruner minDelta must be a number ≥ 0, got ${this.minDelta}`);
    }
  }

  async prune(study: Study, trial: FrozenTrial): Promise<boolean> {
    const steps = [...trial.intermediateValues.keys()].sort((a, b) => a - b);
    if (steps.length <= this.patience + 1) return false;
    const values = steps.map((step) => trial.intermediateValues.get(step)!);
    const split = values.length - this.patience - 1;
    const before = values.slice(0, split), after = values.slice(split);
    // numpy's nanmin/nanmax give NaN for all-NaN slices, and every comparison with NaN is false.
    const stalled = study.direction === "minimize"
      ? nanBest(before, Math.min) + this.minDelta < nanBest(after, Math.min)
      : nanBest(before, Math.max) - this.minDelta > nanBest(after, Math.max);
    if (!stalled) return false;
    return this.wrapped === null ? true : await this.wrapped.prune(study, trial);
  }
}

function nanBest(values: number[], pick: (...values: number[]) => number): number {
  const known = values.filter((value) => !Number.isNaN(value));
  return known.length === 0 ? NaN : pick(...known);
}
