import assert from "node:assert/strict";
import type { FrozenTrial } from "../frozen_trial.ts";
import { ThresholdPruner } from "./threshold.ts";

/** A running trial that reported `values` at steps 0, 1, … */
function reported(values: number[]): FrozenTrial {
  return {
    id: 0,
    number: 0,
    state: "RUNNING",
    value: null,
    params: {},
    distributions: {},
    intermediateValues: new Map(values.map((value, step) => [step, value])),
    datetimeStart: null,
    datetimeComplete: null,
    userAttrs: {},
    systemAttrs: {},
  };
}

Deno.test("ThresholdPruner prunes a latest value outside [lower, upper] and NaN", () => {
  const pruner = new ThresholdPruner({ lower: 0, upper: 1 });
  assert.equal(pruner.prune(null, reported([0.5])), false);
  assert.equal(pruner.prune(null, reported([0.5, 1])), false, "the bounds themselves pass");
  assert.equal(pruner.prune(null, reported([0.5, 1.01])), true);
  assert.equal(pruner.prune(null, reported([5, 0.5])), false, "only the latest value counts");
  assert.equal(pruner.prune(null, reported([-0.1])), true);
  assert.equal(pruner.prune(null, reported([NaN])), true);
  assert.equal(new ThresholdPruner({ upper: 1 }).prune(null, reported([-1e9])), false);
});

Deno.test("ThresholdPruner waits out the warm-up and checks once per interval", () => {
  const pruner = new ThresholdPruner({ upper: 1, nWarmupSteps: 2, intervalSteps: 3 });
  assert.equal(pruner.prune(null, reported([9, 9])), false, "step 1 is in the warm-up");
  assert.equal(pruner.prune(null, reported([9, 9, 9])), true, "step 2 is a checkpoint");
  assert.equal(pruner.prune(null, reported([0, 0, 0, 9])), false, "step 3 is not");
  assert.equal(pruner.prune(null, reported([0, 0, 0, 0, 0, 9])), true, "step 5 is");
});

Deno.test("ThresholdPruner refuses bounds that are missing, NaN or crossed", () => {
  assert.throws(() => new ThresholdPruner({}), /needs a lower or an upper bound/);
  assert.throws(() => new ThresholdPruner({ lower: NaN }), /lower must be a number, got NaN/);
  assert.throws(() => new ThresholdPruner({ lower: 2, upper: 1 }), /lower 2 is above its upper 1/);
  assert.throws(() => new ThresholdPruner({ upper: 1, intervalSteps: 0 }), /intervalSteps/);
});
