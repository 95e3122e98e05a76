import assert from "node:assert/strict";
import { createStudy } from "../create_study.ts";
import type { Distribution } from "../distributions.ts";
import type { FrozenTrial } from "../frozen_trial.ts";
import type { Pruner } from "./base.ts";
import { RandomSampler } from "../samplers/random.ts";
import type { Study } from "../study.ts";
import { HyperbandPruner } from "./hyperband.ts";
import { MedianPruner } from "./median.ts";
import { TrialPruned } from "../errors.ts";

/** Random sampling that records, per call, which trial it sampled and which trials it saw. */
class RecordingSampler extends RandomSampler {
  seen: { method: string; number: number; trials: number[] }[] = [];
  #record(method: string, study: Study, trial: FrozenTrial) {
    this.seen.push({ method, number: trial.number, trials: study.trials.map((t) => t.number) });
  }
  override inferRelativeSearchSpace(study?: Study, trial?: FrozenTrial) {
    this.#record("inferRelativeSearchSpace", study!, trial!);
    return {};
  }
  override sampleIndependent(study: Study, trial: FrozenTrial, name: string, d: Distribution) {
    this.#record("sampleIndependent", study, trial);
    return super.sampleIndependent(study, trial, name, d);
  }
  afterTrial(study: Study, trial: FrozenTrial) {
    this.#record("afterTrial", study, trial);
  }
}

async function run(pruner: Pruner) {
  const sampler = new RecordingSampler({ seed: 1 });
  const study = await createStudy({ name: "brackets", sampler, pruner });
  await study.optimize(async (trial) => {
    const x = trial.suggestFloat("x", 0, 1);
    for (let step = 0; step < 9; step++) {
      trial.report(x + 1 / (step + 1), step);
      if (await trial.shouldPrune()) throw new TrialPruned();
    }
    return x;
  }, { nTrials: 40 });
  return sampler.seen;
}

Deno.test("under Hyperband the sampler sees only the trials of the sampled trial's bracket", async () => {
  const pruner = new HyperbandPruner({ minResource: 1, maxResource: 9, reductionFactor: 3 });
  const seen = await run(pruner);
  assert.equal(pruner.budgets.length, 3);
  const bracket = (n: number) => pruner.bracketOf("brackets", n);
  let hidden = 0;
  for (const { method, number, trials } of seen) {
    for (const t of trials) {
      assert.equal(bracket(t), bracket(number), `${method} of trial ${number} saw trial ${t}`);
    }
    hidden += number - trials.filter((t) => t < number).length;
  }
  assert.ok(hidden > 0, "other brackets' trials are hidden");
  // Every method sees the same view: the sampled trial itself is in it.
  for (const { number, trials } of seen) assert.ok(trials.includes(number));
});

Deno.test("other pruners leave the sampler the whole study", async () => {
  const seen = await run(new MedianPruner());
  for (const { number, trials } of seen) {
    assert.deepEqual(trials.filter((t) => t < number), [...Array(number).keys()]);
  }
});
