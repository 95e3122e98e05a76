import assert from "node:assert/strict";
import { FloatDistribution } from "./distributions.ts";
import { InMemoryStorage } from "./in_memory_storage.ts";

Deno.test("InMemoryStorage.createTrial() claims the oldest WAITING trial before numbering a new one", async () => {
  const storage = new InMemoryStorage();
  const { id } = await storage.createStudy("s", "minimize");
  await storage.createTrial(id, { state: "WAITING", systemAttrs: { fixed_params: { x: 1 } } });
  await storage.createTrial(id, { state: "WAITING", systemAttrs: { fixed_params: { x: 2 } } });
  const first = await storage.createTrial(id);
  assert.deepEqual([first.number, first.state, first.systemAttrs.fixed_params], [0, "RUNNING", {
    x: 1,
  }]);
  assert.ok(first.datetimeStart instanceof Date);
  assert.equal((await storage.createTrial(id)).number, 1);
  assert.equal((await storage.createTrial(id)).number, 2);
  assert.deepEqual((await storage.getAllTrials(id, ["RUNNING"])).length, 3);
});

Deno.test("InMemoryStorage never changes a trial object it handed out", async () => {
  const storage = new InMemoryStorage();
  const { id } = await storage.createStudy("s", "maximize");
  const trial = await storage.createTrial(id);
  await storage.setTrialParam(trial.id, "x", 0.5, new FloatDistribution(0, 1));
  await storage.setTrialIntermediateValue(trial.id, 0, 0.1);
  await storage.setTrialState(trial.id, "COMPLETE", 0.9);
  assert.deepEqual([trial.params, trial.intermediateValues.size, trial.state], [{}, 0, "RUNNING"]);
  const done = await storage.getTrial(trial.id);
  assert.deepEqual([done.params, done.intermediateValues.get(0), done.state, done.value], [
    { x: 0.5 },
    0.1,
    "COMPLETE",
    0.9,
  ]);
  assert.ok(done.datetimeComplete instanceof Date);
});

Deno.test("InMemoryStorage refuses changes to finished trials and duplicate study names", async () => {
  const storage = new InMemoryStorage();
  const { id } = await storage.createStudy("s", "minimize");
  await assert.rejects(storage.createStudy("s", "minimize"), /Study "s" already exists/);
  const trial = await storage.createTrial(id);
  await storage.setTrialState(trial.id, "FAIL");
  await assert.rejects(storage.setTrialUserAttr(trial.id, "k", 1), /Trial 0 is already FAIL/);
  await assert.rejects(storage.setTrialState(trial.id, "RUNNING"), /already FAIL/);
  await assert.rejects(storage.getTrial(99), /No trial with id 99/);
  assert.equal(await storage.getStudy("missing"), null);
});
