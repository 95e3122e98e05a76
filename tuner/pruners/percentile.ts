/**
 * Prune a trial whose best intermediate value so far is not within the given percentile of the
 * COMPLETE trials' values at the same step. Port of Optuna 3.1's `PercentilePruner`
 * (`optuna/pruners/_percentile.py`).
 *
 * @module
 */

import { type FrozenTrial, lastStep, type StudyDirection, TrialState } from "../frozen_trial.ts";
import type { Study } from "../study.ts";
import type { Pruner } from "./base.ts";

export interface PercentilePrunerOptions {
  /** COMPLETE trials needed before anything is pruned (Optuna: 5). */
  nStartupTrials?: number;
  /** Steps of every trial that are never pruned (Optuna: 0). */
  nWarmupSteps?: number;
  /** Check only once per this many steps after the warm-up (Optuna: 1). */
  intervalSteps?: number;
  /** Trials that must have reported at the step for it to be compared (Optuna: 1). */
  nMinTrials?: number;
}

export class PercentilePruner implements Pruner {
  readonly percentile: number;
  readonly nStartupTrials: number;
  readonly nWarmupSteps: number;
  readonly intervalSteps: number;
  readonly nMinTrials: number;

  /** `percentile` in [0, 100]: 25 keeps the top quarter; 50 is the median. */
  constructor(percentile: number, options: PercentilePrunerOptions = {}) {
    this.percentile = percentile;
    this.nStartupTrials = options.nStartupTrials ?? 5;
    this.nWarmupSteps = options.nWarmupSteps ?? 0;
    this.intervalSteps = options.intervalSteps ?? 1;
    this.nMinTrials = options.nMinTrials ?? 1;
    if (!(percentile >= 0 && percentile <= 100)) {
      throw new RangeError(`Pruner percentile must be in [0, 100], got ${percentile}`);
    }
    checkInteger("nStartupTrials", this.nStartupTrials, 0);
    checkInteger("nWarmupSteps", this.nWarmupSteps, 0);
    checkInteger("intervalSteps", this.intervalSteps, 1);
    checkInteger("nMinTrials", this.nMinTrials, 1);
  }

  async prune(study: Study, trial: FrozenTrial): Promise<boolean> {
    const step = lastStep(trial);
    if (step === null || step < this.nWarmupSteps) return false;
    if (!isFirstInInterval(trial, step, this.nWarmupSteps, this.intervalSteps)) return false;
    const completed = await study.getTrials([TrialState.COMPLETE]);
    if (completed.length === 0 || completed.length < this.nStartupTrials) return false;
    const best = bestIntermediateValue(trial, study.direction);
    if (Number.isNaN(best)) return true;
    const atStep = completed
      .filter((other) => other.intermediateValues.has(step))
      .map((other) => other.intermediateValues.get(step)!);
    if (atStep.length < this.nMinTrials) return false;
    const q = study.direction === "maximize" ? 100 - this.percentile : this.percentile;
    const threshold = nanPercentile(atStep, q);
    if (Number.isNaN(threshold)) return false;
    return study.direction === "maximize" ? best < threshold : best > threshold;
  }
}

/** Refuses an option that is not an integer ≥ `min`, naming it and the value. */
export function checkInteger(name: string, value: number, min: number): void {
  if (!(Number.isInteger(value) && value >= min)) {
    throw new RangeError(`Pruner ${name} must be an integer ≥ ${min}, got ${value}`);
  }
}

/**
 * Whether `step` is the first report at or after the latest pruning checkpoint
 * (warm-up + k·interval), so each interval is judged once even when steps are skipped: Optuna's
 * `_is_first_in_interval_step`, which `ThresholdPruner` shares.
 */
export function isFirstInInterval(
  trial: FrozenTrial,
  step: number,
  nWarmupSteps: number,
  intervalSteps: number,
): boolean {
  const checkpoint = Math.floor((step - nWarmupSteps) / intervalSteps) * intervalSteps +
    nWarmupSteps;
  let secondLast = -1;
  for (const s of trial.intermediateValues.keys()) if (s > secondLast && s !== step) secondLast = s;
  return secondLast < checkpoint;
}

/** The trial's best reported value, ignoring NaN (NaN when all are NaN). */
function bestIntermediateValue(trial: FrozenTrial, direction: StudyDirection): number {
  const values = [...trial.intermediateValues.values()].filter((v) => !Number.isNaN(v));
  if (values.length === 0) return NaN;
  return direction === "maximize" ? Math.max(...values) : Math.min(...values);
}

/** numpy's `nanpercentile` with linear interpolation. */
export function nanPercentile(values: readonly number[], q: number): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const position = (q / 100) * (sorted.length - 1);
  const lower = Math.floor(position), upper = Math.ceil(position);
  return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
}
