import assert from "node:assert/strict";
import { createStudy } from "../../create_study.ts";
import { InMemoryStorage } from "../../in_memory_storage.ts";
import type { Trial } from "../../trial.ts";
import { QmcSampler } from "./sampler.ts";
import { Sobol } from "./sequences.ts";

function objective(trial: Trial): number {
  const x = trial.suggestFloat("x", -1, 1);
  const units = trial.suggestInt("units", 1, 8);
  const lr = trial.suggestFloat("lr", 1e-4, 1e-1, { log: true });
  const act = trial.suggestCategorical("act", ["relu", "tanh"]);
  return x * x + units / 8 + Math.abs(Math.log10(lr) + 2) + (act === "relu" ? 0 : 0.1);
}

Deno.test("QMC: after a random first trial, trial k takes Sobol point k − 1 of the float/int box", async () => {
  const study = await createStudy({ sampler: new QmcSampler({ seed: 0 }) });
  await study.optimize(objective, { nTrials: 17 });
  // Dimensions in the order the first trial suggested them: x, units, lr.
  const sobol = new Sobol(3);
  for (const trial of study.trials.slice(1)) {
    const [u2, u1, u0] = sobol.point(trial.number - 1);
    assert.ok(
      Math.abs(Math.log(trial.params.lr as number) - (Math.log(1e-4) + u0 * Math.log(1e3))) < 1e-9,
    );
    assert.equal(trial.params.units, Math.min(8, Math.max(1, Math.round(0.5 + u1 * 8))));
    assert.ok(Math.abs((trial.params.x as number) - (-1 + 2 * u2)) < 1e-12);
  }
  // Point 0 is the lower corner, point 1 the middle.
  assert.deepEqual(study.trials[1].params.units, 1);
  assert.equal(study.trials[2].params.x, 0);
  // The categorical param is drawn at random: both choices appear.
  assert.equal(new Set(study.trials.map((t) => t.params.act)).size, 2);
});

Deno.test("QMC: a seeded scrambled study repeats; two workers on one study never repeat a point", async () => {
  const run = async (seed: number) => {
    const study = await createStudy({
      sampler: new QmcSampler({ qmcType: "halton", scramble: true, seed }),
    });
    await study.optimize(objective, { nTrials: 12 });
    return study.trials.map((t) => t.params);
  };
  assert.deepEqual(await run(4), await run(4));
  assert.notDeepEqual((await run(4)).slice(1), (await run(5)).slice(1));

  const storage = new InMemoryStorage();
  const workers = [];
  for (let w = 0; w < 2; w++) {
    workers.push(
      await createStudy({
        name: "shared",
        storage,
        loadIfExists: true,
        sampler: new QmcSampler({ scramble: true, seed: 9 }),
      }),
    );
  }
  // Both start trials before either finishes, as parallel workers do.
  for (let round = 0; round < 8; round++) {
    const asked = [await workers[0].ask(), await workers[1].ask()];
    await workers[0].tell(asked[0], objective(asked[0]));
    await workers[1].tell(asked[1], objective(asked[1]));
  }
  const xs = (await workers[0].getTrials()).map((t) => t.params.x);
  assert.equal(new Set(xs).size, xs.length, "every trial has its own point");
});
