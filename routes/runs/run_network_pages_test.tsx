import assert from "node:assert/strict";
import { defaultDatasetRoots } from "../../config/paths.ts";
import { parseRunConfig } from "../../config/schema.ts";
import { openDb } from "../../db/client.ts";
import { insertRun } from "../../db/runs.ts";
import { Mlp } from "../../engine/cpu/mlp.ts";
import { Rng } from "../../engine/random.ts";
import { encodeSafetensors, runMetadata } from "../../engine/safetensors.ts";
import { type RunConfig } from "../../engine/spec.ts";
import { RunService } from "../../jobs/run_service.ts";
import { StudyService } from "../../jobs/study_service.ts";
import { storeFinishedRun } from "../../tests/run_rows.ts";
import { createApp } from "../app.ts";

// Runs written straight to the database with freshly initialised weights: the pages read them
// as they would a trained run's, and no engine starts.
const { db, close } = await openDb({ url: ":memory:" });
const service = new RunService(db);
const studies = new StudyService(db, service);
Deno.test.afterAll(async () => {
  await service.shutdown();
  close();
});
const app = createApp({
  datasetRoots: defaultDatasetRoots(),
  probeDevice: () => Promise.resolve({ backend: "cpu", reason: "test" }),
  db,
  service,
  studies,
});

function config(input: Record<string, unknown>): RunConfig {
  const parsed = parseRunConfig(input);
  assert.ok(parsed.ok);
  return parsed.config;
}

async function completedRun(run: RunConfig, features: number, outputs: number) {
  const model = new Mlp({ features, layers: run.model.layers, outputs }, "default", new Rng(1));
  const weights = encodeSafetensors(
    [...model.parameters, ...model.buffers],
    runMetadata({ config: run, version: "test" }),
  );
  const test = { loss: 1, accuracy: 0.5, count: 10, classes: outputs === 1 ? 2 : outputs };
  return await storeFinishedRun(db, run, {
    weights,
    result: { test: { ...test, confusion: new Array(test.classes ** 2).fill(0) } },
  });
}

const fragment = async (id: number) =>
  await (await app.request(`/runs/${id}/network`, { headers: { "HX-Request": "true" } })).text();

Deno.test("GET /runs/:id/network shows a completed MNIST run's diagram, first layer and canvas", async () => {
  const mnist = config({ data: { dataset: "mnist" }, model: { layers: [{ units: 40 }] } });
  const html = await fragment(await completedRun(mnist, 784, 10));
  assert.match(html, /^<div id="run-network"/);
  assert.match(html, /data-parameters="31810"/); // 784·40 + 40 + 40·10 + 10
  assert.equal((html.match(/<img /g) ?? []).length, 32, "the 32 strongest of 40 units");
  assert.match(html, /The 32 of 40 units with the largest weight norm/);
  assert.match(html, /data-predict-url="\/api\/runs\/\d+\/predict"/);
  assert.match(html, /aria-label="Drawing canvas"/);
  assert.equal((html.match(/<li data-class=/g) ?? []).length, 10);
});

Deno.test("GET /runs/:id/network shows a model without hidden layers its class templates", async () => {
  const linear = config({ data: { dataset: "mnist" }, model: { layers: [] } });
  const html = await fragment(await completedRun(linear, 784, 10));
  assert.match(html, /has no hidden layer: each class&#39;s output unit/);
  assert.deepEqual(
    [...html.matchAll(/<img [^>]*alt="Class (\d)/g)].map((match) => match[1]),
    ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
  );
});

Deno.test("GET /runs/:id/network draws only the diagram for other data, and no pictures before a save", async () => {
  const synthetic = config({
    data: { dataset: "synthetic-binary", split: { train: 0.8, dev: 0.1, test: 0.1 } },
    loss: "bce_with_logits",
    model: { layers: [{ units: 4, batchNorm: true }] },
  });
  const html = await fragment(await completedRun(synthetic, 10, 1));
  assert.match(html, />Input · 10 features</);
  assert.match(html, />Output · 1 units</);
  assert.doesNotMatch(html, /first-layer|draw-digit/);

  const queued = await insertRun(db, config({ data: { dataset: "mnist" } }));
  const waiting = await fragment(queued);
  assert.match(waiting, /data-parameters="535818"/);
  assert.doesNotMatch(waiting, /draw-digit|<img /);
  // Its first layer's pictures come with its first epoch, asked for after each streamed message.
  assert.match(waiting, /appear after the first epoch/);
  assert.match(waiting, new RegExp(`hx-get="/runs/${queued}/first-layer\\?saved=0"`));
  // Without htmx, a page of its own that links back to the run.
  const page = await (await app.request(`/runs/${queued}/network`)).text();
  assert.match(page, /<!DOCTYPE html>/);
  assert.match(page, new RegExp(`href="/runs/${queued}"`));
  assert.equal((await app.request("/runs/999999/network")).status, 404);
});

Deno.test("a run's page fetches its network parts once it has loaded", async () => {
  const id = await insertRun(db, config({ data: { dataset: "mnist" } }));
  const html = await (await app.request(`/runs/${id}`)).text();
  assert.match(html, new RegExp(`hx-get="/runs/${id}/network" hx-trigger="load"`));
});
