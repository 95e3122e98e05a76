import assert from "node:assert/strict";
import type { RunConfig } from "../engine/spec.ts";
import { openDb } from "./client.ts";
import { claimRun, endJob, writeEpoch } from "./jobs.ts";
import { countRuns, countTrialRuns, getRun, insertRun, listRuns } from "./runs.ts";

const config = {
  name: "probe",
  epochs: 2,
  data: { dataset: "synthetic-binary" },
} as unknown as RunConfig;
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

Deno.test("listRuns() filters by status and sorts by best dev accuracy", async () => {
  await withDb(async (db) => {
    const low = await insertRun(db, config);
    const high = await insertRun(db, config);
    await insertRun(db, config);
    const first = (await claimRun(db, "here:1", 60_000))!.lease;
    await writeEpoch(db, first, epoch(1), 60_000);
    await endJob(db, first, "failed", "stopped for the test");
    const second = (await claimRun(db, "here:1", 60_000))!.lease;
    await writeEpoch(db, second, epoch(2), 60_000);
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

Deno.test("listRuns() and countRuns() take study trials' runs, leave them out, or take only them", async () => {
  await withDb(async (db) => {
    const plain = await insertRun(db, config);
    const trial = await insertRun(db, config, { studyId: 7, trialNumber: 0 }, "tuner");
    const ids = async (trials?: "include" | "exclude" | "only") =>
      (await listRuns(db, { trials })).map((run) => run.id);
    assert.deepEqual(await ids(), [trial, plain], "every run unless told");
    assert.deepEqual(await ids("include"), [trial, plain]);
    assert.deepEqual(await ids("exclude"), [plain]);
    assert.deepEqual(await ids("only"), [trial]);
    assert.equal(await countRuns(db, { trials: "exclude", limit: 0 }), 1, "over all pages");
    assert.equal(await countRuns(db, { status: "queued" }), 2);
    assert.deepEqual(await countTrialRuns(db), { runs: 1, studies: 1 });
  });
});
