/**
 * The runs list (`/runs`), the start page's recent runs and `GET /api/runs` as a user meets them:
 * trial runs hidden unless asked for, pruned trials' runs shown and found as such, pages of 50
 * with links that keep the filters. In process with `app.request()`; runs are written straight
 * to the database, so no engine starts.
 */

import assert from "node:assert/strict";
import { parseRunConfig } from "../config/schema.ts";
import { type Db, openDb } from "../db/client.ts";
import { insertRun } from "../db/runs.ts";
import { studies } from "../db/schema.ts";
import type { DeviceInfo } from "../engine/device.ts";
import type { RunConfig } from "../engine/spec.ts";
import { RunService } from "../jobs/run_service.ts";
import { StudyService } from "../jobs/study_service.ts";
import { createApp } from "../routes/app.ts";
import { storeFinishedRun } from "./run_rows.ts";

const cpu: DeviceInfo = { backend: "cpu", reason: "No WebGPU adapter found" };
const PRUNED = "Pruned by the median pruner after epoch 3 (devAccuracy 0.61)";

/** The app on a fresh in-memory database, closed where the `await using` declaration ends. */
async function testApp() {
  const { db, close } = await openDb({ url: ":memory:" });
  const service = new RunService(db);
  const studyService = new StudyService(db, service);
  const app = createApp({
    datasetRoots: { mnist: "/nonexistent/mnist" },
    probeDevice: () => Promise.resolve(cpu),
    db,
    service,
    studies: studyService,
  });
  return {
    db,
    /** The page or answer at `path`, failing the test on anything but 200. */
    async get(path: string): Promise<string> {
      const response = await app.request(path);
      const body = await response.text();
      assert.equal(response.status, 200, `${path}: ${body.slice(0, 300)}`);
      return body;
    },
    request: (path: string) => app.request(path),
    async [Symbol.asyncDispose]() {
      await service.shutdown();
      close();
    },
  };
}

function config(name: string): RunConfig {
  const parsed = parseRunConfig({ name, data: { dataset: "synthetic-binary" } });
  assert.ok(parsed.ok);
  return parsed.config;
}

/**
 * Study "mnist-lr" with three trial runs (#1 pruned), and two plain runs: "plain one" completed
 * and "plain two" queued.
 */
async function seed(db: Db) {
  const [study] = await db.insert(studies).values({
    name: "mnist-lr",
    direction: "maximize",
    spec: { name: "mnist-lr", trials: 3, metric: "devAccuracy" },
  }).returning({ id: studies.id });
  const trial = (trialNumber: number) => ({ studyId: study.id, trialNumber });
  const plainOne = await storeFinishedRun(db, config("plain one"));
  const trialRuns = [
    await storeFinishedRun(db, config("mnist-lr #0"), { trial: trial(0) }),
    await storeFinishedRun(db, config("mnist-lr #1"), {
      trial: trial(1),
      stopped: { status: "pruned", reason: PRUNED },
    }),
    await storeFinishedRun(db, config("mnist-lr #2"), { trial: trial(2) }),
  ];
  const plainTwo = await insertRun(db, config("plain two"));
  return { studyId: study.id, trialRuns, plain: [plainOne, plainTwo] };
}

/** The run names in the page's runs table, top to bottom. */
function listedNames(html: string): string[] {
  const table = /<table class="runs">.*?<\/table>/s.exec(html)?.[0] ?? "";
  return [...table.matchAll(/<td><a href="\/runs\/\d+">([^<]*)<\/a><\/td>/g)].map((m) => m[1]);
}

Deno.test("/runs hides trial runs, says how many, and shows them with their study when asked", async () => {
  await using t = await testApp();
  const { studyId } = await seed(t.db);

  const hidden = await t.get("/runs");
  assert.deepEqual(listedNames(hidden), ["plain two", "plain one"]);
  assert.ok(!hidden.includes('<th scope="col">Study</th>'), "no Study column without trials");
  assert.match(hidden, /3 trial runs of studies hidden: <a href="\/runs\?trials=include">show/);
  assert.match(hidden, /name="trials" type="checkbox" value="include" ?>/, "toggle unticked");

  const shown = await t.get("/runs?trials=include");
  assert.deepEqual(listedNames(shown), [
    "plain two",
    "mnist-lr #2",
    "mnist-lr #1",
    "mnist-lr #0",
    "plain one",
  ]);
  assert.ok(shown.includes('<th scope="col">Study</th>'));
  assert.ok(shown.includes(`<a href="/studies/${studyId}">mnist-lr #1</a>`), "links the trial");
  assert.match(shown, /name="trials" type="checkbox" value="include" checked/);
  assert.ok(!shown.includes("hidden:"), "nothing is hidden any more");

  const only = await t.get("/runs?trials=only");
  assert.deepEqual(listedNames(only), ["mnist-lr #2", "mnist-lr #1", "mnist-lr #0"]);
});

Deno.test("a pruned trial's run shows pruned in the list, with its reason, and the filter finds it", async () => {
  await using t = await testApp();
  const { trialRuns } = await seed(t.db);

  const list = await t.get("/runs?trials=include");
  assert.ok(list.includes(`<span class="badge status-pruned" title="${PRUNED}">pruned</span>`));
  assert.match(list, /<option value="pruned" ?>pruned<\/option>/, "the status filter offers it");

  const filtered = await t.get("/runs?status=pruned&trials=include");
  assert.deepEqual(listedNames(filtered), ["mnist-lr #1"]);
  assert.match(filtered, /<option value="pruned" selected>pruned<\/option>/);
  assert.match(filtered, /Run 1 of 1/);

  // Every pruned run is a trial's: with trials hidden, the page says where it went.
  const hidden = await t.get("/runs?status=pruned");
  assert.match(hidden, /No run matches these filters\./);
  assert.match(
    hidden,
    /1 trial run of studies hidden: <a href="\/runs\?status=pruned&amp;trials=include">show them/,
  );

  const api = await (await t.request("/api/runs?status=pruned")).json();
  assert.deepEqual(api.runs.map((run: { id: number }) => run.id), [trialRuns[1]]);
  assert.equal(api.runs[0].status, "pruned");
  assert.equal(api.runs[0].error, PRUNED);
  assert.equal(api.runs[0].studyName, "mnist-lr");
  assert.equal(api.total, 1);
  const run = await (await t.request(`/api/runs/${trialRuns[1]}`)).json();
  assert.deepEqual([run.status, run.error], ["pruned", PRUNED]);
  const page = await t.get(`/runs/${trialRuns[1]}`);
  assert.match(page, /<span class="badge status-pruned"[^>]*>pruned<\/span>/);
  assert.ok(page.includes(PRUNED));
});

Deno.test("/runs pages by 50, says which runs of how many, and its links keep the filters", async () => {
  await using t = await testApp();
  await seed(t.db);
  for (let i = 0; i < 118; i++) await insertRun(t.db, config(`bulk ${i}`));

  // 120 plain runs, 3 trial runs hidden.
  const first = await t.get("/runs");
  assert.match(first, /Runs 1–50 of 120/);
  assert.equal(listedNames(first).length, 50);
  assert.match(first, /<span class="muted">← Previous<\/span><span>Page 1 of 3<\/span>/);
  assert.ok(first.includes(`<a href="/runs?page=2" rel="next">Next →</a>`));

  const second = await t.get("/runs?page=2");
  assert.match(second, /Runs 51–100 of 120/);
  assert.deepEqual(listedNames(second).slice(0, 2), ["bulk 67", "bulk 66"]);
  assert.ok(second.includes(`<a href="/runs" rel="prev">← Previous</a>`));
  assert.ok(second.includes(`<a href="/runs?page=3" rel="next">Next →</a>`));

  const last = await t.get("/runs?page=3");
  assert.match(last, /Runs 101–120 of 120/);
  assert.equal(listedNames(last).at(-1), "plain one");
  assert.match(last, /<span>Page 3 of 3<\/span><span class="muted">Next →<\/span>/);

  // Filters, sort and the trial toggle travel with the page links.
  const query = "status=queued&dataset=synthetic-binary&sort=devAccuracy&trials=include";
  const filtered = await t.get(`/runs?${query}&page=2`);
  assert.match(filtered, /Runs 51–100 of 119/, "the queued runs: 118 bulk and plain two");
  const kept = query.replaceAll("&", "&amp;");
  assert.ok(filtered.includes(`<a href="/runs?${kept}" rel="prev">`));
  assert.ok(filtered.includes(`<a href="/runs?${kept}&amp;page=3" rel="next">`));

  const past = await t.get("/runs?page=9");
  assert.match(past, /No runs on page 9: these filters match 120 runs, on 3 pages\./);
  assert.ok(past.includes(`<a href="/runs?page=3">Go to page 3</a>`));
});

Deno.test("/runs keeps its filters in the address: a reload or a shared link shows the same list", async () => {
  await using t = await testApp();
  await seed(t.db);
  const html = await t.get("/runs?status=completed&dataset=synthetic-binary&trials=include");
  // The form is a plain GET to /runs, and htmx pushes each change's address.
  assert.match(html, /<form class="card filter" method="get" action="\/runs" hx-get="\/runs"/);
  assert.match(html, /hx-push-url="true"/);
  assert.match(html, /<option value="completed" selected>completed<\/option>/);
  assert.match(html, /<option value="synthetic-binary" selected>synthetic-binary<\/option>/);
  assert.match(html, /name="trials" type="checkbox" value="include" checked/);
  assert.deepEqual(listedNames(html), ["mnist-lr #2", "mnist-lr #0", "plain one"]);
});

Deno.test("/runs and GET /api/runs refuse a bad page, trials or status value, naming it", async () => {
  await using t = await testApp();
  const cases: [string, string][] = [
    ["/runs?page=0", 'Page must be a whole number from 1 to 1000000, got "0"'],
    ["/runs?page=two", 'Page must be a whole number from 1 to 1000000, got "two"'],
    ["/runs?page=1000001", 'Page must be a whole number from 1 to 1000000, got "1000001"'],
    ["/runs?trials=all", 'Trials filter must be one of include, exclude, only, got "all"'],
    ["/api/runs?trials=all", 'Trials filter must be one of include, exclude, only, got "all"'],
    [
      "/api/runs?status=done",
      "Status filter must be one of queued, running, completed, failed, cancelled, pruned, " +
      'interrupted, diverged, got "done"',
    ],
  ];
  for (const [path, message] of cases) {
    const response = await t.request(path);
    assert.equal(response.status, 400, path);
    if (path.startsWith("/api/")) {
      assert.deepEqual(await response.json(), { error: message }, path);
    } else {
      assert.ok((await response.text()).includes(message.replaceAll('"', "&quot;")), path);
    }
  }
});

Deno.test("GET /api/runs lists trial runs unless told, and gives the total over all pages", async () => {
  await using t = await testApp();
  const { trialRuns, plain } = await seed(t.db);
  const ids = async (query: string) => {
    const body = await (await t.request(`/api/runs${query}`)).json();
    return { ids: body.runs.map((run: { id: number }) => run.id), total: body.total };
  };
  const all = [plain[1], ...trialRuns.toReversed(), plain[0]];
  assert.deepEqual(await ids(""), { ids: all, total: 5 }, "as before: every run");
  assert.deepEqual(await ids("?trials=include&limit=2&offset=1"), {
    ids: all.slice(1, 3),
    total: 5,
  });
  assert.deepEqual(await ids("?trials=exclude"), { ids: plain.toReversed(), total: 2 });
  assert.deepEqual(await ids("?trials=only&status=completed"), {
    ids: [trialRuns[2], trialRuns[0]],
    total: 2,
  });
});

Deno.test("the start page's recent runs leave trial runs out and say how many studies ran", async () => {
  await using t = await testApp();
  const { trialRuns, plain } = await seed(t.db);
  const home = await t.get("/");
  const recent = /<section class="card recent-runs">.*?<\/section>/s.exec(home)?.[0] ?? "";
  for (const id of plain) assert.ok(recent.includes(`href="/runs/${id}"`), `plain run ${id}`);
  for (const id of trialRuns) assert.ok(!recent.includes(`href="/runs/${id}"`), `trial run ${id}`);
  assert.match(
    recent,
    /Not listed: 3 trial runs of 1 study \(<a href="\/runs\?trials=include">show them/,
  );
});
