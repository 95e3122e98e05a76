/**
 * A study whose trials stop early keeping their best weights: each trial's value is the metric
 * of the epoch whose weights its run kept, not of the epoch it stopped at.
 *
 * @module
 */

import assert from "node:assert/strict";
import { postJson, readSse, startTestServer } from "./service_helpers.ts";

Deno.test("a trial that stops early with restoreBest is valued at its best epoch", async () => {
  const t = await startTestServer();
  try {
    const created = await postJson(`${t.url}/api/studies`, {
      name: "early",
      direction: "minimize",
      metric: "devLoss",
      trials: 2,
      sampler: { type: "random", seed: 1 },
      pruner: { type: "none" },
      // Random labels (synthetic-binary): the dev loss soon rises as the model memorises.
      base: {
        epochs: 30,
        seed: 5,
        device: "cpu",
        data: {
          dataset: "synthetic-binary",
          normalize: null,
          split: { train: 0.6, dev: 0.2, test: 0.2 },
        },
        model: { layers: [{ units: 32, batchNorm: true, dropout: 0.1 }] },
        batch: { size: 32 },
        earlyStopping: { metric: "devLoss", patience: 2 },
      },
      space: { "optimizer.lr": { type: "float", low: 0.01, high: 0.05, log: true } },
    });
    assert.equal(created.status, 201);
    const { id } = await created.json();
    await readSse(await fetch(`${t.url}/api/studies/${id}/events`));
    const report = await (await fetch(`${t.url}/api/studies/${id}`)).json();
    for (const trial of report.trials) {
      assert.equal(trial.state, "COMPLETE");
      const run = await (await fetch(`${t.url}/api/runs/${trial.runId}`)).json();
      const { stoppedEpoch, bestEpoch } = run.earlyStop;
      assert.ok(stoppedEpoch > bestEpoch, `run ${trial.runId} should stop early`);
      assert.equal(trial.value, run.epochs[bestEpoch - 1].devLoss);
      assert.notEqual(trial.value, run.epochs.at(-1).devLoss);
    }
  } finally {
    await t.close();
  }
});
