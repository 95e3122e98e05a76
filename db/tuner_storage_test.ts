import assert from "node:assert/strict";
import {
  CategoricalDistribution,
  FloatDistribution,
  IntDistribution,
} from "../tuner/distributions.ts";
import { type Db, openDb } from "./client.ts";
import { TrialState } from "../tuner/frozen_trial.ts";
import { storeFinishedRun } from "../tests/run_rows.ts";
import { insertRun } from "./runs.ts";
import { runs } from "./schema.ts";
import { eq } from "drizzle-orm";
import { LibsqlStorage, TrialBudgetExhausted } from "./tuner_storage.ts";

/** A clock that stands still until a test moves it on. */
class TestClock {
  #ms = Date.now();
  now = () => new Date(this.#ms);
  advance(seconds: number): void {
    this.#ms += seconds * 1000;
  }
}

/** Two workers, "a" and "b", on two connections to one database, reading one `clock`. */
async function withStorages(
  fn: (a: LibsqlStorage, b: LibsqlStorage, clock: TestClock, db: Db) => Promise<void>,
  options: { gracePeriodSeconds?: number } = {},
) {
  const dir = await Deno.makeTempDir();
  const url = `file:${dir}/tune.db`;
  const first = await openDb({ url });
  const second = await openDb({ url });
  const clock = new TestClock();
  try {
    await fn(
      new LibsqlStorage(first.db, { worker: "a", now: clock.now, ...options }),
      new LibsqlStorage(second.db, { worker: "b", now: clock.now, ...options }),
      clock,
      first.db,
    );
  } finally {
    first.close();
    second.close();
    await Deno.remove(dir, { recursive: true });
  }
}

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

Deno.test("LibsqlStorage merges user and system attributes key by key, any JSON value", async () => {
  await withStorages(async (a, b) => {
    const study = await a.createStudy("attrs", "maximize");
    const trial = await a.createTrial(study.id);
    await a.setTrialUserAttr(trial.id, "runId", 7);
    await a.setTrialUserAttr(trial.id, "note", { text: 'a "quoted" note', tags: ["x"] });
    await a.setTrialUserAttr(trial.id, 'odd "key"', true);
    await a.setTrialSystemAttr(trial.id, "fail_reason", "none yet");
    await a.setTrialUserAttr(trial.id, "runId", 8);
    const [read] = await b.getAllTrials(study.id);
    assert.deepEqual(read.userAttrs, {
      runId: 8,
      note: { text: 'a "quoted" note', tags: ["x"] },
      'odd "key"': true,
    });
    assert.equal(read.systemAttrs.fail_reason, "none yet");
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

Deno.test("LibsqlStorage fails a silent RUNNING trial and re-queues its params for another worker", async () => {
  await withStorages(async (a, b, clock) => {
    const study = await a.createStudy("stale", "maximize", { trials: 2 });
    const lost = await a.createTrial(study.id);
    await a.setTrialParam(lost.id, "x", 0.25, new FloatDistribution(0, 1));
    const alive = await b.createTrial(study.id);
    clock.advance(1.2);
    await b.recordHeartbeat(alive.id);
    const failed = await b.failStaleTrials(study.id);
    assert.deepEqual(failed.map((t) => t.number), [lost.number]);
    assert.match(String(failed[0].systemAttrs.fail_reason), /Worker a sent no heartbeat/);
    const retry = await b.createTrial(study.id);
    assert.deepEqual(retry.systemAttrs.fixed_params, { x: 0.25 });
    assert.equal(retry.systemAttrs.retry_of, lost.number);
    assert.deepEqual(retry.systemAttrs.retry_history, [lost.number]);
    await assert.rejects(() => a.createTrial(study.id), TrialBudgetExhausted);
    assert.deepEqual(
      (await a.getAllTrials(study.id, ["RUNNING"])).map((t) => t.number).sort(),
      [alive.number, retry.number].sort(),
    );
  }, { gracePeriodSeconds: 1 });
});

Deno.test("LibsqlStorage re-queues a stopped trial in one step, and a later sweep does not twice", async () => {
  await withStorages(async (a, b, clock) => {
    const study = await a.createStudy("requeue", "maximize", { trials: 2 });
    const stopped = await a.createTrial(study.id);
    await a.setTrialParam(stopped.id, "x", 0.5, new FloatDistribution(0, 1));
    const number = await a.requeueTrial(stopped.id);
    const [waiting] = await a.getAllTrials(study.id, ["WAITING"]);
    assert.equal(waiting.number, number);
    assert.deepEqual(waiting.systemAttrs.fixed_params, { x: 0.5 });
    assert.equal((await a.getTrial(stopped.id)).systemAttrs.requeued_as, number);
    // Its worker dies before failing it: the sweep fails it without queueing the params again.
    clock.advance(1.2);
    const failed = await b.failStaleTrials(study.id);
    assert.deepEqual(failed.map((t) => t.number), [stopped.number]);
    assert.equal(failed[0].systemAttrs.requeued_as, number);
    assert.equal((await a.getAllTrials(study.id, ["WAITING"])).length, 1, "one retry only");
    const retry = await b.createTrial(study.id);
    assert.equal(retry.number, number);
    await b.createTrial(study.id); // the budget's second trial: the re-queued one does not count
  }, { gracePeriodSeconds: 1 });
});

Deno.test("LibsqlStorage completes a silent trial from its run when the run completed, queueing nothing", async () => {
  await withStorages(async (a, b, clock, db) => {
    const study = await a.createStudy("recover", "maximize", { trials: 1, metric: "devAccuracy" });
    const trial = await a.createTrial(study.id);
    const config = { name: "t", epochs: 2, data: { dataset: "synthetic-binary" } } as never;
    const epoch = (n: number, devAccuracy: number) => ({
      epoch: n,
      trainLoss: 0.5,
      trainAccuracy: 0.5,
      devLoss: 0.5,
      devAccuracy,
      seconds: 0.1,
    });
    const runId = await storeFinishedRun(db, config, { epochs: [epoch(1, 0.6), epoch(2, 0.75)] });
    await a.setTrialUserAttr(trial.id, "runId", runId);
    // The worker dies after the run completed, before it told the trial.
    clock.advance(1.2);
    assert.deepEqual(await b.failStaleTrials(study.id), []);
    const [recovered] = await b.getAllTrials(study.id);
    assert.equal(recovered.state, TrialState.COMPLETE);
    assert.equal(recovered.value, 0.75);
    assert.equal(recovered.systemAttrs.completed_from_run, runId);
    assert.deepEqual(await b.getAllTrials(study.id, ["WAITING"]), [], "nothing trained again");
  }, { gracePeriodSeconds: 1 });
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

Deno.test("LibsqlStorage.requeueTrial() marks the trial and queues its retry together, numbered apart from racing starts", async () => {
  await withStorages(async (a, b) => {
    const study = await a.createStudy("requeue-race", "maximize", { trials: 4 });
    const unit = new FloatDistribution(0, 1);
    const stopped = await Promise.all([a.createTrial(study.id), a.createTrial(study.id)]);
    await a.setTrialParam(stopped[0].id, "x", 0.25, unit);
    await a.setTrialParam(stopped[1].id, "x", 0.75, unit);
    const [first, second, started] = await Promise.all([
      a.requeueTrial(stopped[0].id),
      a.requeueTrial(stopped[1].id),
      b.createTrial(study.id),
    ]);
    const all = await b.getAllTrials(study.id);
    assert.deepEqual(all.map((t) => t.number), [0, 1, 2, 3, 4]);
    const requeued = [
      { id: stopped[0].id, retryNumber: first, x: 0.25 },
      { id: stopped[1].id, retryNumber: second, x: 0.75 },
    ];
    for (const { id, retryNumber, x } of requeued) {
      const marked = all.find((t) => t.id === id)!;
      assert.equal(marked.systemAttrs.requeued_as, retryNumber);
      const retry = all.find((t) => t.number === retryNumber)!;
      assert.equal(retry.state, "WAITING");
      assert.deepEqual(retry.systemAttrs.fixed_params, { x });
      assert.equal(retry.systemAttrs.retry_of, marked.number);
      assert.deepEqual(retry.systemAttrs.retry_history, [marked.number]);
    }
    assert.ok(![first, second].includes(started.number));
    // Re-queued trials do not count against the budget of 4; their retries and the start do,
    // so after the two retries are claimed one new trial may start.
    assert.deepEqual(
      [(await b.createTrial(study.id)).number, (await b.createTrial(study.id)).number].sort(),
      [first, second].sort(),
    );
    assert.equal((await b.createTrial(study.id)).number, 5);
    await assert.rejects(() => b.createTrial(study.id), TrialBudgetExhausted);
  });
});

Deno.test("LibsqlStorage.requeueTrial() refuses a finished trial, queueing nothing", async () => {
  await withStorages(async (a) => {
    const study = await a.createStudy("requeue-finished", "maximize");
    const trial = await a.createTrial(study.id);
    await a.setTrialState(trial.id, "COMPLETE", 1);
    await assert.rejects(() => a.requeueTrial(trial.id), /already COMPLETE/);
    await assert.rejects(() => a.requeueTrial(99999), /No trial with id 99999/);
    assert.equal((await a.getAllTrials(study.id)).length, 1);
    assert.equal((await a.getTrial(trial.id)).systemAttrs.requeued_as, undefined);
  });
});

Deno.test("LibsqlStorage.failStaleTrials() settles each silent trial once when two sweepers race", async () => {
  await withStorages(async (a, b, clock) => {
    const study = await a.createStudy("sweep-race", "maximize");
    const lost = await Promise.all(Array.from({ length: 6 }, () => a.createTrial(study.id)));
    clock.advance(1.2);
    const [byA, byB] = await Promise.all([a.failStaleTrials(study.id), b.failStaleTrials()]);
    const failed = [...byA, ...byB].map((t) => t.number).sort((p, q) => p - q);
    assert.deepEqual(failed, lost.map((t) => t.number));
    const retries = await a.getAllTrials(study.id, ["WAITING"]);
    assert.deepEqual(retries.map((t) => t.systemAttrs.retry_of).sort(), failed);
    for (const trial of [...byA, ...byB]) {
      const retry = retries.find((t) => t.number === trial.systemAttrs.requeued_as)!;
      assert.equal(retry.systemAttrs.retry_of, trial.number);
      assert.match(
        String(trial.systemAttrs.fail_reason),
        new RegExp(`^Worker a sent no heartbeat for 1 s; re-queued as trial ${retry.number}$`),
      );
    }
  }, { gracePeriodSeconds: 1 });
});

Deno.test("LibsqlStorage.failStaleTrials() interrupts a silent trial's unfinished run with its reason", async () => {
  await withStorages(async (a, b, clock, db) => {
    const study = await a.createStudy("sweep-run", "maximize");
    const trial = await a.createTrial(study.id);
    const config = { name: "t", epochs: 2, data: { dataset: "synthetic-binary" } } as never;
    const runId = await insertRun(
      db,
      config,
      { studyId: study.id, trialNumber: trial.number },
      "a",
    );
    clock.advance(1.2);
    const [failed] = await b.failStaleTrials(study.id);
    assert.equal(failed.systemAttrs.requeued_as, 1);
    const [run] = await db.select().from(runs).where(eq(runs.id, runId));
    assert.equal(run.status, "interrupted");
    assert.equal(run.error, "Worker a sent no heartbeat for 1 s; re-queued as trial 1");
    assert.ok(run.finishedAt instanceof Date);
    // A second sweep finds nothing silent and leaves the run as it is.
    assert.deepEqual(await b.failStaleTrials(study.id), []);
    assert.equal((await a.getAllTrials(study.id)).length, 2);
  }, { gracePeriodSeconds: 1 });
});

Deno.test("LibsqlStorage keeps every attribute whose key json_set cannot quote when two workers write at once", async () => {
  await withStorages(async (a, b) => {
    const study = await a.createStudy("quoted-keys", "maximize");
    const trial = await a.createTrial(study.id);
    await a.setTrialUserAttr(trial.id, "gone", 1);
    await Promise.all(
      Array.from(
        { length: 12 },
        (_, i) => (i % 2 ? a : b).setTrialUserAttr(trial.id, i % 3 ? `k"${i}` : `k\\${i}`, { i }),
      ),
    );
    await b.setTrialUserAttr(trial.id, "gone", undefined);
    const { userAttrs } = await a.getTrial(trial.id);
    assert.deepEqual(
      Object.keys(userAttrs).sort(),
      Array.from({ length: 12 }, (_, i) => i % 3 ? `k"${i}` : `k\\${i}`).sort(),
    );
    assert.deepEqual(userAttrs['k"1'], { i: 1 });
    await a.setTrialState(trial.id, "PRUNED");
    await assert.rejects(() => b.setTrialSystemAttr(trial.id, 'a "b"', 1), /already PRUNED/);
    await assert.rejects(() => b.setTrialUserAttr(99999, 'a "b"', 1), /No trial with id 99999/);
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
