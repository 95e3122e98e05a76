import assert from "node:assert/strict";
import type { RunConfig } from "../engine/spec.ts";
import { type Db, openDb } from "./client.ts";
import {
  claimRun,
  endJob,
  finishJob,
  MAX_ATTEMPTS,
  reapExpired,
  releaseJob,
  renewLeases,
  requestCancel,
  writeEpoch,
} from "./jobs.ts";
import { getPredictions, getRun, getWeights, insertRun } from "./runs.ts";

const config = {
  name: "job",
  epochs: 3,
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
});
const LONG = 60_000;
/** A lease that has run out by the time the next statement runs. */
const EXPIRED = 1;
const pastExpiry = () => new Promise((resolve) => setTimeout(resolve, 20));

/** Two connections to one database file, as two processes would have. */
async function withDbs(fn: (a: Db, b: Db) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  const url = `file:${dir}/jobs.db`;
  const first = await openDb({ url });
  const second = await openDb({ url });
  try {
    await fn(first.db, second.db);
  } finally {
    first.close();
    second.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("claimRun() claims the oldest queued run once, however many processes ask at once", async () => {
  await withDbs(async (a, b) => {
    const ids = [
      await insertRun(a, config),
      await insertRun(a, config),
      await insertRun(a, config),
    ];
    const claims = await Promise.all(
      Array.from({ length: 6 }, (_, i) => claimRun(i % 2 ? a : b, `worker-${i}`, LONG)),
    );
    const claimed = claims.filter((claim) => claim !== null).map((claim) => claim!.lease.runId);
    assert.deepEqual(claimed.sort(), ids, "each run exactly once");
    const run = await getRun(a, ids[0]);
    assert.equal(run?.status, "running");
    assert.equal(run?.attempt, 1);
    assert.ok(run?.leaseExpiresAt instanceof Date);
  });
});

Deno.test("claimRun() leaves a trial's run to the worker it is reserved for", async () => {
  await withDbs(async (a) => {
    const trialRun = await insertRun(a, config, { studyId: 1, trialNumber: 0 }, "tuner");
    assert.equal(await claimRun(a, "server", LONG), null, "not for another process");
    assert.equal(await claimRun(a, "other", LONG, { reservedOnly: true }), null);
    assert.equal((await claimRun(a, "tuner", LONG, { reservedOnly: true }))?.lease.runId, trialRun);
  });
});

Deno.test("a lease's writes land while it holds, and nothing of a process that outlived it does", async () => {
  await withDbs(async (a) => {
    const id = await insertRun(a, config);
    const stale = (await claimRun(a, "frozen", EXPIRED))!.lease;
    await pastExpiry();
    assert.equal(await writeEpoch(a, stale, epoch(1), LONG), "lost");
    assert.equal((await renewLeases(a, [stale], LONG)).get(id), "lost");
    const result = { status: "completed" as const, epochs: [], device };
    assert.equal(await finishJob(a, stale, result, new Uint8Array([1])), false);
    const run = await getRun(a, id);
    assert.equal(run?.status, "running", "only the reaper settles it");
    assert.deepEqual(run?.epochs, []);
    assert.equal(await getWeights(a, id), undefined);
  });
});

Deno.test("finishJob() stores status, test metrics, predictions and weights together", async () => {
  await withDbs(async (a) => {
    const id = await insertRun(a, config);
    const { lease } = (await claimRun(a, "here", LONG))!;
    assert.equal(await writeEpoch(a, lease, epoch(1), LONG), "held");
    assert.equal(await writeEpoch(a, lease, epoch(2), LONG), "held");
    await assert.rejects(() => writeEpoch(a, lease, epoch(2), LONG), "an epoch is stored once");
    const test = { loss: 0.3, accuracy: 0.9, count: 100, classes: 2, confusion: [45, 5, 5, 45] };
    const predictions = {
      predicted: new Uint8Array([1, 0]),
      confidence: new Float32Array([0.75, 0.5]),
    };
    const result = { status: "completed" as const, epochs: [], device, test, predictions };
    assert.equal(await finishJob(a, lease, result, new Uint8Array([1, 2, 3])), true);
    const run = await getRun(a, id);
    assert.equal(run?.status, "completed");
    assert.deepEqual(run?.test, test);
    assert.deepEqual(run?.epochs.map((e) => e.epoch), [1, 2]);
    assert.equal(run?.leaseExpiresAt, null);
    assert.deepEqual(await getWeights(a, id), new Uint8Array([1, 2, 3]));
    assert.deepEqual(await getPredictions(a, id), predictions);
    assert.equal(await endJob(a, lease, "failed", "late"), false, "a finished run stays finished");
  });
});

Deno.test("finishJob() ends a stopped trial's run pruned with the pruner's reason, for good", async () => {
  await withDbs(async (a, b) => {
    const id = await insertRun(a, config, { studyId: 4, trialNumber: 2 }, "tuner");
    const { lease } = (await claimRun(a, "tuner", LONG, { reservedOnly: true }))!;
    assert.equal(await writeEpoch(a, lease, epoch(1), LONG), "held");
    const reason = "Pruned by the median pruner after epoch 1 (devAccuracy 0.5)";
    const result = { status: "cancelled" as const, epochs: [], device };
    assert.equal(await finishJob(a, lease, result, null, { status: "pruned", reason }), true);
    const run = await getRun(b, id);
    assert.equal(run?.status, "pruned");
    assert.equal(run?.error, reason);
    assert.equal(run?.leaseExpiresAt, null);
    assert.deepEqual(await reapExpired(b), { requeued: [], failed: [], interrupted: [] });
    assert.equal(await requestCancel(b, id, "from the dashboard"), "already_final");
    assert.equal(await endJob(a, lease, "failed", "late"), false);
    assert.equal(await claimRun(b, "tuner", LONG, { reservedOnly: true }), null);
    assert.deepEqual(
      { status: (await getRun(b, id))?.status, error: (await getRun(b, id))?.error },
      { status: "pruned", error: reason },
      "nothing renames a pruned run",
    );
  });
});

Deno.test("reapExpired() queues a run again after its first trainer dies, fails it after the second", async () => {
  await withDbs(async (a, b) => {
    const id = await insertRun(a, config);
    const first = (await claimRun(a, "host:1:a", LONG))!.lease;
    assert.equal(await writeEpoch(a, first, epoch(1), EXPIRED), "held", "then goes silent");
    await pastExpiry();
    // Two processes sweep at once: the run is settled once.
    const [x, y] = await Promise.all([reapExpired(a), reapExpired(b)]);
    assert.deepEqual([...x.requeued, ...y.requeued], [id]);
    let run = await getRun(a, id);
    assert.equal(run?.status, "queued");
    assert.deepEqual(run?.epochs, [], "the next claim trains it from the start");
    assert.match(run?.error ?? "", /host:1:a\) stopped renewing its lease after epoch 1/);

    const second = (await claimRun(b, "host:2:b", EXPIRED))!.lease;
    assert.equal(second.attempt, MAX_ATTEMPTS);
    await pastExpiry();
    assert.deepEqual((await reapExpired(b)).failed, [id]);
    run = await getRun(a, id);
    assert.equal(run?.status, "failed");
    assert.match(
      run?.error ?? "",
      /died 2 times while training this run, last before its first epoch/,
    );
    assert.equal(await claimRun(a, "host:3:c", LONG), null, "never claimed again");
  });
});

Deno.test("reapExpired() interrupts a study trial's run instead of queueing it for anyone", async () => {
  await withDbs(async (a) => {
    const id = await insertRun(a, config, { studyId: 4, trialNumber: 2 }, "tuner");
    await claimRun(a, "tuner", EXPIRED, { reservedOnly: true });
    await pastExpiry();
    assert.deepEqual((await reapExpired(a)).interrupted, [id]);
    assert.equal((await getRun(a, id))?.status, "interrupted");
  });
});

Deno.test("requestCancel() ends a queued run at once and flags a running one for its owner", async () => {
  await withDbs(async (a, b) => {
    const queued = await insertRun(a, config);
    const running = await insertRun(a, config);
    assert.equal(await requestCancel(a, queued, "not needed"), "cancelled");
    assert.equal((await getRun(a, queued))?.status, "cancelled");
    const { lease } = (await claimRun(b, "elsewhere", LONG))!;
    assert.equal(lease.runId, running);
    assert.equal(await requestCancel(a, running, "from the dashboard"), "requested");
    assert.equal(await requestCancel(a, running, "a second reason"), "requested");
    assert.equal(await writeEpoch(b, lease, epoch(1), LONG), "cancel");
    assert.equal((await renewLeases(b, [lease], LONG)).get(running), "cancel");
    assert.equal(
      (await getRun(a, running))?.error,
      "from the dashboard",
      "the first reason stands",
    );
    assert.equal(await endJob(b, lease, "cancelled", "from the dashboard"), true);
    assert.equal(await requestCancel(a, running, null), "already_final");
    assert.equal(await requestCancel(a, 999, null), "not_found");
  });
});

Deno.test("releaseJob() gives a run back to the queue without counting a death", async () => {
  await withDbs(async (a) => {
    const id = await insertRun(a, config);
    const { lease } = (await claimRun(a, "stopping", LONG))!;
    await writeEpoch(a, lease, epoch(1), LONG);
    assert.equal(await releaseJob(a, lease, "Queued again: shut down"), true);
    const run = await getRun(a, id);
    assert.equal(run?.status, "queued");
    assert.equal(run?.attempt, 0);
    assert.deepEqual(run?.epochs, []);
    assert.equal((await claimRun(a, "next", LONG))?.lease.attempt, 1);
  });
});
