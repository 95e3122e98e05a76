import assert from "node:assert/strict";
import { Rng } from "../../engine/random.ts";
import { createStudy } from "../create_study.ts";
import { InMemoryStorage } from "../in_memory_storage.ts";
import { CategoricalDistribution, FloatDistribution, IntDistribution } from "../distributions.ts";
import type { Trial } from "../trial.ts";
import { RandomSampler, sampleUniform } from "./random.ts";

function objective(trial: Trial): number {
  const lr = trial.suggestFloat("lr", 1e-5, 1, { log: true });
  const units = trial.suggestInt("units", 16, 256, { step: 16 });
  const activation = trial.suggestCategorical("activation", ["relu", "tanh", "gelu"]);
  return Math.log10(lr) + units / 100 + activation.length;
}

async function paramsForSeed(seed: number, nTrials = 5) {
  const study = await createStudy({ sampler: new RandomSampler({ seed }) });
  await study.optimize(objective, { nTrials });
  return study.trials.map((trial) => trial.params);
}

Deno.test("RandomSampler gives the same parameters for the same seed", async () => {
  assert.deepEqual(await paramsForSeed(7), await paramsForSeed(7));
  assert.notDeepEqual(await paramsForSeed(7), await paramsForSeed(8));
});

Deno.test("RandomSamplers with one seed sharing a study draw per trial number, never each other's points", async () => {
  // Two workers, each with its own sampler built from the same seed, as `deno task tune` runs.
  const storage = new InMemoryStorage();
  const workers = [];
  for (let i = 0; i < 2; i++) {
    const sampler = new RandomSampler({ seed: 0 });
    workers.push(await createStudy({ name: "shared", storage, sampler, loadIfExists: true }));
  }
  // Uneven turns (a worker that resumes the study after the other), then two trials at once.
  for (const w of [0, 0, 1, 1, 1, 0]) await workers[w].optimize(objective, { nTrials: 1 });
  const together = [await workers[0].ask(), await workers[1].ask()];
  for (const trial of together) await workers[0].tell(trial, objective(trial));

  const trials = await workers[1].getTrials();
  const lrs = trials.map((trial) => trial.params.lr);
  assert.equal(new Set(lrs).size, 8, `learning rates ${lrs}`);
  assert.deepEqual(trials.map((trial) => trial.params), await paramsForSeed(0, 8));
});

Deno.test("RandomSampler without a seed draws differently in each instance", async () => {
  const study = async () => {
    const s = await createStudy({ sampler: new RandomSampler() });
    await s.optimize(objective, { nTrials: 3 });
    return s.trials.map((trial) => trial.params.lr);
  };
  const [a, b] = [await study(), await study()];
  assert.equal(new Set([...a, ...b]).size, 6, `${a} / ${b}`);
});

Deno.test("sampleUniform() stays in range and on the step grid for every kind", () => {
  const rng = new Rng(0);
  const kinds = [
    new FloatDistribution(-2, 3),
    new FloatDistribution(1e-5, 1, { log: true }),
    new FloatDistribution(0, 1, { step: 0.25 }),
    new IntDistribution(1, 1000, { log: true }),
    new IntDistribution(32, 512, { step: 32 }),
    new CategoricalDistribution(["a", "b", "c"]),
  ];
  for (const distribution of kinds) {
    for (let i = 0; i < 500; i++) {
      const value = sampleUniform(rng, distribution);
      assert.ok(
        distribution.contains(distribution.toInternal(value)),
        `${value} in ${distribution.type}`,
      );
    }
  }
});

Deno.test("sampleUniform() on a log range spreads evenly over the decades", () => {
  const rng = new Rng(1);
  const distribution = new FloatDistribution(1e-4, 1, { log: true });
  const perDecade = [0, 0, 0, 0];
  for (let i = 0; i < 4000; i++) {
    perDecade[Math.min(3, Math.floor(-Math.log10(sampleUniform(rng, distribution) as number)))]++;
  }
  for (const count of perDecade) assert.ok(Math.abs(count - 1000) < 120, `${perDecade}`);
});

Deno.test("sampleUniform() reaches both ends of stepped and integer ranges", () => {
  const rng = new Rng(2);
  const seen = new Set<unknown>();
  const distribution = new IntDistribution(1, 4);
  for (let i = 0; i < 200; i++) seen.add(sampleUniform(rng, distribution));
  assert.deepEqual([...seen].sort(), [1, 2, 3, 4]);
});
