import assert from "node:assert/strict";
import { createStudy } from "../../create_study.ts";
import type { FrozenTrial } from "../../frozen_trial.ts";
import { InMemoryStorage } from "../../in_memory_storage.ts";
import type { Trial } from "../../trial.ts";
import { RandomSampler } from "../random.ts";
import { CmaEsSampler } from "./sampler.ts";

// Minimum 0 at lr = 10^-2.5, units = 5, x = 0.3; lr on a log range, units an integer.
function objective(trial: Trial): number {
  const lr = trial.suggestFloat("lr", 1e-4, 1e-1, { log: true });
  const units = trial.suggestInt("units", 1, 10);
  const x = trial.suggestFloat("x", -3, 3);
  return (Math.log10(lr) + 2.5) ** 2 + ((units - 5) / 2) ** 2 + (x - 0.3) ** 2;
}

const generation = (t: FrozenTrial) => t.systemAttrs["cma:generation"];

Deno.test("CMA-ES finds a quadratic's minimum over log, integer and float params; random does not", async () => {
  const best = async (sampler: CmaEsSampler | RandomSampler) => {
    const study = await createStudy({ sampler });
    await study.optimize(objective, { nTrials: 150 });
    return study;
  };
  const cma = await best(new CmaEsSampler({ seed: 1 }));
  const random = await best(new RandomSampler({ seed: 1 }));
  assert.ok(cma.bestValue < 1e-3, `CMA-ES best after 150 trials: ${cma.bestValue}`);
  assert.ok(cma.bestValue < random.bestValue / 10, `random: ${random.bestValue}`);
  assert.equal(cma.bestParams.units, 5);
  // Trial 0 is the independent (startup) trial; then generations of popsize 7 (4 + ⌊3 ln 3⌋).
  assert.equal(generation(cma.trials[0]), undefined);
  assert.deepEqual(
    cma.trials.slice(1, 16).map(generation),
    [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 2],
  );
  assert.ok(cma.trials[8].systemAttrs["cma:optimizer"], "the trial telling generation 0 keeps it");
  for (const t of cma.trials) assert.ok(Number.isInteger(t.params.units));
});

Deno.test("CMA-ES state lives in the trials: workers alternating on one storage share one run", async () => {
  const storage = new InMemoryStorage();
  const studies = [];
  for (const worker of [1, 2]) {
    studies.push(
      await createStudy({
        name: "shared",
        storage,
        loadIfExists: true,
        sampler: new CmaEsSampler({ seed: 7 + worker }),
      }),
    );
  }
  for (let i = 0; i < 60; i++) {
    const study = studies[i % 2];
    const trial = await study.ask();
    await study.tell(trial, objective(trial));
  }
  const trials = await studies[0].getTrials();
  const generations = trials.slice(1).map(generation) as number[];
  // One sequence of generations, each of popsize trials, whichever worker ran them.
  generations.forEach((g, i) => assert.equal(g, Math.floor(i / 7), `trial ${i + 1}`));
  // A third, fresh sampler (a restarted worker) continues the same generation count.
  const resumed = await createStudy({
    name: "shared",
    storage,
    loadIfExists: true,
    sampler: new CmaEsSampler({ seed: 99 }),
  });
  const next = await resumed.ask();
  await resumed.tell(next, objective(next));
  assert.equal(generation((await resumed.getTrials())[60]), 8);
  const keys = new Set(trials.map((t) => JSON.stringify(t.params)));
  assert.equal(keys.size, trials.length, "no two trials share a solution");
});

Deno.test("CMA-ES samples categorical params independently and restarts with IPOP", async () => {
  const study = await createStudy({
    sampler: new CmaEsSampler({ seed: 3, restartStrategy: "ipop", popsize: 4 }),
  });
  const seen = new Set<string>();
  await study.optimize((trial) => {
    const x = trial.suggestFloat("x", 0, 1);
    const y = trial.suggestFloat("y", 0, 1);
    seen.add(trial.suggestCategorical("act", ["relu", "tanh", "gelu"]));
    // Flat: after 10 + 30·2/4 = 25 generations without any spread in values cmaes' tolfun test
    // stops CMA-ES, and IPOP restarts it.
    return x * 0 + y * 0 + 1;
  }, { nTrials: 150 });
  assert.equal(seen.size, 3);
  const restarts = study.trials.map((t) => (t.systemAttrs["cma:n_restarts"] as number) ?? 0);
  assert.ok(Math.max(...restarts) >= 1, `restarts seen: ${Math.max(...restarts)}`);
  // After the first restart the population doubles: 8 trials per generation.
  const first = study.trials.filter((t) => t.systemAttrs["cma:n_restarts"] === 1);
  const perGeneration = new Map<unknown, number>();
  for (const t of first) {
    const g = t.systemAttrs["cma:restart_1:generation"];
    perGeneration.set(g, (perGeneration.get(g) ?? 0) + 1);
  }
  assert.equal(perGeneration.get(0), 8);
});

Deno.test("CMA-ES counts pruned trials at their last report only with considerPrunedTrials", async () => {
  const generations = async (considerPrunedTrials: boolean) => {
    const study = await createStudy({
      sampler: new CmaEsSampler({ seed: 2, popsize: 3, considerPrunedTrials }),
    });
    for (let i = 0; i < 12; i++) {
      const trial = await study.ask();
      const x = trial.suggestFloat("x", 0, 1), y = trial.suggestFloat("y", 0, 1);
      trial.report(x + y, 1);
      // The first trial completes (CMA-ES needs one); the rest are pruned after one report.
      await study.tell(trial, i === 0 ? x + y : "PRUNED");
    }
    return study.trials.map((t) => t.systemAttrs["cma:generation"] ?? null);
  };
  assert.deepEqual(await generations(true), [null, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3]);
  // Without it the pruned trials never make a generation: all wait in generation 0.
  assert.deepEqual(await generations(false), [null, ...Array(11).fill(0)]);
});

Deno.test("BIPOP restarts once with a large population, then alternates to a small one", async () => {
  const study = await createStudy({
    sampler: new CmaEsSampler({ seed: 4, restartStrategy: "bipop", popsize: 4 }),
  });
  // Flat: each run stops on cmaes' tolfun test (10 + ⌈30·2/popsize⌉ generations).
  await study.optimize(
    (trial) => trial.suggestFloat("x", 0, 1) * 0 + trial.suggestFloat("y", 0, 1) * 0,
    {
      nTrials: 330,
    },
  );
  const perGeneration = (restart: number) => {
    const counts = new Map<unknown, number>();
    for (const t of study.trials) {
      if (t.systemAttrs["cma:n_restarts"] !== restart) continue;
      const g = t.systemAttrs[`cma:restart_${restart}:generation`];
      counts.set(g, (counts.get(g) ?? 0) + 1);
    }
    return counts.get(0);
  };
  const bipop = study.trials.map((t) => t.systemAttrs["cma:bipop"]).filter((b) => b);
  assert.deepEqual(bipop[0], {
    nRestartsWithLarge: 0,
    poptype: "small",
    smallNEval: 0,
    largeNEval: 0,
  });
  assert.equal(perGeneration(0), 4);
  assert.equal(perGeneration(1), 8, "the first restart is large: 4 · 2");
  const small = perGeneration(2)!;
  assert.ok(small >= 4 && small < 8, `the second is small: ⌊4 · 2^(u²)⌋ = ${small}`);
  const last = bipop[bipop.length - 1] as { poptype: string; nRestartsWithLarge: number };
  assert.equal(last.poptype, "small");
  assert.equal(last.nRestartsWithLarge, 1);
});
