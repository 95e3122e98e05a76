import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { FloatDistribution } from "../tuner/distributions.ts";
import { TrialState } from "../tuner/frozen_trial.ts";
import { storeFinishedRun } from "../tests/run_rows.ts";
import { withStorages } from "../tests/storage_pair.ts";
import { insertRun } from "./runs.ts";
import { runs } from "./schema.ts";
import { TrialBudgetExhausted } from "./trial_create.ts";

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
