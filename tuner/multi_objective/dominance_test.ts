import assert from "node:assert/strict";
import { type FrozenTrial, TrialState } from "../frozen_trial.ts";
import { done } from "./test_trials.ts";
import {
  constrainedDominates,
  crowdingDistance,
  crowdingDistanceSort,
  dominates,
  fastNonDominatedSort,
  nondominationRanks,
  paretoFront,
} from "./dominance.ts";

const minmin = ["minimize", "minimize"] as const;
const numbers = (trials: FrozenTrial[]) => trials.map((t) => t.number).sort((a, b) => a - b);

// A(1,5) B(2,3) C(4,1) D(3,4) E(5,5) F(2,3): B and F tie; D is beaten by B; E by everyone else.
const population = () => [
  done(0, [1, 5]),
  done(1, [2, 3]),
  done(2, [4, 1]),
  done(3, [3, 4]),
  done(4, [5, 5]),
  done(5, [2, 3]),
];

Deno.test("dominates: better in one objective and no worse in any; equal vectors do not", () => {
  assert.equal(dominates(done(0, [1, 3]), done(1, [2, 3]), minmin), true);
  assert.equal(dominates(done(1, [2, 3]), done(0, [1, 3]), minmin), false);
  assert.equal(dominates(done(0, [2, 3]), done(1, [2, 3]), minmin), false);
  assert.equal(dominates(done(0, [1, 5]), done(1, [2, 3]), minmin), false);
  // Maximizing the second objective flips it: (1, 5) now beats (2, 3).
  assert.equal(dominates(done(0, [1, 5]), done(1, [2, 3]), ["minimize", "maximize"]), true);
  // A COMPLETE trial dominates a failed one, never the other way.
  const failed = done(2, [], undefined, TrialState.FAIL);
  assert.equal(dominates(done(0, [9, 9]), failed, minmin), true);
  assert.equal(dominates(failed, done(0, [9, 9]), minmin), false);
});

Deno.test("fastNonDominatedSort ranks a hand-worked population", () => {
  const ranks = fastNonDominatedSort(population(), minmin);
  assert.deepEqual(ranks.map(numbers), [[0, 1, 2, 5], [3], [4]]);
  assert.deepEqual(nondominationRanks(population().map((t) => [...t.values!])), [0, 0, 0, 1, 2, 0]);
});

Deno.test("crowdingDistance: ends infinite, inner points the neighbours' gaps over the range", () => {
  // Objective 0 sorted: A1 B2 F2 C4 over a range of 3; objective 1: C1 B3 F3 A5 over 4.
  const front = [done(0, [1, 5]), done(1, [2, 3]), done(5, [2, 3]), done(2, [4, 1])];
  const distances = crowdingDistance(front);
  assert.equal(distances.get(0), Infinity);
  assert.equal(distances.get(2), Infinity);
  assert.ok(Math.abs(distances.get(1)! - (1 / 3 + 2 / 4)) < 1e-12);
  assert.ok(Math.abs(distances.get(5)! - (2 / 3 + 2 / 4)) < 1e-12);
  crowdingDistanceSort(front);
  // Most isolated first: the two ends, then F (7/6), then B (5/6).
  assert.deepEqual(front.slice(2).map((t) => t.number), [5, 1]);
  // An objective where all values are equal adds nothing.
  const flat = crowdingDistance([done(0, [1, 7]), done(1, [2, 7]), done(2, [3, 7])]);
  assert.equal(flat.get(1), (3 - 1) / 2);
});

Deno.test("paretoFront keeps the non-dominated COMPLETE trials, ties included, in 2-D and 3-D", () => {
  assert.deepEqual(numbers(paretoFront(population(), minmin)), [0, 1, 2, 5]);
  const three = [done(0, [1, 2, 3]), done(1, [2, 3, 1]), done(2, [2, 3, 4]), done(3, [3, 1, 2])];
  assert.deepEqual(numbers(paretoFront(three, ["minimize", "minimize", "minimize"])), [0, 1, 3]);
  // Maximizing both, E (5, 5) beats everyone.
  assert.deepEqual(numbers(paretoFront(population(), ["maximize", "maximize"])), [4]);
});

Deno.test("constrained domination: feasible first, then less violation, then plain domination", () => {
  const feasibleWorse = done(0, [9, 9], [-1, 0]);
  const infeasibleBetter = done(1, [0, 0], [0.5, -3]);
  const infeasibleMore = done(2, [0, 0], [2, 1]);
  const unconstrained = done(3, [0, 0]);
  assert.equal(constrainedDominates(feasibleWorse, infeasibleBetter, minmin), true);
  assert.equal(constrainedDominates(infeasibleBetter, feasibleWorse, minmin), false);
  // Both infeasible: total violation 0.5 < 3.
  assert.equal(constrainedDominates(infeasibleBetter, infeasibleMore, minmin), true);
  assert.equal(constrainedDominates(infeasibleMore, infeasibleBetter, minmin), false);
  // A trial without constraint values loses to one with them.
  assert.equal(constrainedDominates(infeasibleMore, unconstrained, minmin), true);
  // Both feasible: ordinary domination.
  assert.equal(constrainedDominates(done(4, [1, 1], [0]), done(5, [2, 2], [-1]), minmin), true);
  // Ranked: the feasible trial alone in rank 0, then by violation.
  const ranks = fastNonDominatedSort(
    [infeasibleMore, feasibleWorse, infeasibleBetter],
    minmin,
    constrainedDominates,
  );
  assert.deepEqual(ranks.map(numbers), [[0], [1], [2]]);
});
