/**
 * `GET /api/runs/:id/pytorch.py`, `GET /api/runs/:id/model.onnx` and
 * `GET /api/studies/:id/optuna.py` on a real server: the downloads, and an ONNX model whose
 * onnxruntime predictions on the test set are the ones the run stored.
 *
 * @module
 */

import assert from "node:assert/strict";
import { defaultDatasetRoots } from "../config/paths.ts";
import { openDb } from "../db/client.ts";
import { getPredictions } from "../db/runs.ts";
import { loadDataset } from "../engine/data/load.ts";
import { prepareData } from "../engine/data/split.ts";
import type { RunConfig } from "../engine/spec.ts";
import { ModelProto } from "../export/onnx_proto.ts";
import { assertParses, findPython } from "./python_helpers.ts";
import { postJson, startTestServer, tinyRun, waitFor } from "./service_helpers.ts";

const ort = await import("onnxruntime-node").catch(() => null);
const python = await findPython();

const MNIST_RUN = tinyRun({
  name: "tiny mnist",
  epochs: 1,
  data: { dataset: "mnist", trainSize: 400, testSize: 100 },
  model: { layers: [{ units: 16, batchNorm: true, activation: "gelu", dropout: 0.1 }] },
});

async function completedRun(
  url: string,
  config: unknown,
): Promise<{ id: number; config: RunConfig }> {
  const { id } = await (await postJson(`${url}/api/runs`, config)).json();
  return await waitFor(
    async () => {
      const run = await (await fetch(`${url}/api/runs/${id}`)).json();
      if (run.status === "failed") throw new Error(`Run ${id} failed: ${run.error}`);
      return run.status === "completed" ? { id, config: run.config } : undefined;
    },
    `run ${id} to complete`,
    60_000,
  );
}

Deno.test("GET /api/runs/:id/pytorch.py and /model.onnx download a completed run, linked from its page; 404 and 400 otherwise", async () => {
  const test = await startTestServer();
  try {
    const { id } = await completedRun(test.url, tinyRun());
    const run = await (await fetch(`${test.url}/api/runs/${id}`)).json();

    const script = await fetch(`${test.url}/api/runs/${id}/pytorch.py`);
    assert.equal(script.status, 200);
    assert.match(script.headers.get("Content-Type")!, /^text\/x-python/);
    assert.equal(
      script.headers.get("Content-Disposition"),
      `attachment; filename="ajuste-run-${id}.py"`,
    );
    const source = await script.text();
    assert.ok(source.includes(`Run #${id} "tiny" of ajuste`));
    assert.ok(source.includes(`"loss": ${JSON.stringify(run.test.loss)}`), "the stored test loss");
    if (python) await assertParses(python, { "pytorch.py": source });

    const onnx = await fetch(`${test.url}/api/runs/${id}/model.onnx`);
    assert.equal(onnx.status, 200);
    assert.equal(
      onnx.headers.get("Content-Disposition"),
      `attachment; filename="ajuste-run-${id}.onnx"`,
    );
    const model = ModelProto.toObject(ModelProto.decode(new Uint8Array(await onnx.arrayBuffer())));
    assert.equal(model.producer_name, "ajuste");

    const page = await (await fetch(`${test.url}/runs/${id}`)).text();
    assert.ok(page.includes(`href="/api/runs/${id}/pytorch.py"`), "the run page links the script");
    assert.ok(page.includes(`href="/api/runs/${id}/model.onnx"`), "and the ONNX model");

    for (const path of ["pytorch.py", "model.onnx"]) {
      const missing = await fetch(`${test.url}/api/runs/999999/${path}`);
      assert.equal(missing.status, 404, path);
      assert.match((await missing.json()).error, /Run 999999 does not exist/);
      const bad = await fetch(`${test.url}/api/runs/abc/${path}`);
      assert.equal(bad.status, 400, path);
      await bad.body?.cancel();
    }
  } finally {
    await test.close();
  }
});

Deno.test({
  name:
    "GET /api/runs/:id/model.onnx in onnxruntime-node predicts the run's stored test predictions",
  ignore: ort === null,
  async fn() {
    const test = await startTestServer();
    try {
      for (const config of [tinyRun(), MNIST_RUN]) {
        const run = await completedRun(test.url, config);
        const bytes = new Uint8Array(
          await (await fetch(`${test.url}/api/runs/${run.id}/model.onnx`)).arrayBuffer(),
        );
        const dataset = await loadDataset(run.config.data.dataset, defaultDatasetRoots(), {
          seed: run.config.seed,
        });
        const data = prepareData(dataset, run.config.data, run.config.seed);
        const { db, close } = await openDb({ url: test.dbUrl });
        const stored = await getPredictions(db, run.id).finally(close);
        assert.ok(stored, "the run stored its predictions");
        const session = await ort!.InferenceSession.create(bytes);
        try {
          const rows = data.test.count;
          const input = new ort!.Tensor("float32", Float32Array.from(data.test.inputs), [
            rows,
            data.features,
          ]);
          const probabilities = (await session.run({ input })).probabilities.data as Float32Array;
          const units = probabilities.length / rows;
          for (let r = 0; r < rows; r++) {
            const row = Array.from(probabilities.subarray(r * units, (r + 1) * units));
            const predicted = units === 1 ? (row[0] > 0.5 ? 1 : 0) : row.indexOf(Math.max(...row));
            const confidence = units === 1 ? Math.max(row[0], 1 - row[0]) : Math.max(...row);
            assert.equal(predicted, stored.predicted[r], `${config.name} row ${r}`);
            assert.ok(
              Math.abs(confidence - stored.confidence[r]) <= 1e-5,
              `${config.name} row ${r}'s confidence`,
            );
          }
        } finally {
          await session.release();
        }
      }
    } finally {
      await test.close();
    }
  },
});

Deno.test("GET /api/studies/:id/optuna.py gives the study's Optuna script, linked from its page; 404 for none", async () => {
  const test = await startTestServer();
  try {
    const response = await postJson(`${test.url}/api/studies`, {
      name: "export-study",
      trials: 1,
      base: tinyRun({ epochs: 1 }),
      space: { "optimizer.lr": { type: "float", low: 1e-4, high: 1e-1, log: true } },
    });
    assert.equal(response.status, 201);
    const { id } = await response.json();
    const script = await fetch(`${test.url}/api/studies/${id}/optuna.py`);
    assert.equal(script.status, 200);
    assert.equal(
      script.headers.get("Content-Disposition"),
      `attachment; filename="ajuste-study-${id}.py"`,
    );
    const source = await script.text();
    assert.ok(source.includes('trial.suggest_float("optimizer.lr", 0.0001, 0.1, log=True)'));
    if (python) await assertParses(python, { "optuna.py": source });
    const page = await (await fetch(`${test.url}/studies/${id}`)).text();
    assert.ok(page.includes(`href="/api/studies/${id}/optuna.py"`), "the study page links it");
    const missing = await fetch(`${test.url}/api/studies/999999/optuna.py`);
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
  } finally {
    await test.close();
  }
});
