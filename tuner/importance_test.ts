import assert from "node:assert/strict";
import { createStudy } from "./create_study.ts";
import { paramImportances } from "./importance.ts";
import { RandomSampler } from "./samplers/random.ts";
import type { Trial } from "./trial.ts";

async function trialsOf(objective: (trial: Trial) => number, nTrials = 80) {
  const study = await createStudy({ sampler: new RandomSampler({ seed: 4 }) });
  await study.optimize(objective, { nTrials });
  return study.trials;
}

Deno.test("paramImportances() ranks the parameter that drives the objective first", async () => {
  const trials = await trialsOf((trial) => {
    const x = trial.suggestFloat("x", 0, 1);
    const y = trial.suggestFloat("y", 0, 1);
    return 10 * x + 0.1 * y;
  });
  const ranked = paramImportances(trials);
  assert.deepEqual(ranked.map((p) => p.name), ["x", "y"]);
  assert.ok(ranked[0].importance > 0.9, JSON.stringify(ranked));
  assert.ok(Math.abs(ranked[0].importance + ranked[1].importance - 1) < 1e-12);
});

Deno.test("paramImportances() handles categorical, log and constant parameters", async () => {
  const trials = await trialsOf((trial) => {
    const optimizer = trial.suggestCategorical("optimizer", ["sgd", "rmsprop", "adam"]);
    const lr = trial.suggestFloat("lr", 1e-4, 1e-1, { log: true });
    const epochs = trial.suggestInt("epochs", 5, 5);
    return (optimizer === "adam" ? 0 : optimizer === "sgd" ? 5 : 2) + lr + epochs;
  });
  const ranked = paramImportances(trials);
  assert.deepEqual(ranked.map((p) => p.name), ["optimizer", "lr", "epochs"]);
  assert.equal(ranked[2].importance, 0);
  assert.ok(ranked[0].importance > 0.8, JSON.stringify(ranked));
});

Deno.test("paramImportances() is reproducible for a seed", async () => {
  const trials = await trialsOf(
    (trial) => trial.suggestFloat("a", 0, 1) ** 2 + trial.suggestFloat("b", 0, 1),
    30,
  );
  assert.deepEqual(paramImportances(trials, { seed: 1 }), paramImportances(trials, { seed: 1 }));
});

Deno.test("paramImportances() explains what it cannot rank", async () => {
  const flat = await trialsOf((trial) => trial.suggestFloat("x", 0, 1) * 0 + 1, 5);
  assert.throws(() => paramImportances(flat), /need COMPLETE trials with differing values/);
  assert.throws(
    () => paramImportances(flat, { params: ["z"] }),
    /Parameter "z" is not in every COMPLETE trial/,
  );
});

Deno.test("paramImportances() ranks only the params every COMPLETE trial has", async () => {
  // Momentum only under SGD, as a space with a sub-space per choice gives it: half the trials
  // lack it, so it is not ranked (Optuna 3.1's intersection search space), nor does it throw.
  const trials = await trialsOf((trial) => {
    const type = trial.suggestCategorical("optimizer.type", ["sgd", "adam"]);
    const lr = trial.suggestFloat("optimizer.lr", 0, 1);
    const momentum = type === "sgd" ? trial.suggestFloat("optimizer.momentum", 0, 0.99) : 0;
    return 10 * lr + momentum;
  });
  const withMomentum = trials.filter((trial) => "optimizer.momentum" in trial.params).length;
  assert.ok(withMomentum > 20 && withMomentum < 60, `${withMomentum} of 80 have momentum`);
  const ranked = paramImportances(trials);
  assert.deepEqual(ranked.map((p) => p.name), ["optimizer.lr", "optimizer.type"]);
  const total = ranked.reduce((sum, p) => sum + p.importance, 0);
  assert.ok(Math.abs(total - 1) < 1e-12, `importances sum to ${total}`);
  assert.throws(
    () => paramImportances(trials, { params: ["optimizer.momentum"] }),
    /"optimizer\.momentum" is not in every COMPLETE trial/,
  );
});
