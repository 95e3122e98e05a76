import assert from "node:assert/strict";
import type { RunConfig } from "../engine/spec.ts";
import {
  checkpointEpoch,
  insertContinuation,
  resumePoint,
  writeCheckpoint,
} from "./checkpoints.ts";
import { type Db, openDb } from "./client.ts";
import { claimRun, endJob, finishJob, reapExpired, releaseJob, writeEpoch } from "./jobs.ts";
import { getRun, insertRun } from "./runs.ts";

const config = {
  name: "checkpointed",
  epochs: 4,
  data: { dataset: "synthetic-binary" },
} as unknown as RunConfig;
const device = { backend: "cpu" as const, description: "CPU reference", bytesAllocated: 1024 };
const epoch = (n: number) => ({
  epoch: n,
  trainLoss: 1 / n,
  trainAccuracy: 0.5,
  devLoss: null,
  devAccuracy: null,
  seconds: 0.01,
  lr: 0.1,
});
const LONG = 60_000;
const EXPIRED = 1;
const pastExpiry = () => new Promise((resolve) => setTimeout(resolve, 20));
const bytes = (n: number) => new Uint8Array([n, n, n]);

async function withDb(fn: (db: Db) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  const { db, close } = await openDb({ url: `file:${dir}/checkpoints.db` });
  try {
    await fn(db);
  } finally {
    close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("writeCheckpoint() replaces the run's checkpoint while the lease holds, never after", async () => {
  await withDb(async (db) => {
    const id = await insertRun(db, config);
    const { lease } = (await claimRun(db, "here", LONG))!;
    assert.equal(await writeCheckpoint(db, lease, 1, bytes(1)), true);
    assert.equal(await writeCheckpoint(db, lease, 2, bytes(2)), true);
    assert.equal(await checkpointEpoch(db, id), 2);
    const other = await insertRun(db, config);
    const stale = (await claimRun(db, "frozen", EXPIRED))!.lease;
    assert.equal(stale.runId, other);
    await pastExpiry();
    assert.equal(await writeCheckpoint(db, stale, 1, bytes(9)), false);
    assert.equal(await checkpointEpoch(db, other), null);
  });
});

Deno.test("a run queued again keeps the epochs its checkpoint covers and resumes from them", async () => {
  await withDb(async (db) => {
    const id = await insertRun(db, config);
    const first = (await claimRun(db, "dies", 500))!.lease;
    for (const n of [1, 2, 3]) assert.equal(await writeEpoch(db, first, epoch(n), 500), "held");
    assert.equal(await writeCheckpoint(db, first, 2, bytes(2)), true);
    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.deepEqual((await reapExpired(db)).requeued, [id]);
    const queued = await getRun(db, id);
    assert.deepEqual(queued?.epochs.map((e) => e.epoch), [1, 2], "epoch 3 is trained again");
    assert.match(queued!.error!, /resumes from its checkpoint after epoch 2/);
    const resume = await resumePoint(db, id);
    assert.deepEqual(resume?.checkpoint, bytes(2));
    assert.deepEqual(resume?.epochs.map((e) => e.epoch), [1, 2]);

    // A graceful release does the same.
    const second = (await claimRun(db, "shuts down", LONG))!.lease;
    await writeEpoch(db, second, epoch(3), LONG);
    await releaseJob(db, second, "Queued again: shutting down");
    assert.deepEqual((await getRun(db, id))?.epochs.map((e) => e.epoch), [1, 2]);
    assert.equal(await resumePoint(db, await insertRun(db, config)), null, "none: from the start");
  });
});

Deno.test("a run reserved for a process that died is queued again for any trainer", async () => {
  await withDb(async (db) => {
    const id = await insertRun(db, config, undefined, "cli-process");
    const lease = (await claimRun(db, "cli-process", 300))!.lease;
    assert.equal(await writeCheckpoint(db, lease, 1, bytes(1)), true);
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.deepEqual((await reapExpired(db)).requeued, [id]);
    const claim = await claimRun(db, "dashboard", LONG);
    assert.equal(claim?.lease.runId, id, "a server takes it up");
    assert.deepEqual((await resumePoint(db, id))?.checkpoint, bytes(1));
  });
});

Deno.test("a checkpoint outlives its run only where the run can be continued", async () => {
  await withDb(async (db) => {
    const ends = async (
      trial: boolean,
      end: (lease: Awaited<ReturnType<typeof claim>>) => Promise<unknown>,
      saved = 4,
    ) => {
      const id = await insertRun(
        db,
        config,
        trial ? { studyId: 1, trialNumber: 0 } : undefined,
        trial ? "w" : undefined,
      );
      const lease = await claim(id);
      await writeCheckpoint(db, lease, saved, bytes(saved));
      await end(lease);
      return await checkpointEpoch(db, id);
    };
    const claim = async (id: number) => (await claimRun(db, "w", LONG, { runId: id }))!.lease;
    const completed = { status: "completed" as const, epochs: [], device };
    assert.equal(await ends(false, (l) => finishJob(db, l, completed, null)), 4, "continuable");
    assert.equal(await ends(true, (l) => finishJob(db, l, completed, null)), null, "a trial");
    assert.equal(await ends(false, (l) => finishJob(db, l, completed, null), 2), null, "stopped");
    assert.equal(await ends(false, (l) => endJob(db, l, "failed", "boom")), null);
    assert.equal(await ends(false, (l) => endJob(db, l, "cancelled", null)), null);
  });
});

Deno.test("insertContinuation() queues a run with the parent's epochs and checkpoint, or nothing", async () => {
  await withDb(async (db) => {
    const parent = await insertRun(db, config);
    const lease = (await claimRun(db, "w", LONG))!.lease;
    for (const n of [1, 2, 3, 4]) await writeEpoch(db, lease, epoch(n), LONG);
    await writeCheckpoint(db, lease, 4, bytes(4));
    await finishJob(db, lease, { status: "completed", epochs: [], device }, null);

    const longer = { ...config, epochs: 6 };
    const [a, b] = await Promise.all([
      insertContinuation(db, parent, longer),
      insertContinuation(db, parent, longer),
    ]);
    assert.ok(a !== null && b !== null && a !== b, "two continuations, two runs");
    for (const id of [a!, b!]) {
      const run = await getRun(db, id);
      assert.equal(run?.status, "queued");
      assert.equal(run?.continuedFrom, parent);
      assert.equal(run?.epochsPlanned, 6);
      assert.equal(run?.reservedFor, null, "claimable by any trainer");
      assert.deepEqual(run?.epochs.map((e) => e.epoch), [1, 2, 3, 4]);
      assert.deepEqual((await resumePoint(db, id))?.checkpoint, bytes(4));
    }
    const orphan = await insertRun(db, config);
    assert.equal(await insertContinuation(db, orphan, longer), null, "no checkpoint: no run");
  });
});
