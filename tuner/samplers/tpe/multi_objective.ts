/**
 * What Optuna 3.1's TPE does beyond one objective (`optuna/samplers/_tpe/sampler.py`): the
 * multi-objective split of MOTPE (Ozaki et al., "Multiobjective tree-structured Parzen estimator
 * for computationally expensive optimization problems", GECCO 2020) — whole non-domination ranks
 * go to the good group while they fit, then the rank that does not is cut by greedy hypervolume
 * subset selection — its weights for the good group (each trial's hypervolume contribution,
 * scaled to the largest), and the constrained split (feasible trials first, infeasible ones by
 * total violation).
 *
 * @module
 */

import { nondominationRanks } from "../../multi_objective/dominance.ts";
import { hypervolume, solveHssp } from "../../multi_objective/hypervolume.ts";

const EPS = 1e-12;

/** Optuna's reference point: 1.1 × the worst loss (0.9 × when negative), 0 replaced by EPS. */
function referencePoint(losses: readonly (readonly number[])[]): number[] {
  return losses[0].map((_, k) => {
    const worst = Math.max(...losses.map((l) => l[k]));
    const r = Math.max(1.1 * worst, 0.9 * worst);
    return r === 0 ? EPS : r;
  });
}

/** The `nBelow` indices of `losses` MOTPE puts in the good group, in index order. */
export function splitMultiObjective(
  losses: readonly (readonly number[])[],
  nBelow: number,
): { below: number[]; above: number[] } {
  const ranks = nondominationRanks(losses);
  const below: number[] = [];
  let rank = 0;
  for (;;) {
    const members = ranks.flatMap((r, i) => r === rank ? [i] : []);
    if (members.length === 0 || below.length + members.length > nBelow) break;
    below.push(...members);
    rank++;
  }
  const missing = nBelow - below.length;
  if (missing > 0) {
    const members = ranks.flatMap((r, i) => r === rank ? [i] : []);
    const points = members.map((i) => losses[i]);
    const chosen = solveHssp(points, missing, referencePoint(points));
    below.push(...chosen.map((j) => members[j]));
  }
  const inBelow = new Set(below);
  return {
    below: [...below].sort((a, b) => a - b),
    above: losses.map((_, i) => i).filter((i) => !inBelow.has(i)),
  };
}

/**
 * Optuna's `_calculate_weights_below_for_multi_objective`: for the good group `below` (indices of
 * `losses`), each feasible trial's hypervolume contribution + EPS over the largest; infeasible
 * ones get EPS.
 */
export function weightsBelow(
  losses: readonly (readonly number[])[],
  below: readonly number[],
  violations: readonly number[] | null,
): number[] {
  const feasible = below.map((i) => violations === null || violations[i] === 0);
  const points = below.filter((_, j) => feasible[j]).map((i) => losses[i]);
  let weights: number[];
  if (points.length === 0) weights = [];
  else if (points.length === 1) weights = [1];
  else {
    const reference = referencePoint(points);
    const total = hypervolume(points, reference);
    const contributions = points.map((_, j) =>
      total - hypervolume(points.filter((_, k) => k !== j), reference) + EPS
    );
    const largest = Math.max(...contributions);
    weights = contributions.map((c) => Math.min(Math.max(c / largest, 0), 1));
  }
  let next = 0;
  return feasible.map((ok) => ok ? weights[next++] : EPS);
}

/**
 * Optuna's constrained split: when the `nBelow` least-violating trials include an infeasible one,
 * they are the good group; otherwise the feasible trials are split by `split` and every
 * infeasible trial joins the bad group.
 */
export function splitConstrained(
  violations: readonly number[],
  nBelow: number,
  split: (indices: readonly number[], nBelow: number) => { below: number[]; above: number[] },
): { below: number[]; above: number[] } {
  const order = violations.map((_, i) => i).sort((a, b) => violations[a] - violations[b]);
  const ascending = (a: number, b: number) => a - b;
  if (nBelow >= order.length || violations[order[nBelow]] > 0) {
    return {
      below: order.slice(0, nBelow).sort(ascending),
      above: order.slice(nBelow).sort(ascending),
    };
  }
  const feasible = violations.flatMap((v, i) => v === 0 ? [i] : []);
  const infeasible = violations.flatMap((v, i) => v > 0 ? [i] : []);
  const { below, above } = split(feasible, nBelow);
  return {
    below: below.sort(ascending),
    above: [...above, ...infeasible].sort(ascending),
  };
}
