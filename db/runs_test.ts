import assert from "node:assert/strict";
import type { RunConfig } from "../engine/spec.ts";
import { openDb } from "./client.ts";
import {
  finishRun,
  getPredictions,
  getRun,
  getWeights,
  insertEpoch,
  insertRun,
  interruptRunning,
  listRuns,
  markRunning,
  queuedRuns,
} from "./runs.ts";
import { eq } from "drizzle-orm";
import { runs } from "./schema.ts";

const config = {
  name: "probe",
  epochs: 2,
  data: { dataset: "synthetic-binary" },
} as unknown as RunConfig;
const device = { backend: "cpu" as const, description: "CPU reference", bytesAllocated: 1024 };
const epoch = (n: number) => ({
  epoch: n,
  trainLoss: 1 / n,
  trainAccuracy: 0.5 + n / 10,
  devLoss: 1 / n,
  devAccuracy: 0.4 + n / 10,
  seconds: 0.01,
});

async function withDb(
  fn: (db: Awaited<ReturnType<typeof openDb>>["db"], url: string) => Promise<void>,
) {
  const dir = await Deno.makeTempDir();
  const url = `file:${dir}/nested/ajuste.db`;
  const { db, close } = await openDb({ url });
  try {
    await fn(db, url);
  } finally {
    close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("openDb() creates the file's folder, migrates, and is idempotent on reopen", async () => {
  await withDb(async (db, url) => {
    const id = await insertRun(db, config);
    const again = await openDb({ url });
    assert.equal((await getRun(again.db, id))?.name, "probe");
    again.close();
    assert.equal((await getRun(db, id))?.status, "queued");
  });
});

Deno.test("interruptRunning() marks only running runs as interrupted", async () => {
  await withDb(async (db) => {
    const running = await insertRun(db, config);
    const queued = await insertRun(db, config);
    await markRunning(db, running, device, "elsewhere:1");
    await insertEpoch(db, running, epoch(1));
    const liveness = { isAlive: () => false, staleBefore: new Date() };
    assert.equal(await interruptRunning(db, liveness), 1);
    const after = await getRun(db, running);
    assert.equal(after?.status, "interrupted");
    assert.match(after?.error ?? "", /process training this run stopped/);
    assert.equal(after?.epochs.length, 1, "epochs already written are kept");
    assert.equal((await getRun(db, queued))?.status, "queued");
    assert.deepEqual((await queuedRuns(db)).map((r) => r.id), [queued]);
  });
});

Deno.test("finishRun() stores status, test metrics, predictions and weights together", async () => {
  await withDb(async (db) => {
    const id = await insertRun(db, config);
    await markRunning(db, id, device, "here:1");
    await insertEpoch(db, id, epoch(1));
    await insertEpoch(db, id, epoch(2));
    const test = { loss: 0.3, accuracy: 0.9, count: 100, classes: 2, confusion: [45, 5, 5, 45] };
    const predictions = {
      predicted: new Uint8Array([1, 0]),
      confidence: new Float32Array([0.75, 0.5]),
    };
    const result = { status: "completed" as const, epochs: [], device, test, predictions };
    await finishRun(db, id, result, new Uint8Array([1, 2, 3]));
    const run = await getRun(db, id);
    assert.equal(run?.status, "completed");
    assert.deepEqual(run?.test, test);
    assert.deepEqual(run?.epochs.map((e) => e.epoch), [1, 2]);
    assert.ok(run?.finishedAt instanceof Date);
    assert.deepEqual(await getWeights(db, id), new Uint8Array([1, 2, 3]));
    assert.deepEqual(await getPredictions(db, id), predictions);
  });
});

Deno.test("insertEpoch() refuses the same epoch twice for a run", async () => {
  await withDb(async (db) => {
    const id = await insertRun(db, config);
    await insertEpoch(db, id, epoch(1));
    await assert.rejects(() => insertEpoch(db, id, epoch(1)));
    assert.equal((await getRun(db, id))?.epochs.length, 1);
  });
});

Deno.test("listRuns() filters by status and sorts by best dev accuracy", async () => {
  await withDb(async (db) => {
    const low = await insertRun(db, config);
    const high = await insertRun(db, config);
    await insertRun(db, config);
    await insertEpoch(db, low, epoch(1));
    await insertEpoch(db, high, epoch(2));
    await markRunning(db, high, device, "here:1");
    assert.deepEqual((await listRuns(db, { sort: "devAccuracy" })).map((r) => r.id).slice(0, 2), [
      high,
      low,
    ]);
    assert.deepEqual((await listRuns(db, { status: "running" })).map((r) => r.id), [high]);
    const [row] = await listRuns(db, { status: "running" });
    assert.equal(row.epochsDone, 2);
    assert.ok(Math.abs((row.bestDevAccuracy ?? 0) - 0.6) < 1e-9);
  });
});

Deno.test("interruptRunning() keeps live owners' runs and judges other hosts by heartbeat", async () => {
  await withDb(async (db) => {
    const [liveLocal, deadLocal, freshRemote, staleRemote] = [
      await insertRun(db, config),
      await insertRun(db, config),
      await insertRun(db, config),
      await insertRun(db, config),
    ];
    await markRunning(db, liveLocal, device, "here:1");
    await markRunning(db, deadLocal, device, "here:2");
    await markRunning(db, freshRemote, device, "there:3");
    await markRunning(db, staleRemote, device, "there:4");
    await db.update(runs).set({ heartbeatAt: new Date(0) }).where(eq(runs.id, staleRemote));
    const liveness = {
      isAlive: (owner: string) => owner.startsWith("here:") ? owner === "here:1" : null,
      staleBefore: new Date(Date.now() - 30_000),
    };
    assert.equal(await interruptRunning(db, liveness), 2);
    const status = async (id: number) => (await getRun(db, id))?.status;
    assert.deepEqual(
      [
        await status(liveLocal),
        await status(deadLocal),
        await status(freshRemote),
        await status(staleRemote),
      ],
      ["running", "interrupted", "running", "interrupted"],
    );
  });
});
