import assert from "node:assert/strict";
import { createStudy } from "../create_study.ts";
import type { StudyDirection } from "../frozen_trial.ts";
import { RandomSampler } from "../samplers/random.ts";
import type { Pruner } from "./base.ts";
import { MedianPruner } from "./median.ts";
import { PercentilePruner } from "./percentile.ts";

/** A study whose COMPLETE trials reported `curves[i][step]` at each step. */
async function studyWith(
  pruner: Pruner,
  curves: number[][],
  direction: StudyDirection = "minimize",
) {
  const study = await createStudy({ direction, pruner, sampler: new RandomSampler({ seed: 0 }) });
  for (const curve of curves) {
    await study.addTrial({
      state: "COMPLETE",
      value: curve[curve.length - 1],
      intermediateValues: new Map(curve.map((value, step) => [step, value])),
    });
  }
  return study;
}

/** Whether a new trial reporting `reports` ([step, value] pairs) gets pruned after the last one. */
async function prunedAfter(
  study: Awaited<ReturnType<typeof studyWith>>,
  reports: [number, number][],
) {
  const trial = await study.ask();
  for (const [step, value] of reports) trial.report(value, step);
  return await trial.shouldPrune();
}

const fiveCurves = [[1, 0.5], [2, 1.5], [3, 2.5], [4, 3.5], [5, 4.5]];

Deno.test("MedianPruner prunes a trial worse than the median at its step (minimize)", async () => {
  const study = await studyWith(new MedianPruner(), fiveCurves);
  assert.equal(await prunedAfter(study, [[0, 3.5]]), true);
  assert.equal(await prunedAfter(study, [[0, 3]]), false, "equal to the median survives");
  assert.equal(await prunedAfter(study, [[0, 2.5]]), false);
  assert.equal(await prunedAfter(study, [[0, 9], [1, 2.6]]), true, "median at step 1 is 2.5");
  assert.equal(await prunedAfter(study, [[0, 9], [1, 2.4]]), false);
});

Deno.test("MedianPruner compares the trial's best value so far, not its latest", async () => {
  const study = await studyWith(new MedianPruner(), fiveCurves);
  assert.equal(await prunedAfter(study, [[0, 0.1], [1, 50]]), false);
});

Deno.test("MedianPruner prunes below the median when maximizing", async () => {
  const study = await studyWith(new MedianPruner(), fiveCurves, "maximize");
  assert.equal(await prunedAfter(study, [[0, 2.5]]), true);
  assert.equal(await prunedAfter(study, [[0, 3.5]]), false);
});

Deno.test("MedianPruner waits for nStartupTrials COMPLETE trials", async () => {
  const study = await studyWith(new MedianPruner(), fiveCurves.slice(0, 4));
  assert.equal(await prunedAfter(study, [[0, 100]]), false);
  const early = await studyWith(new MedianPruner({ nStartupTrials: 2 }), fiveCurves.slice(0, 2));
  assert.equal(await prunedAfter(early, [[0, 100]]), true);
});

Deno.test("MedianPruner never prunes during the warm-up steps", async () => {
  const curves = fiveCurves.map(([a, b]) => [a, b, b, b]);
  const study = await studyWith(new MedianPruner({ nWarmupSteps: 2 }), curves);
  assert.equal(await prunedAfter(study, [[0, 100], [1, 100]]), false);
  assert.equal(await prunedAfter(study, [[0, 100], [1, 100], [2, 100]]), true);
});

Deno.test("MedianPruner judges each interval once, at its first report", async () => {
  const curves = fiveCurves.map(([a]) => Array.from({ length: 7 }, () => a));
  const study = await studyWith(new MedianPruner({ intervalSteps: 3 }), curves);
  const bad = (steps: number[]) => steps.map((step) => [step, 100] as [number, number]);
  assert.equal(await prunedAfter(study, bad([0])), true);
  assert.equal(await prunedAfter(study, bad([0, 1])), false, "step 1 is inside the interval");
  assert.equal(await prunedAfter(study, bad([0, 1, 2, 3])), true, "step 3 starts an interval");
  assert.equal(await prunedAfter(study, bad([0, 4])), true, "first report past checkpoint 3");
  assert.equal(await prunedAfter(study, bad([0, 4, 5])), false);
});

Deno.test("MedianPruner needs nMinTrials reports at the step and prunes all-NaN trials", async () => {
  const study = await studyWith(new MedianPruner({ nMinTrials: 2 }), [...fiveCurves, [1, 2, 3]]);
  assert.equal(await prunedAfter(study, [[2, 100]]), false, "only one trial reached step 2");
  assert.equal(await prunedAfter(study, [[1, 100]]), true);
  assert.equal(await prunedAfter(study, [[0, NaN]]), true);
});

Deno.test("PercentilePruner keeps only the given top percentile and checks its options", async () => {
  const study = await studyWith(new PercentilePruner(25), fiveCurves);
  // The 25th percentile of 1…5 is 2.
  assert.equal(await prunedAfter(study, [[0, 2.1]]), true);
  assert.equal(await prunedAfter(study, [[0, 2]]), false);
  assert.throws(() => new PercentilePruner(101), /percentile must be in \[0, 100\], got 101/);
  assert.throws(
    () => new MedianPruner({ intervalSteps: 0 }),
    /intervalSteps must be an integer ≥ 1/,
  );
});
