/**
 * Pareto dominance over trials with several objective values, as Optuna 3.1 ranks them:
 * `_dominates` and the Pareto front of `optuna/study/_multi_objective.py`, constrained
 * domination, the fast non-dominated sort and the crowding distance of
 * `optuna/samplers/nsgaii/_sampler.py` (Deb et al., "A fast and elitist multiobjective genetic
 * algorithm: NSGA-II", IEEE TEVC 2002).
 *
 * Values are compared as losses: a maximized objective is negated first ({@linkcode toLoss}).
 * Constraint values live in the trial's system attribute `constraints` (Optuna's key): a value
 * ≤ 0 is satisfied, and a trial is feasible when all of its values are.
 *
 * @module
 */

import { type FrozenTrial, type StudyDirection, TrialState, trialValues } from "../frozen_trial.ts";

/** The system attribute holding a trial's constraint values (Optuna's `_CONSTRAINTS_KEY`). */
export const CONSTRAINTS_KEY = "constraints";

/** A value as a loss: negated when maximized; a missing value is the worst (+∞). */
export function toLoss(value: number | null | undefined, direction: StudyDirection): number {
  const v = value ?? Infinity;
  return direction === "maximize" ? -v : v;
}

/** The trial's values as losses, one per direction. */
export function lossVector(trial: FrozenTrial, directions: readonly StudyDirection[]): number[] {
  const values = trialValues(trial);
  return directions.map((d, i) => toLoss(values?.[i], d));
}

/** `a` dominates `b` (losses): no worse in every objective and not equal in all of them. */
export function dominatesLoss(a: readonly number[], b: readonly number[]): boolean {
  let equal = true;
  for (let i = 0; i < a.length; i++) {
    if (a[i] > b[i]) return false;
    if (a[i] !== b[i]) equal = false;
  }
  return !equal;
}

/** Optuna's `_dominates`: a COMPLETE trial dominates any unfinished one. */
export function dominates(
  t0: FrozenTrial,
  t1: FrozenTrial,
  directions: readonly StudyDirection[],
): boolean {
  const v0 = trialValues(t0), v1 = trialValues(t1);
  if (t0.state === TrialState.COMPLETE && t1.state === TrialState.COMPLETE) {
    if (v0 === null || v1 === null || v0.length !== v1.length) {
      throw new RangeError(
        `Trials ${t0.number} and ${t1.number} have different numbers of objective values`,
      );
    }
    if (v0.length !== directions.length) {
      throw new RangeError(
        `Trial ${t0.number} has ${v0.length} values for ${directions.length} objectives`,
      );
    }
  }
  if (t0.state !== TrialState.COMPLETE) return false;
  if (t1.state !== TrialState.COMPLETE) return true;
  return dominatesLoss(lossVector(t0, directions), lossVector(t1, directions));
}

/** The trial's constraint values, or null when it has none (none computed, or not COMPLETE). */
export function constraintsOf(trial: FrozenTrial): number[] | null {
  const c = trial.systemAttrs[CONSTRAINTS_KEY];
  return Array.isArray(c) ? c as number[] : null;
}

/** Sum of the violated constraint values (0 when feasible); +∞ without constraint values. */
export function violation(trial: FrozenTrial): number {
  const c = constraintsOf(trial);
  if (c === null) return Infinity;
  let sum = 0;
  for (const v of c) if (v > 0) sum += v;
  return sum;
}

/** Whether the trial satisfies all its constraints; null when it has no constraint values. */
export function isFeasible(trial: FrozenTrial): boolean | null {
  const c = constraintsOf(trial);
  return c === null ? null : c.every((v) => v <= 0);
}

/**
 * Optuna's `_constrained_dominates`: x constrained-dominates y when x is feasible and y is not,
 * when both are infeasible and x violates less in total, or when both are feasible and x
 * dominates y. A trial without constraint values is dominated by one with them.
 */
export function constrainedDominates(
  t0: FrozenTrial,
  t1: FrozenTrial,
  directions: readonly StudyDirection[],
): boolean {
  const c0 = constraintsOf(t0), c1 = constraintsOf(t1);
  if (c0 === null && c1 === null) return dominates(t0, t1, directions);
  if (c0 !== null && c1 === null) return true;
  if (c0 === null && c1 !== null) return false;
  if (c0!.length !== c1!.length) {
    throw new RangeError("Trials with different numbers of constraints cannot be compared");
  }
  if (t0.state !== TrialState.COMPLETE) return false;
  if (t1.state !== TrialState.COMPLETE) return true;
  const ok0 = c0!.every((v) => v <= 0), ok1 = c1!.every((v) => v <= 0);
  if (ok0 && ok1) return dominates(t0, t1, directions);
  if (ok0) return true;
  if (ok1) return false;
  return violation(t0) < violation(t1);
}

export type DominatesFn = (
  t0: FrozenTrial,
  t1: FrozenTrial,
  directions: readonly StudyDirection[],
) => boolean;

/**
 * Optuna's `_fast_non_dominated_sort`: the population in ranks, the first non-dominated. Within a
 * rank the order is Optuna's (a found trial is replaced by the population's last), which the
 * crowding-distance sort and its ties depend on.
 */
export function fastNonDominatedSort(
  population: readonly FrozenTrial[],
  directions: readonly StudyDirection[],
  dominatesFn: DominatesFn = dominates,
): FrozenTrial[][] {
  const dominatedCount = new Map<number, number>();
  const dominatesList = new Map<number, number[]>();
  for (let i = 0; i < population.length; i++) {
    for (let j = i + 1; j < population.length; j++) {
      const p = population[i], q = population[j];
      if (dominatesFn(p, q, directions)) {
        push(dominatesList, p.number, q.number);
        dominatedCount.set(q.number, (dominatedCount.get(q.number) ?? 0) + 1);
      } else if (dominatesFn(q, p, directions)) {
        push(dominatesList, q.number, p.number);
        dominatedCount.set(p.number, (dominatedCount.get(p.number) ?? 0) + 1);
      }
    }
  }
  const rest = [...population];
  const ranks: FrozenTrial[][] = [];
  while (rest.length > 0) {
    const front: FrozenTrial[] = [];
    let i = 0;
    while (i < rest.length) {
      if ((dominatedCount.get(rest[i].number) ?? 0) === 0) {
        const individual = rest[i];
        if (i === rest.length - 1) rest.pop();
        else rest[i] = rest.pop()!;
        front.push(individual);
      } else {
        i++;
      }
    }
    if (front.length === 0) throw new Error("Dominance is cyclic: no non-dominated trial left");
    for (const x of front) {
      for (const y of dominatesList.get(x.number) ?? []) {
        dominatedCount.set(y, dominatedCount.get(y)! - 1);
      }
    }
    ranks.push(front);
  }
  return ranks;
}

function push(map: Map<number, number[]>, key: number, value: number) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Optuna's `_calc_crowding_distance`, by trial number: per objective, the gap between the two
 * neighbours (±∞ beyond the ends) over the range of finite values, summed; an objective where all
 * values are equal adds nothing. Raw values, not losses, as Optuna. Sorts `population` in place
 * (stably, by each objective in turn), as Optuna's does.
 */
export function crowdingDistance(population: FrozenTrial[]): Map<number, number> {
  const distances = new Map<number, number>();
  for (const t of population) distances.set(t.number, 0);
  if (population.length === 0) return distances;
  const nObjectives = trialValues(population[0])!.length;
  for (let k = 0; k < nObjectives; k++) {
    const value = (t: FrozenTrial) => trialValues(t)![k];
    population.sort((a, b) => value(a) - value(b));
    if (value(population[0]) === value(population[population.length - 1])) continue;
    const vs = [-Infinity, ...population.map(value), Infinity];
    const vMin = vs.find((x) => x !== -Infinity)!;
    const vMax = [...vs].reverse().find((x) => x !== Infinity)!;
    let width = vMax - vMin;
    if (!(width > 0)) width = 1;
    for (let j = 0; j < population.length; j++) {
      const gap = vs[j] === vs[j + 2] ? 0 : vs[j + 2] - vs[j];
      distances.set(population[j].number, distances.get(population[j].number)! + gap / width);
    }
  }
  return distances;
}

/**
 * Optuna's `_crowding_distance_sort`: most isolated first. Python's sort-then-reverse puts equal
 * distances in reverse order of the ascending sort; so does this.
 */
export function crowdingDistanceSort(population: FrozenTrial[]): void {
  const distances = crowdingDistance(population);
  population.sort((a, b) => distances.get(a.number)! - distances.get(b.number)!);
  population.reverse();
}

/**
 * The Pareto front: COMPLETE trials no other COMPLETE trial dominates, by number. Optuna's
 * `_get_pareto_front_trials_by_trials` (ties, equal value vectors, all stay on the front).
 */
export function paretoFront(
  trials: readonly FrozenTrial[],
  directions: readonly StudyDirection[],
): FrozenTrial[] {
  const complete = trials.filter((t) => t.state === TrialState.COMPLETE && trialValues(t));
  const losses = complete.map((t) => lossVector(t, directions));
  if (directions.length === 2) {
    const order = complete.map((_, i) => i).sort((i, j) =>
      losses[i][0] - losses[j][0] || losses[i][1] - losses[j][1]
    );
    const front: number[] = [];
    let last = -1;
    for (const i of order) {
      if (last !== -1 && dominatesLoss(losses[last], losses[i])) continue;
      front.push(i);
      last = i;
    }
    return front.map((i) => complete[i]).sort((a, b) => a.number - b.number);
  }
  return complete.filter((_, i) => !losses.some((other) => dominatesLoss(other, losses[i])));
}

/**
 * Optuna's `_calculate_nondomination_rank` (multi-objective TPE): rank 0 for the non-dominated
 * loss vectors, 1 for those only rank 0 dominates, and so on.
 */
export function nondominationRanks(losses: readonly (readonly number[])[]): number[] {
  // One pass of pairwise comparisons, then peel rank by rank (Deb's fast non-dominated sort).
  const n = losses.length;
  const dominatedBy = new Int32Array(n);
  const beats: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (dominatesLoss(losses[i], losses[j])) {
        beats[i].push(j);
        dominatedBy[j]++;
      } else if (dominatesLoss(losses[j], losses[i])) {
        beats[j].push(i);
        dominatedBy[i]++;
      }
    }
  }
  const ranks = new Array<number>(n).fill(-1);
  let front: number[] = [];
  for (let i = 0; i < n; i++) if (dominatedBy[i] === 0) front.push(i);
  for (let rank = 0; front.length > 0; rank++) {
    const next: number[] = [];
    for (const i of front) {
      ranks[i] = rank;
      for (const j of beats[i]) if (--dominatedBy[j] === 0) next.push(j);
    }
    front = next;
  }
  return ranks;
}
