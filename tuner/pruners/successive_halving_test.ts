import assert from "node:assert/strict";
import { createStudy } from "../create_study.ts";
import type { FrozenTrial } from "../frozen_trial.ts";
import { RandomSampler } from "../samplers/random.ts";
import type { Study } from "../study.ts";
import {
  SuccessiveHalvingPruner,
  type SuccessiveHalvingPrunerOptions,
} from "./successive_halving.ts";

/** A study whose finished trials recorded these values at rungs 0, 1, … */
async function studyWithRungs(options: SuccessiveHalvingPrunerOptions, rungs: number[][]) {
  const pruner = new SuccessiveHalvingPruner(options);
  const study = await createStudy({ pruner, sampler: new RandomSampler({ seed: 0 }) });
  for (const values of rungs) {
    const systemAttrs = Object.fromEntries(values.map((v, rung) => [`completed_rung_${rung}`, v]));
    await study.addTrial({ state: "PRUNED", systemAttrs });
  }
  return study;
}

async function report(study: Study, reports: [number, number][]) {
  const trial = await study.ask();
  const decisions: boolean[] = [];
  for (const [step, value] of reports) {
    trial.report(value, step);
    decisions.push(await trial.shouldPrune());
  }
  const frozen: FrozenTrial = await study.storage.getTrial(trial.id);
  return { decisions, systemAttrs: frozen.systemAttrs };
}

Deno.test("SuccessiveHalvingPruner promotes only the top 1/reductionFactor of a rung", async () => {
  // Rungs at steps 1, 2, 4 (minResource 1, reductionFactor 2).
  const options = { minResource: 1, reductionFactor: 2 };
  const study = await studyWithRungs(options, [[0.1, 0.5], [0.2], [0.3]]);
  // Rung 0 then holds [0.1, 0.2, 0.3, 0.25]: only the best ⌊4/2⌋ = 2 (≤ 0.2) go on.
  assert.deepEqual((await report(study, [[0, 9], [1, 0.25]])).decisions, [false, true]);
  const promoted = await report(study, [[0, 9], [1, 0.15], [2, 0.05], [3, 9]]);
  assert.deepEqual(promoted.decisions, [false, false, false, false]);
  assert.equal(promoted.systemAttrs.completed_rung_0, 0.15);
  assert.equal(promoted.systemAttrs.completed_rung_1, 0.05);
  // Rung 1 holds [0.5, 0.05] and now 0.6: the best ⌊3/2⌋ = 1 is 0.05.
  const late = await report(study, [[1, 0.12], [2, 0.6]]);
  assert.deepEqual(late.decisions, [false, true]);
});

Deno.test("SuccessiveHalvingPruner with minResource 1 and defaults puts rungs at steps 1, 4, 16", async () => {
  const study = await studyWithRungs({ minResource: 1 }, [
    [0.1],
    [0.2],
    [0.3],
    [0.4],
    [0.5],
    [0.6],
    [0.7],
  ]);
  // Rung 0 with 8 values promotes the best ⌊8/4⌋ = 2 (0.1 and 0.15); steps 2, 3 lie between rungs.
  const { decisions } = await report(study, [[1, 0.15], [2, 9], [3, 9], [4, 9]]);
  assert.deepEqual(decisions, [false, false, false, false], "first at rung 1 is promoted");
  assert.deepEqual((await report(study, [[1, 0.25]])).decisions, [true]);
});

Deno.test("SuccessiveHalvingPruner with minResource auto waits for a COMPLETE trial", async () => {
  const pruner = new SuccessiveHalvingPruner({ minResource: "auto", reductionFactor: 2 });
  const study = await createStudy({ pruner, sampler: new RandomSampler({ seed: 0 }) });
  assert.deepEqual((await report(study, [[5, 1]])).decisions, [false]);
  await study.addTrial({
    state: "COMPLETE",
    value: 0,
    intermediateValues: new Map([[300, 0]]),
    systemAttrs: { completed_rung_0: 0.1 },
  });
  // min resource ⌊300 / 100⌋ = 3: step 2 is before rung 0, step 3 reaches it.
  assert.deepEqual((await report(study, [[2, 1], [3, 1]])).decisions, [false, true]);
});

Deno.test("SuccessiveHalvingPruner defaults to minResource auto, as Optuna", async () => {
  const study = await studyWithRungs({}, [[0.1], [0.2], [0.3]]);
  // No COMPLETE trial yet: nothing is pruned, however poor, and no rung is recorded.
  const early = await report(study, [[1, 9], [4, 9], [16, 9]]);
  assert.deepEqual(early.decisions, [false, false, false]);
  assert.equal(early.systemAttrs.completed_rung_0, undefined);
  await study.addTrial({ state: "COMPLETE", value: 0, intermediateValues: new Map([[50, 0]]) });
  // max(1, ⌊50 / 100⌋) = 1: rung 0 at step 1, where 9 is the worst of four.
  assert.deepEqual((await report(study, [[1, 9]])).decisions, [true]);
});

Deno.test("SuccessiveHalvingPruner rejects invalid options", () => {
  assert.throws(() => new SuccessiveHalvingPruner({ minResource: 0 }), /minResource must be/);
  assert.throws(() => new SuccessiveHalvingPruner({ reductionFactor: 1 }), /reductionFactor/);
  assert.throws(
    () => new SuccessiveHalvingPruner({ bootstrapCount: 2 }),
    /needs a numeric minResource/,
  );
});
