/**
 * A run that stops early, end to end on the CPU: GET /api/runs/:id says where it stopped and its
 * best epoch, the run page shows it, and its test metrics, predictions and weights download are
 * the best epoch's — the same, bit for bit, as a run of exactly that many epochs with the seed.
 *
 * @module
 */

import assert from "node:assert/strict";
import { decodeSafetensors } from "../engine/safetensors.ts";
import { postJson, startTestServer, type TestServer, waitFor } from "./service_helpers.ts";

/** Random labels (synthetic-binary): the dev loss soon rises as the model memorises. */
const config = {
  name: "early",
  device: "cpu",
  seed: 5,
  epochs: 30,
  data: {
    dataset: "synthetic-binary",
    normalize: null,
    split: { train: 0.6, dev: 0.2, test: 0.2 },
  },
  model: { layers: [{ units: 32, batchNorm: true, dropout: 0.1 }] },
  optimizer: { type: "adam", lr: 0.01 },
  batch: { size: 32 },
};

async function completedRun(server: TestServer, body: Record<string, unknown>) {
  const created = await postJson(`${server.url}/api/runs`, body);
  assert.equal(created.status, 201);
  const { id } = await created.json();
  const run = await waitFor(async () => {
    const run = await (await fetch(`${server.url}/api/runs/${id}`)).json();
    return ["completed", "failed"].includes(run.status) ? run : undefined;
  }, "the run to end");
  assert.equal(run.status, "completed", run.error);
  const weights = new Uint8Array(
    await (await fetch(`${server.url}/api/runs/${id}/model`)).arrayBuffer(),
  );
  return { id, run, state: decodeSafetensors(weights).state };
}

Deno.test("a run that stops early says so and keeps its best epoch's metrics and weights", async () => {
  const server = await startTestServer();
  try {
    const early = await completedRun(server, {
      ...config,
      earlyStopping: { metric: "devLoss", patience: 2 },
    });
    const { stoppedEpoch, bestEpoch, message } = early.run.earlyStop;
    assert.ok(stoppedEpoch < config.epochs, `it should stop early, stopped at ${stoppedEpoch}`);
    assert.equal(early.run.epochs.length, stoppedEpoch);
    assert.equal(message, `Stopped early at epoch ${stoppedEpoch}; best epoch ${bestEpoch}`);
    assert.deepEqual(early.run.config.earlyStopping, {
      metric: "devLoss",
      mode: "min",
      patience: 2,
      minDelta: 0,
      restoreBest: true,
    });

    const page = await (await fetch(`${server.url}/runs/${early.id}`)).text();
    assert.ok(page.includes(message), "the run page says where it stopped");
    assert.ok(page.includes(`weights are epoch ${bestEpoch}`), "and whose weights it kept");

    const best = await completedRun(server, { ...config, epochs: bestEpoch });
    assert.equal(best.run.earlyStop, null);
    assert.deepEqual(early.run.test, best.run.test);
    assert.deepEqual(early.state, best.state);
  } finally {
    await server.close();
  }
});
