import assert from "node:assert/strict";
import { openDb } from "../../db/client.ts";
import { getRun } from "../../db/runs.ts";
import { setStudyActive } from "../../db/studies.ts";
import { RunService } from "../../jobs/run_service.ts";
import { StudyService } from "../../jobs/study_service.ts";
import { seedStudy } from "../../tests/study_rows.ts";
import { createApp } from "../app.ts";

/** The app over a fresh in-memory database holding seeded studies "alpha" and "beta". */
async function testApp() {
  const { db, close } = await openDb({ url: ":memory:" });
  // No poll while the test runs: it would sweep seeded trial 2, whose heartbeat is long stale.
  const service = new RunService(db, { pollMs: 3_600_000 });
  const studies = new StudyService(db, service);
  const alpha = await seedStudy(db, "alpha");
  const beta = await seedStudy(db, "beta");
  const app = createApp({ datasetRoots: { mnist: "/nonexistent" }, db, service, studies });
  const send = (method: string, path: string, body?: unknown) =>
    app.request(path, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
    });
  return {
    db,
    alpha,
    beta,
    send,
    async [Symbol.asyncDispose]() {
      await service.shutdown();
      close();
    },
  };
}

Deno.test("GET /api/studies/:id/trials.csv has trials_dataframe()'s columns and a row per trial", async () => {
  await using t = await testApp();
  const response = await t.send("GET", `/api/studies/${t.alpha.study.id}/trials.csv`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("Content-Type"), "text/csv; charset=utf-8");
  assert.equal(
    response.headers.get("Content-Disposition"),
    `attachment; filename="alpha-trials.csv"; filename*=UTF-8''alpha-trials.csv`,
  );
  const [run0, run1] = t.alpha.trialRuns;
  assert.equal(
    await response.text(),
    [
      "number,value,datetime_start,datetime_complete,duration,params_optimizer.lr," +
      "params_optimizer.momentum,params_optimizer.type,user_attrs_note,user_attrs_runId,state",
      `0,0.8,2025-03-04T05:06:07.000Z,2025-03-04T05:06:08.500Z,1.5,0.01,,adam,` +
      `"lr, ""warm"" start",${run0},COMPLETE`,
      `1,0.3,2025-03-04T05:06:08.500Z,2025-03-04T05:06:10.000Z,1.5,0.1,0.9,sgd,,${run1},PRUNED`,
      "2,,2025-03-04T05:06:10.000Z,,,0.001,,adam,,,RUNNING",
      "",
    ].join("\n"),
  );
});

Deno.test("GET /api/studies/:id/trials.json gives the same rows with types kept", async () => {
  await using t = await testApp();
  const rows = await (await t.send("GET", `/api/studies/${t.beta.study.id}/trials.json`)).json();
  assert.equal(rows.length, 3);
  assert.deepEqual(rows[1], {
    number: 1,
    value: 0.3,
    datetime_start: "2025-03-04T05:06:08.500Z",
    datetime_complete: "2025-03-04T05:06:10.000Z",
    duration: 1.5,
    "params_optimizer.lr": 0.1,
    "params_optimizer.momentum": 0.9,
    "params_optimizer.type": "sgd",
    user_attrs_note: null,
    user_attrs_runId: t.beta.trialRuns[1],
    state: "PRUNED",
  });
  assert.equal((await t.send("GET", "/api/studies/999/trials.json")).status, 404);
  assert.equal((await t.send("GET", "/api/studies/x/trials.csv")).status, 400);
});

Deno.test("PATCH /api/studies/:id renames, and refuses bad names with the field and value", async () => {
  await using t = await testApp();
  const id = t.alpha.study.id;
  const ok = await t.send("PATCH", `/api/studies/${id}`, { name: "alpha v2" });
  assert.equal(ok.status, 200);
  assert.deepEqual(await ok.json(), { id, name: "alpha v2" });
  const study = await (await t.send("GET", `/api/studies/${id}`)).json();
  assert.equal(study.name, "alpha v2");
  assert.equal(study.spec.name, "alpha v2");
  for (
    const [name, message] of [
      ["", 'Study name must be a string of 1 to 100 characters, got ""'],
      ["   ", 'Study name must not be blank, got "   "'],
      ["x".repeat(101), "Study name must be a string of 1 to 100 characters"],
      ["beta", `Study name "beta" is taken by study #${t.beta.study.id}; choose another`],
    ]
  ) {
    const refused = await t.send("PATCH", `/api/studies/${id}`, { name });
    assert.equal(refused.status, 400, name);
    const body = await refused.json();
    assert.equal(body.issues[0].path, "name");
    assert.ok(body.issues[0].message.startsWith(message), body.issues[0].message);
  }
  assert.equal((await t.send("PATCH", "/api/studies/999", { name: "z" })).status, 404);
});

Deno.test("DELETE /api/studies/:id refuses a study with a live worker, then deletes it whole", async () => {
  await using t = await testApp();
  const { study, trialRuns, finalRun } = t.alpha;
  // Trial 2's seeded heartbeat lapsed long ago; the study marked active is what keeps it.
  await setStudyActive(t.db, study.id, true);
  const busy = await t.send("DELETE", `/api/studies/${study.id}`);
  assert.equal(busy.status, 409);
  assert.deepEqual(await busy.json(), { error: 'Study "alpha" is running; stop it first' });
  const renaming = await t.send("PATCH", `/api/studies/${study.id}`, { name: "other" });
  assert.equal(renaming.status, 409);
  assert.equal((await t.send("GET", `/api/studies/${study.id}`)).status, 200);

  await setStudyActive(t.db, study.id, false);
  const deleted = await t.send("DELETE", `/api/studies/${study.id}`);
  assert.equal(deleted.status, 200);
  assert.deepEqual(await deleted.json(), { id: study.id, name: "alpha", trials: 3, runs: 3 });
  assert.equal((await t.send("GET", `/api/studies/${study.id}`)).status, 404);
  for (const id of trialRuns) {
    assert.equal((await t.send("GET", `/api/runs/${id}`)).status, 404, `run ${id} is gone`);
  }
  assert.ok(await getRun(t.db, finalRun), "the final model stays");
  assert.equal((await t.send("DELETE", `/api/studies/${study.id}`)).status, 404);
  const { studies } = await (await t.send("GET", "/api/studies")).json();
  assert.deepEqual(studies.map((s: { name: string }) => s.name), ["beta"]);
});
