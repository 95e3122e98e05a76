import assert from "node:assert/strict";
import {
  CategoricalDistribution,
  FloatDistribution,
  IntDistribution,
} from "../tuner/distributions.ts";
import { withStorages } from "../tests/storage_pair.ts";
import { LibsqlStorage } from "./tuner_storage.ts";

Deno.test("LibsqlStorage round-trips params, intermediate values and final state", async () => {
  await withStorages(async (a, b) => {
    const study = await a.createStudy("params", "maximize");
    const trial = await a.createTrial(study.id);
    await a.setTrialParam(
      trial.id,
      "optimizer.lr",
      0.001,
      new FloatDistribution(1e-5, 1, { log: true }),
    );
    await a.setTrialParam(trial.id, "batch.size", 64, new IntDistribution(16, 512, { log: true }));
    await a.setTrialParam(
      trial.id,
      "optimizer.type",
      "sgd",
      new CategoricalDistribution(["adam", "sgd"]),
    );
    await a.setTrialIntermediateValue(trial.id, 1, 0.5);
    await a.setTrialIntermediateValue(trial.id, 2, 0.75);
    await a.setTrialState(trial.id, "COMPLETE", 0.8);
    const [read] = await b.getAllTrials(study.id);
    assert.deepEqual(read.params, {
      "optimizer.lr": 0.001,
      "batch.size": 64,
      "optimizer.type": "sgd",
    });
    assert.deepEqual([...read.intermediateValues], [[1, 0.5], [2, 0.75]]);
    assert.equal(read.state, "COMPLETE");
    assert.equal(read.value, 0.8);
    assert.ok(read.distributions["optimizer.lr"] instanceof FloatDistribution);
    await assert.rejects(() => a.setTrialState(trial.id, "FAIL"), /already COMPLETE/);
    assert.deepEqual(await b.getAllTrials(study.id, ["RUNNING"]), []);
    // The single-statement writes refuse a finished trial as the transactions did, writing nothing.
    const x = new FloatDistribution(0, 1);
    await assert.rejects(() => a.setTrialParam(trial.id, "x", 0.5, x), /already COMPLETE/);
    await assert.rejects(() => a.setTrialIntermediateValue(trial.id, 3, 0.9), /already COMPLETE/);
    await assert.rejects(() => a.setTrialUserAttr(trial.id, "k", 1), /already COMPLETE/);
    await assert.rejects(() => a.setTrialParam(99999, "x", 0.5, x), /No trial with id 99999/);
    const [after] = await b.getAllTrials(study.id);
    assert.ok(!("x" in after.params) && !after.intermediateValues.has(3));
  });
});

Deno.test("LibsqlStorage.setTrialState() starts a WAITING trial for exactly one of two workers", async () => {
  await withStorages(async (a, b) => {
    const study = await a.createStudy("start", "maximize");
    const waiting = await a.createTrial(study.id, { state: "WAITING" });
    const results = await Promise.allSettled(
      [a, b, a, b].map((s) => s.setTrialState(waiting.id, "RUNNING")),
    );
    assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
    for (const r of results) {
      if (r.status === "rejected") {
        assert.match(String(r.reason), /is RUNNING; only a WAITING trial can start/);
      }
    }
    const started = await a.getTrial(waiting.id);
    assert.equal(started.state, "RUNNING");
    assert.ok(["a", "b"].includes(String(started.systemAttrs.worker)));
    await a.setTrialState(waiting.id, "FAIL");
    await assert.rejects(() => b.setTrialState(waiting.id, "RUNNING"), /already FAIL/);
    await assert.rejects(() => b.setTrialState(waiting.id, "COMPLETE", 1), /already FAIL/);
    await assert.rejects(() => b.setTrialState(99999, "COMPLETE", 1), /No trial with id 99999/);
    assert.equal((await a.getTrial(waiting.id)).value, null, "a finished trial keeps its value");
  });
});

Deno.test("LibsqlStorage.setTrialState() keeps a trial's value until it finishes", async () => {
  await withStorages(async (a) => {
    const study = await a.createStudy("value", "maximize");
    const trial = await a.createTrial(study.id);
    await a.setTrialState(trial.id, "WAITING", 0.5);
    const back = await a.getTrial(trial.id);
    assert.equal(back.state, "WAITING");
    assert.equal(back.value, null);
    assert.equal(back.datetimeComplete, null);
    await a.setTrialState(trial.id, "RUNNING");
    await a.setTrialState(trial.id, "COMPLETE", 0.9);
    const done = await a.getTrial(trial.id);
    assert.equal(done.value, 0.9);
    assert.ok(done.datetimeComplete instanceof Date);
  });
});

Deno.test("LibsqlStorage never opens an interactive transaction", async () => {
  await withStorages(async (_a, _b, clock, db) => {
    const unlocked = new Proxy(db, {
      get(target, property) {
        if (property === "transaction") throw new Error("An interactive transaction was opened");
        const value = Reflect.get(target, property, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const storage = new LibsqlStorage(unlocked, {
      worker: "c",
      now: clock.now,
      gracePeriodSeconds: 1,
    });
    const study = await storage.createStudy("no-transactions", "maximize", { trials: 3 });
    const x = new FloatDistribution(0, 1);
    await storage.createTrial(study.id, {
      state: "WAITING",
      params: { x: 0.5 },
      distributions: { x },
    });
    const first = await storage.createTrial(study.id);
    const second = await storage.createTrial(study.id);
    await storage.setTrialParam(second.id, "x", 0.1, x);
    await storage.setTrialIntermediateValue(second.id, 1, 0.2);
    await storage.setTrialUserAttr(second.id, 'a "b"', 1);
    await storage.setTrialSystemAttr(second.id, "c", 2);
    await storage.recordHeartbeat(second.id);
    await storage.requeueTrial(second.id);
    await storage.setTrialState(second.id, "FAIL");
    await storage.setTrialState(first.id, "COMPLETE", 0.9);
    await storage.createTrial(study.id);
    clock.advance(1.2);
    assert.equal((await storage.failStaleTrials(study.id)).length, 1);
    const waiting = await storage.createTrial(study.id, { state: "WAITING" });
    await storage.setTrialState(waiting.id, "RUNNING");
  });
});
