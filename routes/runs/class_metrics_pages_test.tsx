import assert from "node:assert/strict";
import { parseRunConfig } from "../../config/schema.ts";
import { openDb } from "../../db/client.ts";
import { insertRun } from "../../db/runs.ts";
import type { DeviceInfo } from "../../engine/device.ts";
import { RunService } from "../../jobs/run_service.ts";
import { StudyService } from "../../jobs/study_service.ts";
import { storeFinishedRun } from "../../tests/run_rows.ts";
import { createApp } from "../app.ts";

// Fashion-MNIST is not installed for this app: its class names come from the dataset's id. The
// run is written straight to the database, so no engine starts.
const { db, close } = await openDb({ url: ":memory:" });
const service = new RunService(db);
const studies = new StudyService(db, service);
Deno.test.afterAll(async () => {
  await service.shutdown();
  close();
});
const cpu: DeviceInfo = { backend: "cpu", reason: "No WebGPU adapter found" };
const app = createApp({
  datasetRoots: { mnist: "/nonexistent/mnist" },
  probeDevice: () => Promise.resolve(cpu),
  db,
  service,
  studies,
});

const parsed = parseRunConfig({ name: "fashion", data: { dataset: "fashion-mnist" } });
assert.ok(parsed.ok);
// Ten classes; only the first three appear. T-shirt/top: 8 right, 2 taken for Trouser.
// Trouser: all 5 right. Pullover: 3 right, 2 taken for T-shirt/top.
const confusion = new Array(100).fill(0);
confusion[0] = 8;
confusion[1] = 2;
confusion[11] = 5;
confusion[22] = 3;
confusion[20] = 2;
const id = await storeFinishedRun(db, parsed.config, {
  result: { test: { loss: 0.5, accuracy: 16 / 20, count: 20, classes: 10, confusion } },
});

/** The cells of each row of the class metrics table, tags stripped. */
function classRows(html: string): string[][] {
  const table = html.match(/<table class="class-metrics">.*?<\/table>/s);
  assert.ok(table, "the run page has a per-class table");
  return [...table[0].matchAll(/<tr>(.*?)<\/tr>/gs)].map(([, tr]) =>
    [...tr.matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/gs)].map(([, cell]) => cell.trim())
  );
}

Deno.test("a run's page lists precision, recall, F1 and support per class by the dataset's names", async () => {
  const html = await (await app.request(`/runs/${id}`)).text();
  const rows = classRows(html);
  assert.deepEqual(rows[0], ["Class", "Precision", "Recall", "F1", "Support"]);
  // T-shirt/top: precision 8/10, recall 8/10. Trouser: 5/7, 5/5, F1 2·(5/7)/(12/7) = 10/12.
  assert.deepEqual(rows[1], ["T-shirt/top", "80.0%", "80.0%", "80.0%", "10"]);
  assert.deepEqual(rows[2], ["Trouser", "71.4%", "100.0%", "83.3%", "5"]);
  assert.deepEqual(rows[3], ["Pullover", "100.0%", "60.0%", "75.0%", "5"]);
  assert.deepEqual(rows[10], ["Ankle boot", "0.0%", "0.0%", "0.0%", "0"]);
  // Averages over the three classes seen, as torcheval leaves out classes never seen at all.
  // Macro precision (0.8 + 5/7 + 1) / 3 = 83.8%; weighted (0.8·10 + 5/7·5 + 1·5) / 20 = 82.9%.
  assert.deepEqual(rows[11], ["Macro average", "83.8%", "80.0%", "79.4%", "20"]);
  assert.deepEqual(rows[12], ["Weighted average", "82.9%", "80.0%", "79.6%", "20"]);
});

Deno.test("GET /api/runs/:id returns classMetrics named by class, with macro and weighted averages", async () => {
  const run = await (await app.request(`/api/runs/${id}`)).json();
  assert.equal(run.classMetrics.perClass.length, 10);
  assert.deepEqual(run.classMetrics.perClass[0], {
    name: "T-shirt/top",
    precision: 0.8,
    recall: 0.8,
    f1: 0.8000000000000002,
    support: 10,
  });
  assert.equal(run.classMetrics.perClass[9].name, "Ankle boot");
  assert.equal(run.classMetrics.macro.recall, (0.8 + 1 + 0.6) / 3);
  assert.equal(run.classMetrics.weighted.recall, 0.8);
});

Deno.test("GET /api/runs/:id has classMetrics null before the run has test metrics", async () => {
  const queued = await insertRun(db, parsed.config);
  const run = await (await app.request(`/api/runs/${queued}`)).json();
  assert.equal(run.status, "queued");
  assert.equal(run.classMetrics, null);
});
