/**
 * Asynchronous Successive Halving (ASHA; Li et al., "A System for Massively Parallel
 * Hyperparameter Tuning", MLSys 2020, https://arxiv.org/abs/1810.05934), with the rung logic of
 * Optuna 3.1's `SuccessiveHalvingPruner` (`optuna/pruners/_successive_halving.py`).
 *
 * Rung k is reached at step minResource · reductionFactor^(minEarlyStoppingRate + k). A trial
 * reaching a rung records its value there (system attribute `completed_rung_k`) and goes on only
 * if that value is within the top 1/reductionFactor of all values recorded at that rung so far.
 *
 * @module
 */

import { type FrozenTrial, lastStep, TrialState } from "../frozen_trial.ts";
import type { Study } from "../study.ts";
import type { Pruner } from "./base.ts";

export interface SuccessiveHalvingPrunerOptions {
  /**
   * Steps before the first rung: a number ≥ 1, or "auto" (Optuna's default) for max(1, ⌊last
   * step of the longest COMPLETE trial / 100⌋, as `_estimate_min_resource`), which prunes nothing
   * until a trial completes. Default "auto".
   */
  minResource?: number | "auto";
  /** Keep the top 1/reductionFactor at each rung (Optuna: 4). */
  reductionFactor?: number;
  /** Shifts the first rung to minResource · reductionFactor^rate (Optuna: 0). */
  minEarlyStoppingRate?: number;
  /** Values a rung must hold before anyone is promoted past it (Optuna: 0). */
  bootstrapCount?: number;
}

/**
 * What the rungs need of a study: its direction, its trials and a place to record rung values.
 * A `Study` is one; Hyperband passes a view of one bracket's trials.
 */
export type RungStudy = Pick<Study, "direction" | "getTrials" | "setTrialSystemAttr">;

export class SuccessiveHalvingPruner implements Pruner {
  #minResource: number | null;
  readonly reductionFactor: number;
  readonly minEarlyStoppingRate: number;
  readonly bootstrapCount: number;

  constructor(options: SuccessiveHalvingPrunerOptions = {}) {
    const minResource = options.minResource ?? "auto";
    this.reductionFactor = options.reductionFactor ?? 4;
    this.minEarlyStoppingRate = options.minEarlyStoppingRate ?? 0;
    this.bootstrapCount = options.bootstrapCount ?? 0;
    if (minResource !== "auto" && !(Number.isInteger(minResource) && minResource >= 1)) {
      throw new RangeError(`ASHA minResource must be an integer ≥ 1 or "auto", got ${minResource}`);
    }
    if (!(Number.isInteger(this.reductionFactor) && this.reductionFactor >= 2)) {
      throw new RangeError(
        `ASHA reductionFactor must be an integer ≥ 2, got ${this.reductionFactor}`,
      );
    }
    if (!(Number.isInteger(this.minEarlyStoppingRate) && this.minEarlyStoppingRate >= 0)) {
      throw new RangeError(
        `ASHA minEarlyStoppingRate must be an integer ≥ 0, got ${this.minEarlyStoppingRate}`,
      );
    }
    if (!(Number.isInteger(this.bootstrapCount) && this.bootstrapCount >= 0)) {
      throw new RangeError(
        `ASHA bootstrapCount must be an integer ≥ 0, got ${this.bootstrapCount}`,
      );
    }
    if (this.bootstrapCount > 0 && minResource === "auto") {
      throw new RangeError(
        `ASHA bootstrapCount ${this.bootstrapCount} needs a numeric minResource`,
      );
    }
    this.#minResource = minResource === "auto" ? null : minResource;
  }

  async prune(study: RungStudy, trial: FrozenTrial): Promise<boolean> {
    const step = lastStep(trial);
    if (step === null) return false;
    const value = trial.intermediateValues.get(step)!;
    let rung = currentRung(trial);
    let trials: FrozenTrial[] | null = null;
    while (true) {
      if (this.#minResource === null) {
        trials ??= await study.getTrials();
        this.#minResource = estimateMinResource(trials);
        if (this.#minResource === null) return false;
      }
      const promotionStep = this.#minResource *
        this.reductionFactor ** (this.minEarlyStoppingRate + rung);
      if (step < promotionStep) return false;
      if (Number.isNaN(value)) return true;
      trials ??= await study.getTrials();
      const key = rungKey(rung);
      await study.setTrialSystemAttr(trial.id, key, value);
      const competing = trials
        .filter((other) => other.id !== trial.id && typeof other.systemAttrs[key] === "number")
        .map((other) => other.systemAttrs[key] as number);
      competing.push(value);
      if (competing.length <= this.bootstrapCount) return true;
      if (!this.#isPromotable(value, competing, study.direction === "maximize")) return true;
      rung++;
    }
  }

  /** Within the top ⌊n / reductionFactor⌋ (at least the best one) of the rung's values. */
  #isPromotable(value: number, competing: number[], maximize: boolean): boolean {
    const promotable = Math.max(Math.floor(competing.length / this.reductionFactor) - 1, 0);
    competing.sort((a, b) => a - b);
    return maximize
      ? value >= competing[competing.length - 1 - promotable]
      : value <= competing[promotable];
  }
}

function rungKey(rung: number): string {
  return `completed_rung_${rung}`;
}

function currentRung(trial: FrozenTrial): number {
  let rung = 0;
  while (rungKey(rung) in trial.systemAttrs) rung++;
  return rung;
}

function estimateMinResource(trials: readonly FrozenTrial[]): number | null {
  const steps = trials
    .filter((trial) => trial.state === TrialState.COMPLETE)
    .map(lastStep)
    .filter((step): step is number => step !== null);
  if (steps.length === 0) return null;
  return Math.max(Math.floor(Math.max(...steps) / 100), 1);
}
