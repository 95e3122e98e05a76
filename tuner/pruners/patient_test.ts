import assert from "node:assert/strict";
import { createStudy } from "../create_study.ts";
import type { StudyDirection } from "../frozen_trial.ts";
import { RandomSampler } from "../samplers/random.ts";
import type { Pruner } from "./base.ts";
import { PatientPruner } from "./patient.ts";

/** Whether a fresh trial reporting `values` at steps 0, 1, … is pruned after the last one. */
async function prunedAfter(
  pruner: Pruner,
  values: number[],
  direction: StudyDirection = "minimize",
) {
  const study = await createStudy({ direction, pruner, sampler: new RandomSampler() });
  const trial = await study.ask();
  values.forEach((value, step) => trial.report(value, step));
  return await trial.shouldPrune();
}

Deno.test("PatientPruner prunes after patience steps with no better value", async () => {
  const pruner = new PatientPruner(null, { patience: 2 });
  // The best before the last three values is 1; the last three must beat it.
  assert.equal(await prunedAfter(pruner, [3, 1, 1.3, 1.2, 1.1]), true);
  assert.equal(await prunedAfter(pruner, [3, 1, 1, 1.2, 1.1]), false, "a tie is no worse");
  assert.equal(await prunedAfter(pruner, [3, 1, 1.2, 1.1, 0.9]), false, "0.9 improved");
  assert.equal(await prunedAfter(pruner, [3, 5, 6]), false, "too few steps to judge");
  assert.equal(await prunedAfter(pruner, [0.5, 0.7, 0.6, 0.5, 0.4], "maximize"), true);
});

Deno.test("PatientPruner counts only improvements larger than minDelta", async () => {
  const pruner = new PatientPruner(null, { patience: 1, minDelta: 0.1 });
  assert.equal(await prunedAfter(pruner, [1, 1.05, 1.08]), false, "within 0.1 of the best");
  assert.equal(await prunedAfter(pruner, [1, 1.2, 1.15]), true);
});

Deno.test("PatientPruner leaves the verdict to its wrapped pruner, and ignores NaN", async () => {
  const never: Pruner = { prune: () => false };
  assert.equal(await prunedAfter(new PatientPruner(never, { patience: 0 }), [1, 2]), false);
  const always: Pruner = { prune: () => true };
  assert.equal(await prunedAfter(new PatientPruner(always, { patience: 0 }), [1, 0.5]), false);
  assert.equal(await prunedAfter(new PatientPruner(always, { patience: 0 }), [1, 2]), true);
  const patient = new PatientPruner(null, { patience: 1 });
  assert.equal(await prunedAfter(patient, [NaN, 1, 2]), false, "nothing before to beat");
  assert.throws(() => new PatientPruner(null, { patience: -1 }), /patience must be .* got -1/);
  assert.throws(() => new PatientPruner(null, { patience: 1, minDelta: -0.1 }), /minDelta/);
});
