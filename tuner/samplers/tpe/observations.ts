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

import {
  type FrozenTrial,
  lastStep,
  type StudyDirection,
  TrialState,
  trialValues,
} from "../../frozen_trial.ts";
import { violation } from "../../multi_objective/dominance.ts";
import { splitConstrained, splitMultiObjective } from "./multi_objective.ts";

export type Score = readonly [stepKey: number, value: number];

export interface Observations {
  /** Per parameter, its internal value in each counted trial, or null where the trial lacks it. */
  values: Record<string, (number | null)[]>;
  scores: Score[];
  /** Multi-objective studies: each counted trial's values as losses (PRUNED, RUNNING left out). */
  losses: number[][] | null;
  /** With constraints: each counted trial's total violation (0 feasible, ∞ when unknown). */
  violations: number[] | null;
}

export function getObservations(
  trials: readonly FrozenTrial[],
  paramNames: readonly string[],
  direction: StudyDirection | readonly StudyDirection[],
  constantLiar: boolean,
  constraints = false,
): Observations {
  const directions = typeof direction === "string" ? [direction] : direction;
  const signs = directions.map((d) => d === "minimize" ? 1 : -1);
  const multi = directions.length > 1;
  const values: Record<string, (number | null)[]> = {};
  for (const name of paramNames) values[name] = [];
  const scores: Score[] = [];
  const losses: number[][] | null = multi ? [] : null;
  const violations: number[] | null = constraints ? [] : null;
  for (const trial of trials) {
    let score: Score | null;
    if (multi) {
      // Multi-objective TPE counts COMPLETE trials only (it cannot rank a pruned one).
      const told = trial.state === TrialState.COMPLETE ? trialValues(trial) : null;
      if (told === null) continue;
      losses!.push(told.map((v, k) => signs[k] * v));
      score = [-Infinity, 0];
    } else {
      score = scoreOf(trial, signs[0], constantLiar);
      if (score === null) continue;
    }
    scores.push(score);
    violations?.push(trial.state === TrialState.RUNNING ? Infinity : violation(trial));
    for (const name of paramNames) {
      const distribution = trial.distributions[name];
      values[name].push(
        distribution === undefined ? null : distribution.toInternal(trial.params[name]),
      );
    }
  }
  return { values, scores, losses, violations };
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
  options: {
    losses?: readonly (readonly number[])[] | null;
    violations?: readonly number[] | null;
  } = {},
): { below: number[]; above: number[] } {
  const { losses, violations } = options;
  if (violations) {
    return splitConstrained(violations, nBelow, (feasible, n) => {
      const part = splitObservations(feasible.map((i) => scores[i]), n, {
        losses: losses && feasible.map((i) => losses[i]),
      });
      return {
        below: part.below.map((j) => feasible[j]),
        above: part.above.map((j) => feasible[j]),
      };
    });
  }
  if (losses && losses.length > 0 && losses[0].length > 1) {
    return splitMultiObjective(losses, nBelow);
  }
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
