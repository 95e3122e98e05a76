import assert from "node:assert/strict";
import { createStudy } from "../../create_study.ts";
import { InMemoryStorage } from "../../in_memory_storage.ts";
import type { Sampler } from "../base.ts";
import { RandomSampler } from "../random.ts";
import type { Trial } from "../../trial.ts";
import { defaultGamma, defaultWeights, TpeSampler } from "./sampler.ts";

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function quadratic(trial: Trial): number {
  const x = trial.suggestFloat("x", -5, 5);
  const y = trial.suggestFloat("y", -5, 5);
  return (x - 1) ** 2 + (y + 2) ** 2;
}

async function bestValue(sampler: Sampler, objective: (trial: Trial) => number, nTrials = 50) {
  const study = await createStudy({ sampler });
  await study.optimize(objective, { nTrials });
  return study;
}

Deno.test("TpeSampler beats RandomSampler on a 2-D quadratic (median best of 20 seeds)", async () => {
  const tpe: number[] = [], random: number[] = [];
  for (let seed = 0; seed < 20; seed++) {
    tpe.push((await bestValue(new TpeSampler({ seed }), quadratic)).bestValue);
    random.push((await bestValue(new RandomSampler({ seed }), quadratic)).bestValue);
  }
  assert.ok(median(tpe) < median(random) / 2, `TPE ${median(tpe)} vs random ${median(random)}`);
});

Deno.test("TpeSampler with multivariate also beats RandomSampler on the quadratic", async () => {
  const tpe: number[] = [], random: number[] = [];
  for (let seed = 0; seed < 10; seed++) {
    const sampler = new TpeSampler({ seed, multivariate: true });
    tpe.push((await bestValue(sampler, quadratic)).bestValue);
    random.push((await bestValue(new RandomSampler({ seed }), quadratic)).bestValue);
  }
  assert.ok(median(tpe) < median(random) / 2, `TPE ${median(tpe)} vs random ${median(random)}`);
});

Deno.test("TpeSampler keeps every kind of parameter in range, on its step, among its choices", async () => {
  for (const multivariate of [false, true]) {
    const study = await bestValue(new TpeSampler({ seed: 5, multivariate }), (trial) => {
      const lr = trial.suggestFloat("lr", 1e-5, 1, { log: true });
      const dropout = trial.suggestFloat("dropout", 0, 0.5, { step: 0.1 });
      const units = trial.suggestInt("units", 64, 1024, { step: 64 });
      const batch = trial.suggestInt("batch", 16, 1024, { log: true });
      const layers = trial.suggestInt("layers", 1, 4);
      const optimizer = trial.suggestCategorical("optimizer", ["sgd", "rmsprop", "adam"]);
      return (Math.log10(lr) + 3) ** 2 + dropout + Math.abs(units - 512) / 512 +
        Math.abs(Math.log2(batch) - 7) + layers + (optimizer === "adam" ? 0 : 1);
    }, 40);
    for (const trial of study.trials) {
      for (const [name, value] of Object.entries(trial.params)) {
        const distribution = trial.distributions[name];
        assert.ok(distribution.contains(distribution.toInternal(value)), `${name} = ${value}`);
      }
    }
  }
});

Deno.test("TpeSampler learns which categorical choice is best", async () => {
  let adam = 0;
  for (let seed = 0; seed < 5; seed++) {
    const study = await bestValue(new TpeSampler({ seed }), (trial) => {
      const optimizer = trial.suggestCategorical("optimizer", ["sgd", "rmsprop", "adam"]);
      const x = trial.suggestFloat("x", -1, 1);
      return x * x + (optimizer === "adam" ? 0 : optimizer === "rmsprop" ? 1 : 2);
    }, 30);
    adam += study.trials.slice(10).filter((t) => t.params.optimizer === "adam").length;
  }
  // Random sampling would pick adam for a third of the 100 trials after the startup.
  assert.ok(adam > 60, `adam in ${adam} of 100 TPE trials`);
});

Deno.test("TpeSampler finds the valley of a log-scaled learning rate", async () => {
  const valley = (trial: Trial) =>
    (Math.log10(trial.suggestFloat("lr", 1e-5, 1, { log: true })) + 2.5) ** 2;
  const bests: number[] = [];
  for (let seed = 0; seed < 5; seed++) {
    bests.push((await bestValue(new TpeSampler({ seed }), valley, 40)).bestValue);
  }
  assert.ok(median(bests) < 0.01, `median best ${median(bests)}`);
});

Deno.test("TpeSampler with the same seed repeats the same search", async () => {
  const run = async (seed: number) =>
    (await bestValue(new TpeSampler({ seed }), quadratic, 20)).trials.map((t) => t.params);
  assert.deepEqual(await run(11), await run(11));
  assert.notDeepEqual(await run(11), await run(12));
});

Deno.test("TpeSamplers with one seed sharing a study draw per trial number, never each other's points", async () => {
  const options = { seed: 0, nStartupTrials: 5 };
  const alone = await bestValue(new TpeSampler(options), quadratic, 14);

  const storage = new InMemoryStorage();
  const workers = [];
  for (let i = 0; i < 2; i++) {
    const sampler = new TpeSampler(options);
    workers.push(await createStudy({ name: "shared", storage, sampler, loadIfExists: true }));
  }
  // Start-up trials 0..4, then TPE trials 5..13, taken in uneven turns.
  for (const w of [0, 0, 1, 1, 0, 1, 0, 0, 0, 1, 1, 1, 0, 1]) {
    await workers[w].optimize(quadratic, { nTrials: 1 });
  }
  const trials = await workers[1].getTrials();
  const xs = trials.map((trial) => trial.params.x);
  assert.equal(new Set(xs).size, 14, `x = ${xs}`);
  assert.deepEqual(trials.map((t) => t.params), alone.trials.map((t) => t.params));

  // Two TPE trials asked at once, before either is told, from the same history.
  const together = [await workers[0].ask(), await workers[1].ask()];
  const x = together.map((trial) => trial.suggestFloat("x", -5, 5));
  assert.notEqual(x[0], x[1]);
});

Deno.test("TpeSampler with constantLiar keeps trials that run at once apart", async () => {
  /** How many of 8 trials asked together land within 0.5 of one asked before them. */
  const crowded = async (constantLiar: boolean) => {
    let count = 0;
    for (let seed = 0; seed < 10; seed++) {
      const study = await createStudy({ sampler: new TpeSampler({ seed, constantLiar }) });
      await study.optimize((t) => (t.suggestFloat("x", -10, 10) - 3) ** 2, { nTrials: 20 });
      const running: number[] = [];
      for (let i = 0; i < 8; i++) {
        const x = (await study.ask()).suggestFloat("x", -10, 10);
        if (running.some((other) => Math.abs(x - other) < 0.5)) count++;
        running.push(x);
      }
    }
    return count;
  };
  const [alone, liar] = [await crowded(false), await crowded(true)];
  assert.ok(2 * liar < alone, `crowded trials with liar ${liar}, without ${alone} (of 70)`);
});

Deno.test("TpeSampler options are validated at construction", () => {
  assert.throws(
    () => new TpeSampler({ nStartupTrials: -1 }),
    /nStartupTrials must be an integer ≥ 0/,
  );
  assert.throws(() => new TpeSampler({ nEiCandidates: 0 }), /nEiCandidates must be an integer ≥ 1/);
  assert.throws(() => new TpeSampler({ priorWeight: 0 }), /priorWeight must be positive/);
});

Deno.test("defaultGamma() and defaultWeights() follow Optuna's defaults", () => {
  assert.deepEqual([1, 10, 11, 100, 300].map(defaultGamma), [1, 1, 2, 10, 25]);
  assert.deepEqual(defaultWeights(3), [1, 1, 1]);
  const weights = defaultWeights(30);
  assert.equal(weights.length, 30);
  assert.equal(weights[0], 1 / 30);
  assert.equal(weights[4], 1);
  assert.ok(weights[1] > weights[0] && weights[3] > weights[2]);
  assert.deepEqual(defaultWeights(26).slice(0, 2), [1 / 26, 1]);
});
