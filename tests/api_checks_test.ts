/**
 * The JSON API's checks that need the real datasets (MNIST's sizes), in process with
 * `app.request()`: no run here trains, so the engine worker never starts.
 */

import assert from "node:assert/strict";
import { defaultDatasetRoots } from "../config/paths.ts";
import { parseRunConfig } from "../config/schema.ts";
import { openDb } from "../db/client.ts";
import { insertRun } from "../db/runs.ts";
import { storeFinishedRun } from "./run_rows.ts";
import { loadDataset } from "../engine/data/load.ts";
import { RunService } from "../jobs/run_service.ts";
import { StudyService } from "../jobs/study_service.ts";
import { createApp } from "../routes/app.ts";

const datasetRoots = defaultDatasetRoots();
const { db, close } = await openDb({ url: ":memory:" });
const service = new RunService(db);
const studies = new StudyService(db, service);
Deno.test.afterAll(async () => {
  await service.shutdown();
  close();
});
const app = createApp({ datasetRoots, db, service, studies });

function post(path: string, body: unknown) {
  return app.request(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

Deno.test("POST /api/runs refuses with 400 a run its dataset could not train, writing nothing", async () => {
  const cases: [unknown, string, RegExp][] = [
    [{ data: { dataset: "synthetic-binary" } }, "data.split.test", /Test fraction is required/],
    [{ data: { trainSize: 100000 } }, "data.trainSize", /at most 60000 for "mnist"/],
    [{ data: { testSize: 20000 } }, "data.testSize", /at most 10000 for "mnist"/],
    [
      { data: { split: { train: 0.8, dev: 0.1, test: 0.1 } } },
      "data.split.test",
      /official test set/,
    ],
  ];
  for (const [body, path, message] of cases) {
    const response = await post("/api/runs", body);
    assert.equal(response.status, 400, JSON.stringify(body));
    const json = await response.json();
    assert.equal(json.error, "Invalid run config");
    const issue = json.issues.find((i: { path: string }) => i.path === path);
    assert.ok(issue, `an issue at ${path} for ${JSON.stringify(body)}`);
    assert.match(issue.message, message);
  }
  const both = await (await post("/api/runs", {
    data: { dataset: "synthetic-binary", testSize: 5 },
  })).json();
  assert.deepEqual(both.issues.map((i: { path: string }) => i.path), [
    "data.split.test",
    "data.testSize",
  ]);
  assert.deepEqual((await (await app.request("/api/runs")).json()).runs, []);
});

Deno.test("HEAD /api/runs/{id}/model gives GET's headers, the size included, and no body", async () => {
  const config = parseRunConfig({});
  assert.ok(config.ok);
  const weights = new Uint8Array(4321).map((_, i) => i % 251);
  const id = await storeFinishedRun(db, config.config, { weights });
  const get = await app.request(`/api/runs/${id}/model`);
  assert.equal(get.status, 200);
  assert.deepEqual(new Uint8Array(await get.arrayBuffer()), weights);
  const head = await app.request(`/api/runs/${id}/model`, { method: "HEAD" });
  assert.equal(head.status, 200);
  for (const name of ["Content-Length", "Content-Type", "Content-Disposition"]) {
    assert.equal(head.headers.get(name), get.headers.get(name), name);
  }
  assert.equal(head.headers.get("Content-Length"), "4321");
  assert.equal((await head.arrayBuffer()).byteLength, 0);
});

Deno.test("GET /api/datasets/{id}/samples reads the test set with split=test", async () => {
  const test = await app.request("/api/datasets/mnist/samples?split=test&count=5");
  assert.equal(test.status, 200);
  const body = await test.json();
  const mnist = await loadDataset("mnist", datasetRoots);
  assert.equal(body.split, "test");
  assert.deepEqual(body.samples.map((s: { label: number }) => s.label), [
    ...mnist.test!.labels.subarray(0, 5),
  ]);
  const train = await (await app.request("/api/datasets/mnist/samples?count=5")).json();
  assert.equal(train.split, "train");
  assert.deepEqual(train.samples.map((s: { label: number }) => s.label), [
    ...mnist.train.labels.subarray(0, 5),
  ]);

  const dev = await app.request("/api/datasets/mnist/samples?split=dev");
  assert.equal(dev.status, 400);
  assert.deepEqual((await dev.json()).issues, [{
    path: "split",
    message: 'Split must be "train" or "test", got "dev"',
  }]);
  const none = await app.request("/api/datasets/synthetic-binary/samples?split=test");
  assert.equal(none.status, 400);
  assert.match((await none.json()).error, /"synthetic-binary" has no official test set/);
});

Deno.test("GET /api/runs pages with limit and offset, and refuses bad values", async () => {
  const parsed = parseRunConfig({ name: "page", data: { trainSize: 100 } });
  assert.ok(parsed.ok);
  for (let i = 0; i < 5; i++) await insertRun(db, parsed.config);
  const all = (await (await app.request("/api/runs?limit=1000")).json()).runs.map(
    (r: { id: number }) => r.id,
  );
  const pages = [];
  for (let offset = 0; offset < all.length; offset += 2) {
    const page = await (await app.request(`/api/runs?limit=2&offset=${offset}`)).json();
    assert.ok(page.runs.length <= 2);
    pages.push(...page.runs.map((r: { id: number }) => r.id));
  }
  assert.deepEqual(pages, all, "pages cover every run once, in order");
  for (
    const bad of ["limit=0", "limit=1001", "offset=-1", "limit=abc", "limit=0x10", "limit=1e2"]
  ) {
    const response = await app.request(`/api/runs?${bad}`);
    assert.equal(response.status, 400, bad);
    assert.match((await response.json()).error, /must be a whole number from/);
  }
});
