import assert from "node:assert/strict";
import { FloatDistribution } from "../tuner/distributions.ts";
import { withStorages } from "../tests/storage_pair.ts";
import { TrialBudgetExhausted } from "./trial_create.ts";

Deno.test("LibsqlStorage numbers trials uniquely when two connections claim at once", async () => {
  await withStorages(async (a, b) => {
    const study = await a.createStudy("race", "maximize");
    const claimed = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).createTrial(study.id)),
    );
    const numbers = claimed.map((t) => t.number).sort((x, y) => x - y);
    assert.deepEqual(numbers, Array.from({ length: 20 }, (_, i) => i));
  });
});

Deno.test("LibsqlStorage hands a WAITING trial to exactly one worker", async () => {
  await withStorages(async (a, b) => {
    const study = await a.createStudy("queue", "minimize");
    await a.createTrial(study.id, { state: "WAITING", systemAttrs: { fixed_params: { x: 1 } } });
    const [one, two] = await Promise.all([a.createTrial(study.id), b.createTrial(study.id)]);
    const fromQueue = [one, two].filter((t) => t.number === 0);
    assert.equal(fromQueue.length, 1);
    assert.deepEqual(fromQueue[0].systemAttrs.fixed_params, { x: 1 });
    assert.equal(fromQueue[0].state, "RUNNING");
  });
});

Deno.test("LibsqlStorage stops starting trials at the study's budget, across workers", async () => {
  await withStorages(async (a, b) => {
    const study = await a.createStudy("budget", "maximize", { trials: 5 });
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).createTrial(study.id)),
    );
    assert.equal(results.filter((r) => r.status === "fulfilled").length, 5);
    for (const r of results) {
      if (r.status === "rejected") assert.ok(r.reason instanceof TrialBudgetExhausted);
    }
  });
});

Deno.test("LibsqlStorage.createTrial() numbers templates and starts apart when two workers race", async () => {
  await withStorages(async (a, b) => {
    const study = await a.createStudy("templates", "minimize");
    const x = new FloatDistribution(0, 100);
    const created = await Promise.all(Array.from({ length: 16 }, (_, i) => {
      const storage = i % 2 ? a : b;
      if (i % 4 === 3) return storage.createTrial(study.id);
      return storage.createTrial(study.id, {
        state: i % 4 === 0 ? "FAIL" : "COMPLETE",
        value: i,
        params: { x: i },
        distributions: { x },
        intermediateValues: new Map([[1, i], [2, i + 0.5]]),
        userAttrs: { i },
      });
    }));
    const numbers = created.map((t) => t.number).sort((p, q) => p - q);
    assert.deepEqual(numbers, Array.from({ length: 16 }, (_, i) => i));
    // Each template's params and values landed on its own trial, whatever number it drew.
    for (const trial of await b.getAllTrials(study.id)) {
      if (trial.userAttrs.i === undefined) continue;
      const i = trial.userAttrs.i as number;
      assert.deepEqual(trial.params, { x: i });
      assert.deepEqual([...trial.intermediateValues], [[1, i], [2, i + 0.5]]);
    }
  });
});

Deno.test("LibsqlStorage.createTrial() refuses a template parameter without a distribution, writing nothing", async () => {
  await withStorages(async (a) => {
    const study = await a.createStudy("no-distribution", "minimize");
    await assert.rejects(
      () => a.createTrial(study.id, { state: "WAITING", params: { x: 1 } }),
      /Template parameter "x" has no distribution/,
    );
    assert.deepEqual(await a.getAllTrials(study.id), []);
  });
});

Deno.test("LibsqlStorage.createTrial() runs a queued trial past a spent budget, then refuses", async () => {
  await withStorages(async (a, b) => {
    const study = await a.createStudy("queued-budget", "minimize", { trials: 1 });
    await a.createTrial(study.id);
    const queued = await a.createTrial(study.id, { state: "WAITING" });
    const claimed = await b.createTrial(study.id);
    assert.equal(claimed.id, queued.id);
    assert.equal(claimed.state, "RUNNING");
    assert.equal(claimed.systemAttrs.worker, "b");
    await assert.rejects(
      () => b.createTrial(study.id),
      (error) => error instanceof TrialBudgetExhausted && error.budget === 1,
    );
    await assert.rejects(() => a.createTrial(99999), /No study with id 99999/);
  });
});
