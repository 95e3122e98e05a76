import assert from "node:assert/strict";
import { FloatDistribution } from "../../distributions.ts";
import { type FrozenTrial, type TrialState } from "../../frozen_trial.ts";
import { countFinished, getObservations, splitObservations } from "./observations.ts";

function trial(
  number: number,
  state: TrialState,
  value: number | null,
  intermediate: [number, number][] = [],
): FrozenTrial {
  return {
    id: number,
    number,
    state,
    value,
    params: { x: number },
    distributions: { x: new FloatDistribution(0, 10) },
    intermediateValues: new Map(intermediate),
    datetimeStart: null,
    datetimeComplete: null,
    userAttrs: {},
    systemAttrs: {},
  };
}

const history = [
  trial(0, "PRUNED", 0.1, [[0, 0.5], [1, 0.1]]),
  trial(1, "COMPLETE", 0.9),
  trial(2, "PRUNED", 0.05, [[0, 0.05]]),
  trial(3, "COMPLETE", 0.3),
  trial(4, "FAIL", null),
  trial(5, "RUNNING", null),
];

Deno.test("splitObservations() ranks COMPLETE first, then PRUNED by how far they got", () => {
  const { scores } = getObservations(history, ["x"], "minimize", false);
  assert.equal(scores.length, 4);
  // Ranked: trial 3 (0.3), trial 1 (0.9), trial 0 (pruned at step 1), trial 2 (pruned at step 0).
  assert.deepEqual(splitObservations(scores, 2), { below: [1, 3], above: [0, 2] });
  assert.deepEqual(splitObservations(scores, 3), { below: [0, 1, 3], above: [2] });
});

Deno.test("getObservations() flips the sign when maximizing", () => {
  const { scores } = getObservations(history, ["x"], "maximize", false);
  // The best COMPLETE trial is now trial 1 (0.9), at index 1.
  assert.deepEqual(splitObservations(scores, 1).below, [1]);
});

Deno.test("getObservations() with constant liar counts RUNNING trials as the worst", () => {
  const { values, scores } = getObservations(history, ["x"], "minimize", true);
  assert.equal(scores.length, 5);
  assert.equal(countFinished(scores), 4);
  assert.deepEqual(values.x, [0, 1, 2, 3, 5]);
  assert.deepEqual(splitObservations(scores, 4).above, [4]);
});
