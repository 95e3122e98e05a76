import assert from "node:assert/strict";
import { count, eq, inArray } from "drizzle-orm";
import { SEEDED_AT, seedStudy } from "../tests/study_rows.ts";
import { openDb } from "./client.ts";
import { getRun } from "./runs.ts";
import {
  runCheckpoints,
  runEpochs,
  runPredictions,
  runs,
  runWeights,
  studies,
  trialIntermediateValues,
  trialParams,
  trials,
} from "./schema.ts";
import { deleteStudy, renameStudy, StudyBusy, StudyNameTaken } from "./study_admin.ts";
import { getStudyById, getStudyByName, setStudyActive } from "./studies.ts";

/** Trial 2 of a seeded study heartbeats at SEEDED_AT + 3 s with a grace of 20 s. */
const LIVE = SEEDED_AT + 3000 + 19_000;
const SILENT = SEEDED_AT + 3000 + 21_000;

async function withDb(fn: (db: Awaited<ReturnType<typeof openDb>>["db"]) => Promise<void>) {
  const { db, close } = await openDb({ url: ":memory:" });
  try {
    await fn(db);
  } finally {
    close();
  }
}

Deno.test("deleteStudy() removes the study, its trials and their runs with every row of theirs", async () => {
  await withDb(async (db) => {
    const alpha = await seedStudy(db, "alpha");
    const beta = await seedStudy(db, "beta");
    const deleted = await deleteStudy(db, alpha.study.id, { now: SILENT });
    assert.deepEqual(
      { trials: deleted?.trials, runs: deleted?.runs, name: deleted?.study.name },
      { trials: 3, runs: 3, name: "alpha" },
    );
    assert.equal(await getStudyById(db, alpha.study.id), undefined);
    for (const id of alpha.trialRuns) assert.equal(await getRun(db, id), undefined);
    const rowsOf = async (table: typeof runEpochs | typeof runWeights, ids: number[]) =>
      (await db.select({ n: count() }).from(table).where(inArray(table.runId, ids)))[0].n;
    for (const table of [runEpochs, runWeights, runPredictions, runCheckpoints]) {
      assert.equal(await rowsOf(table as typeof runEpochs, alpha.trialRuns), 0);
    }
    const left = await db.select({ n: count() }).from(trials)
      .where(eq(trials.studyId, alpha.study.id));
    assert.equal(left[0].n, 0);
    // The params and values went with their trials; beta's are all still there.
    const params = await db.select({ trialId: trialParams.trialId }).from(trialParams);
    const betaTrials = await db.select({ id: trials.id }).from(trials)
      .where(eq(trials.studyId, beta.study.id));
    assert.deepEqual(
      new Set(params.map((p) => p.trialId)),
      new Set(betaTrials.map((t) => t.id)),
    );
    assert.equal((await db.select({ n: count() }).from(trialIntermediateValues))[0].n, 3);
    for (const id of beta.trialRuns) assert.ok(await getRun(db, id), `beta's run ${id} kept`);
    assert.ok(await getRun(db, alpha.finalRun), "the final model is a run of its own");
    assert.equal(await deleteStudy(db, alpha.study.id), undefined, "gone: nothing to delete");
  });
});

Deno.test("deleteStudy() under a live worker refuses, saying why, and removes nothing", async () => {
  await withDb(async (db) => {
    const { study, trialRuns, worker } = await seedStudy(db, "alpha");
    const refusal = await deleteStudy(db, study.id, { now: LIVE }).catch((error) => error);
    assert.ok(refusal instanceof StudyBusy);
    assert.equal(
      refusal.message,
      `Study "alpha" has a live worker: trial #2 is running on ${worker} (last heartbeat 19 s ` +
        "ago); stop that worker, or wait until it has been silent for 20 s",
    );
    await setStudyActive(db, study.id, true);
    const active = await deleteStudy(db, study.id, { now: SILENT }).catch((error) => error);
    assert.ok(active instanceof StudyBusy);
    assert.equal(active.message, 'Study "alpha" is running; stop it first');
    assert.ok(await getStudyById(db, study.id));
    for (const id of trialRuns) assert.ok(await getRun(db, id), `run ${id} kept`);
    assert.equal((await db.select({ n: count() }).from(trials))[0].n, 3);
    assert.equal((await db.select({ n: count() }).from(runEpochs))[0].n, 3);
  });
});

Deno.test("renameStudy() renames the study, its file and its trial runs, not its final model", async () => {
  await withDb(async (db) => {
    const { study, trialRuns, finalRun } = await seedStudy(db, "alpha");
    const renamed = await renameStudy(db, study.id, "alpha v2", { now: SILENT });
    assert.equal(renamed?.name, "alpha v2");
    assert.equal(renamed?.spec.name, "alpha v2", "Resume opens the study by its file's name");
    assert.equal(await getStudyByName(db, "alpha"), undefined);
    const names = await Promise.all(trialRuns.map(async (id) => (await getRun(db, id))!.name));
    assert.deepEqual(names, ["alpha v2 #0", "alpha v2 #1", "alpha v2 #2"]);
    assert.equal((await getRun(db, finalRun))!.name, "alpha final");
    assert.equal((await renameStudy(db, study.id, "alpha v2"))?.name, "alpha v2", "same name");
    assert.equal(await renameStudy(db, 999, "x"), undefined);
  });
});

Deno.test("renameStudy() refuses a taken name and a live worker, changing nothing", async () => {
  await withDb(async (db) => {
    const { study } = await seedStudy(db, "alpha");
    const beta = await seedStudy(db, "beta");
    const taken = await renameStudy(db, study.id, "beta", { now: SILENT }).catch((e) => e);
    assert.ok(taken instanceof StudyNameTaken);
    assert.equal(
      taken.message,
      `Study name "beta" is taken by study #${beta.study.id}; choose another`,
    );
    const busy = await renameStudy(db, study.id, "gamma", { now: LIVE }).catch((e) => e);
    assert.ok(busy instanceof StudyBusy);
    const [row] = await db.select({ name: studies.name }).from(studies)
      .where(eq(studies.id, study.id));
    assert.equal(row.name, "alpha");
    const runNames = await db.select({ name: runs.name }).from(runs)
      .where(eq(runs.studyId, study.id));
    assert.ok(runNames.every((r) => r.name.startsWith("alpha #")));
  });
});
