/**
 * How TPE reads the history: which trials count, how they rank, and where the good/bad split
 * falls. Port of `_get_observation_pairs` and `_split_observation_pairs` from Optuna 3.1's
 * `optuna/samplers/_tpe/sampler.py` (single objective).
 *
 * A trial's score is a pair compared lexicographically, smaller is better:
 * - COMPLETE: (−∞, sign·value);
 * - PRUNED: (−last step, sign·last intermediate value), so a trial pruned later ranks above one
 *   pruned earlier (NaN counts as +∞; no report at all gives (1, 0));
 * - RUNNING, with constant liar only: (+∞, +∞), the worst, so running trials count as bad and
 *   parallel workers spread out.
 *
 * @module
 */

import { type FrozenTrial, lastStep, type StudyDirection, TrialState } from "../../frozen_trial.ts";

export type Score = readonly [stepKey: number, value: number];

export interface Observations {
  /** Per parameter, its internal value in each counted trial, or null where the trial lacks it. */
  values: Record<string, (number | null)[]>;
  scores: Score[];
}

export function getObservations(
  trials: readonly FrozenTrial[],
  paramNames: readonly string[],
  direction: StudyDirection,
  constantLiar: boolean,
): Observations {
  const sign = direction === "minimize" ? 1 : -1;
  const values: Record<string, (number | null)[]> = {};
  for (const name of paramNames) values[name] = [];
  const scores: Score[] = [];
  for (const trial of trials) {
    const score = scoreOf(trial, sign, constantLiar);
    if (score === null) continue;
    scores.push(score);
    for (const name of paramNames) {
      const distribution = trial.distributions[name];
      values[name].push(
        distribution === undefined ? null : distribution.toInternal(trial.params[name]),
      );
    }
  }
  return { values, scores };
}

function scoreOf(trial: FrozenTrial, sign: number, constantLiar: boolean): Score | null {
  switch (trial.state) {
    case TrialState.COMPLETE:
      return trial.value === null ? null : [-Infinity, sign * trial.value];
    case TrialState.PRUNED: {
      const step = lastStep(trial);
      if (step === null) return [1, 0];
      const value = trial.intermediateValues.get(step)!;
      return [-step, Number.isNaN(value) ? Infinity : sign * value];
    }
    case TrialState.RUNNING:
      return constantLiar ? [Infinity, Infinity] : null;
    default:
      return null;
  }
}

/** Trials that count towards n_startup_trials: every scored one except the running ones. */
export function countFinished(scores: readonly Score[]): number {
  return scores.filter(([stepKey]) => stepKey < Infinity).length;
}

/**
 * Indices of the `nBelow` best scores ("below", the good group l(x)) and of the rest ("above",
 * g(x)), each in trial order so that the weights can favour recent trials.
 */
export function splitObservations(
  scores: readonly Score[],
  nBelow: number,
): { below: number[]; above: number[] } {
  const ranked = Array.from(scores.keys()).sort((i, j) =>
    compare(scores[i][0], scores[j][0]) || compare(scores[i][1], scores[j][1])
  );
  const ascending = (a: number, b: number) => a - b;
  return {
    below: ranked.slice(0, nBelow).sort(ascending),
    above: ranked.slice(nBelow).sort(ascending),
  };
}

function compare(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
