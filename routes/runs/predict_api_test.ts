import assert from "node:assert/strict";
import { encode as encodePng, type ImageData } from "fast-png";
import { defaultDatasetRoots } from "../../config/paths.ts";
import { parseRunConfig } from "../../config/schema.ts";
import { openDb } from "../../db/client.ts";
import { getPredictions, insertRun } from "../../db/runs.ts";
import type { NamedTensor } from "../../engine/backend.ts";
import { CpuBackend } from "../../engine/cpu/session.ts";
import { loadDataset } from "../../engine/data/load.ts";
import { encodeSafetensors, runMetadata } from "../../engine/safetensors.ts";
import { train } from "../../engine/train.ts";
import { RunService } from "../../jobs/run_service.ts";
import { StudyService } from "../../jobs/study_service.ts";
import { storeFinishedRun } from "../../tests/run_rows.ts";
import { createApp } from "../app.ts";
import { INK_THRESHOLD } from "../../engine/data/digit_preprocess.ts";
import { MAX_PREDICT_BYTES } from "./predict_api.ts";

// A tiny MNIST model trained here on the CPU reference and stored as a completed run, the way
// the trainer stores one, so no engine starts.
const roots = defaultDatasetRoots();
const { db, close } = await openDb({ url: ":memory:" });
const service = new RunService(db);
const studies = new StudyService(db, service);
Deno.test.afterAll(async () => {
  await service.shutdown();
  close();
});
const app = createApp({
  datasetRoots: roots,
  probeDevice: () => Promise.resolve({ backend: "cpu", reason: "test" }),
  db,
  service,
  studies,
});

async function trainAndStore(input: Record<string, unknown>): Promise<number> {
  const parsed = parseRunConfig({ device: "cpu", epochs: 1, batch: { size: 32 }, ...input });
  assert.ok(parsed.ok);
  let state: NamedTensor[] = [];
  const result = await train(parsed.config, {
    roots,
    backend: new CpuBackend(),
    onFinish: async (session) => {
      state = await session.getState();
    },
  });
  const weights = encodeSafetensors(state, runMetadata({ config: parsed.config, version: "test" }));
  return await storeFinishedRun(db, parsed.config, { weights, result });
}

const TEST_ROWS = 20;
const mnistRun = await trainAndStore({
  data: { dataset: "mnist", trainSize: 400, testSize: TEST_ROWS },
  model: { layers: [{ units: 32, dropout: 0.1 }] },
});
const syntheticRun = await trainAndStore({
  data: { dataset: "synthetic-binary", split: { train: 0.6, dev: 0.2, test: 0.2 } },
  model: { layers: [{ units: 4 }] },
});
const mnist = await loadDataset("mnist", roots);
const testDigit = (row: number) => mnist.test!.inputs.subarray(row * 784, (row + 1) * 784);
const stored = await (await app.request(`/api/runs/${mnistRun}`)).json();

/** A PNG file as a request body. */
const png = (image: ImageData) => new Blob([encodePng(image).slice()]);

const predict = (id: number, body: BodyInit, type = "application/json") =>
  app.request(`/api/runs/${id}/predict`, {
    method: "POST",
    headers: { "Content-Type": type },
    body,
  });
const predictPixels = (pixels: unknown, id = mnistRun) => predict(id, JSON.stringify({ pixels }));

Deno.test("POST /api/runs/:id/predict classifies MNIST's test digits as the run's test did", async () => {
  const predictions = (await getPredictions(db, mnistRun))!;
  for (let row = 0; row < TEST_ROWS; row++) {
    const response = await predictPixels(Array.from(testDigit(row)));
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.deepEqual(body.classes, ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
    assert.equal(body.probabilities.length, 10);
    assert.ok(Math.abs(body.probabilities.reduce((a: number, b: number) => a + b) - 1) < 1e-6);
    assert.equal(body.predicted, predictions.predicted[row], `test digit ${row}`);
    assert.equal(body.predicted, body.probabilities.indexOf(Math.max(...body.probabilities)));
    // MNIST's digits are already preprocessed: the model saw them as they are, but for faint
    // specks outside the ink's bounding box, which preprocessing drops.
    body.input.forEach((value: number, i: number) =>
      assert.ok(Math.abs(value - testDigit(row)[i]) <= INK_THRESHOLD, `digit ${row} pixel ${i}`)
    );
  }
  assert.equal(stored.status, "completed");
});

Deno.test("POST /api/runs/:id/predict centres a digit drawn off-centre, and reads PNGs either way up", async () => {
  // Test digit 0 moved 5 pixels left and 3 up (its blank margins allow it) predicts the same.
  const digit = testDigit(0);
  const shifted = new Array(784).fill(0);
  for (let y = 3; y < 28; y++) {
    for (let x = 5; x < 28; x++) shifted[(y - 3) * 28 + x - 5] = digit[y * 28 + x];
  }
  const centred = await (await predict(mnistRun, JSON.stringify({ pixels: Array.from(digit) })))
    .json();
  const moved = await (await predictPixels(shifted)).json();
  assert.deepEqual(moved.input, centred.input);
  assert.equal(moved.predicted, centred.predicted);

  const gray = png({ width: 28, height: 28, data: Uint8Array.from(digit), channels: 1 });
  const fromPng = await (await predict(mnistRun, gray, "image/png")).json();
  assert.deepEqual(fromPng.probabilities, centred.probabilities);
  // Dark ink on white paper, in colour at 3× the size: turned, shrunk, and the same digit.
  const big = new Uint8Array(84 * 84 * 3);
  for (let i = 0; i < 84 * 84; i++) {
    const value = 255 - digit[Math.floor(i / 84 / 3) * 28 + Math.floor((i % 84) / 3)];
    big.fill(value, i * 3, i * 3 + 3);
  }
  const paper = png({ width: 84, height: 84, data: big, channels: 3 });
  const fromPaper = await (await predict(mnistRun, paper, "image/png")).json();
  assert.equal(fromPaper.predicted, centred.predicted);
});

Deno.test("POST /api/runs/:id/predict answers 400 naming the field for hostile bodies", async () => {
  const cases: [string, BodyInit, string, RegExp][] = [
    ["too few pixels", JSON.stringify({ pixels: [1, 2, 3] }), "pixels", /784 values .*got 3/],
    ["no pixels", JSON.stringify({ image: [] }), "pixels", /array of 784/],
    ["an array body", JSON.stringify([0, 1]), "", /object/],
    [
      "a pixel over 255",
      JSON.stringify({ pixels: Array.from({ length: 784 }, (_, i) => (i === 5 ? 256 : 0)) }),
      "pixels.5",
      /0 to 255, got 256/,
    ],
    [
      "a negative pixel",
      JSON.stringify({ pixels: Array.from({ length: 784 }, (_, i) => (i === 9 ? -1 : 0)) }),
      "pixels.9",
      /got -1/,
    ],
    [
      "a string pixel",
      JSON.stringify({ pixels: Array.from({ length: 784 }, (_, i) => (i === 0 ? "7" : 0)) }),
      "pixels.0",
      /got "7"/,
    ],
    ["a blank image", JSON.stringify({ pixels: new Array(784).fill(3) }), "pixels", /no ink/],
    ["malformed JSON", "{pixels:", "", /not valid JSON/],
  ];
  for (const [what, body, path, message] of cases) {
    const response = await predict(mnistRun, body);
    assert.equal(response.status, 400, what);
    const answer = await response.json();
    assert.equal(answer.issues[0].path, path, what);
    assert.match(answer.issues[0].message, message, what);
  }
  const notPng = await predict(mnistRun, "GIF89a, honestly", "image/png");
  assert.equal(notPng.status, 400);
  assert.match((await notPng.json()).issues[0].message, /not a PNG/);
  const tooBig = png({ width: 1100, height: 2, data: new Uint8Array(2200), channels: 1 });
  const wide = await predict(mnistRun, tooBig, "image/png");
  assert.equal(wide.status, 400);
  assert.match((await wide.json()).error, /1100×2; at most 1024×1024/);
});

Deno.test("POST /api/runs/:id/predict refuses large bodies, other types, and runs it cannot serve", async () => {
  const huge = await predict(
    mnistRun,
    JSON.stringify({ pixels: new Array(MAX_PREDICT_BYTES).fill(0) }),
  );
  assert.equal(huge.status, 413);
  const text = await predict(mnistRun, "0,0,0", "text/plain");
  assert.equal(text.status, 415);
  assert.match((await text.json()).error, /application\/json or image\/png/);
  const digit = Array.from(testDigit(1));
  assert.equal((await predictPixels(digit, 999_999)).status, 404);
  const synthetic = await predictPixels(digit, syntheticRun);
  assert.equal(synthetic.status, 409);
  assert.match((await synthetic.json()).error, /synthetic-binary, which is not 28×28/);
  const parsed = parseRunConfig({ data: { dataset: "mnist" } });
  assert.ok(parsed.ok);
  const queued = await insertRun(db, parsed.config);
  const waiting = await predictPixels(digit, queued);
  assert.equal(waiting.status, 409);
  assert.match((await waiting.json()).error, /no stored weights.*queued/);
});
