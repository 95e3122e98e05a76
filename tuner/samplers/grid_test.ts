import assert from "node:assert/strict";
import { createStudy } from "../create_study.ts";
import { InMemoryStorage } from "../in_memory_storage.ts";
import type { Trial } from "../trial.ts";
import { GridSampler } from "./grid.ts";

Deno.test("GridSampler visits every point exactly once, then stops the study", async () => {
  const grid = { lr: [0.1, 0.01, 0.001], optimizer: ["sgd", "adam"] };
  const study = await createStudy({ sampler: new GridSampler(grid, { seed: 3 }) });
  await study.optimize((trial) => {
    const lr = trial.suggestFloat("lr", 1e-4, 1, { log: true });
    const optimizer = trial.suggestCategorical("optimizer", ["sgd", "adam"]);
    return lr * (optimizer === "adam" ? 1 : 2);
  }, { nTrials: 100 });
  assert.equal(study.trials.length, 6);
  const points = study.trials.map((t) => `${t.params.lr}/${t.params.optimizer}`);
  assert.equal(new Set(points).size, 6);
  assert.equal(study.bestValue, 0.001);
});

Deno.test("GridSamplers with one seed sharing a study split the grid, in the order one would take", async () => {
  const grid = { x: [0, 1, 2, 3, 4], y: ["a", "b"] };
  const objective = (trial: Trial) =>
    trial.suggestInt("x", 0, 4) + (trial.suggestCategorical("y", ["a", "b"]) === "a" ? 0 : 10);
  const alone = await createStudy({ sampler: new GridSampler(grid, { seed: 0 }) });
  await alone.optimize(objective, { nTrials: 100 });

  const storage = new InMemoryStorage();
  const workers = [];
  for (let i = 0; i < 2; i++) {
    const sampler = new GridSampler(grid, { seed: 0 });
    workers.push(await createStudy({ name: "grid", storage, sampler, loadIfExists: true }));
  }
  for (const w of [0, 1, 1, 0, 1, 0, 0, 1, 0, 1]) {
    await workers[w].optimize(objective, { nTrials: 1 });
  }
  const trials = await workers[0].getTrials();
  const points = trials.map((t) => `${t.params.x}/${t.params.y}`);
  assert.equal(new Set(points).size, 10, `${points}`);
  assert.deepEqual(trials.map((t) => t.params), alone.trials.map((t) => t.params));
});

Deno.test("GridSampler refuses a parameter it has no values for, and empty value lists", async () => {
  const study = await createStudy({ sampler: new GridSampler({ x: [1, 2] }) });
  await assert.rejects(
    study.optimize((trial) => trial.suggestInt("y", 0, 3), { nTrials: 1 }),
    /Parameter "y" is not in the grid/,
  );
  assert.throws(() => new GridSampler({ x: [] }), /Grid for "x" is \[\]; give a non-empty list/);
});

Deno.test("GridSamplers asked at the same moment take distinct points (a study's parallel lanes)", async () => {
  // Two workers ask together: neither sees the other's point yet, only its running trial.
  const clashes: number[] = [];
  for (let seed = 0; seed < 20; seed++) {
    const storage = new InMemoryStorage();
    const workers = [];
    for (let i = 0; i < 2; i++) {
      // Half the seeds given, half not: unseeded workers draw seeds of their own.
      const sampler = new GridSampler({ lr: [1000, 0.01] }, seed % 2 ? { seed } : {});
      workers.push(
        await createStudy({ name: `race ${seed}`, storage, sampler, loadIfExists: true }),
      );
    }
    const trials = await Promise.all(workers.map((w) => w.ask()));
    const points = trials.map((trial) => trial.suggestCategorical("lr", [1000, 0.01]));
    if (points[0] === points[1]) clashes.push(seed);
  }
  assert.deepEqual(clashes, [], "seeds whose two concurrent trials took the same point");
});
