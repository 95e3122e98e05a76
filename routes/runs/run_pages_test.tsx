import assert from "node:assert/strict";
import { parseRunConfig } from "../../config/schema.ts";
import { openDb } from "../../db/client.ts";
import type { DeviceInfo } from "../../engine/device.ts";
import type { RunConfig } from "../../engine/spec.ts";
import { RunService } from "../../jobs/run_service.ts";
import { StudyService } from "../../jobs/study_service.ts";
import { storeFinishedRun } from "../../tests/run_rows.ts";
import { createApp } from "../app.ts";

// No MNIST folder: only the generated dataset is listed. The runs are written straight to the
// database, so no engine starts.
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

function parsed(input: unknown): RunConfig {
  const result = parseRunConfig(input);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.config;
}

const SYNTHETIC = {
  dataset: "synthetic-binary",
  normalize: null,
  split: { train: 0.8, dev: 0.1, test: 0.1 },
};

const normed = parsed({
  name: "normed",
  data: SYNTHETIC,
  model: { layers: [{ units: 16, batchNorm: true, dropout: 0.25 }, { units: 8 }] },
  optimizer: { type: "sgd", lr: 0.05, momentum: 0.9 },
});
const plain = parsed({
  name: "plain",
  data: SYNTHETIC,
  model: { layers: [{ units: 16 }] },
  optimizer: { type: "sgd", lr: 0.05, momentum: 0.9 },
});

/** The cells of the table row headed `label`: `[label, value…]`, tags stripped. */
function row(html: string, label: string): string[] | undefined {
  // A group's heading row (Optimizer) is not a setting's row.
  for (const [tr] of html.matchAll(/<tr(?! class="group")[^>]*>.*?<\/tr>/gs)) {
    const cells = [...tr.matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/gs)]
      .map(([, cell]) => cell.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim());
    if (cells[0] === label) return cells;
  }
  return undefined;
}

Deno.test("a run's page shows its settings by the form's labels, batch norm and dropout included", async () => {
  const id = await storeFinishedRun(db, normed);
  const html = await (await app.request(`/runs/${id}`)).text();
  assert.deepEqual(row(html, "Layer 1 batch norm"), ["Layer 1 batch norm", "on"]);
  assert.deepEqual(row(html, "Layer 1 dropout"), ["Layer 1 dropout", "0.25"]);
  assert.deepEqual(row(html, "Layer 2 batch norm"), ["Layer 2 batch norm", "off default"]);
  assert.deepEqual(row(html, "Momentum"), ["Momentum", "0.9"]);
  assert.deepEqual(row(html, "Optimizer"), ["Optimizer", "SGD"]);
  assert.deepEqual(row(html, "Epochs"), ["Epochs", "10 default"]);
  for (const group of ["Data", "Model", "Optimizer", "Regularisation", "Training"]) {
    assert.match(html, new RegExp(`<th scope="rowgroup" colspan="2">${group}</th>`));
  }
  assert.match(html, /<summary>Config as JSON<\/summary>\s*<pre>\{/, "the JSON is one click away");
  assert.match(html, /16 relu, batch norm, dropout 0\.25 → 8 relu · sgd lr 0\.05, momentum 0\.9/);
});

Deno.test("compare shows every setting side by side and highlights those that differ", async () => {
  const first = await storeFinishedRun(db, normed);
  const second = await storeFinishedRun(db, plain);
  const html = await (await app.request(`/runs/compare?ids=${first},${second}`)).text();
  assert.match(html, /Settings · 6 differ/);
  assert.match(html, /<tr class="differs"><th scope="row">Layer 1 batch norm/);
  assert.deepEqual(row(html, "Layer 1 batch norm (differs)"), [
    "Layer 1 batch norm (differs)",
    "on",
    "off default",
  ]);
  assert.deepEqual(row(html, "Layer 2 units (differs)"), ["Layer 2 units (differs)", "8", "—"]);
  assert.deepEqual(row(html, "Momentum"), ["Momentum", "0.9", "0.9"], "equal rows are plain");
});

Deno.test("POST /runs/new names a bad layer and a train size past the dataset's in one pass", async () => {
  const form = new URLSearchParams({
    name: "both",
    "data.dataset": "synthetic-binary",
    "data.split.train": "0.8",
    "data.split.dev": "0.1",
    "data.split.test": "0.1",
    "data.trainSize": "70000",
    "model.init": "default",
    "model.layers.0.units": "lots",
    "model.layers.0.activation": "relu",
    "model.layers.0.dropout": "0",
    loss: "cross_entropy",
    "optimizer.type": "adam",
    "optimizer.shownType": "adam",
    "optimizer.lr": "0.001",
    "optimizer.betas.0": "0.9",
    "optimizer.betas.1": "0.999",
    "optimizer.eps": "1e-8",
    "optimizer.weightDecay": "0",
    "regularization.l1": "0",
    "regularization.l2": "0",
    "batch.mode": "minibatch",
    "batch.size": "32",
    epochs: "1",
    seed: "0",
    device: "cpu",
  });
  const response = await app.request("/runs/new", { method: "POST", body: form });
  assert.equal(response.status, 422);
  const html = await response.text();
  assert.match(html, /2 problems to fix/);
  assert.match(
    html,
    /<a href="#field-model-layers-0-units">Layer 1 units<\/a>: Units must be an integer in \[1, 8192\], got &quot;lots&quot;/,
  );
  assert.match(
    html,
    /<a href="#field-data-trainSize">Train size<\/a>: Train size must be at most 1000 for &quot;synthetic-binary&quot;, got 70000/,
  );
  assert.ok(!html.includes("model.layers.0.units:"), "no config path is shown as a label");
});
