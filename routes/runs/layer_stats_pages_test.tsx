import assert from "node:assert/strict";
import { parseRunConfig } from "../../config/schema.ts";
import { openDb } from "../../db/client.ts";
import { claimRun, writeEpoch } from "../../db/jobs.ts";
import { insertRun } from "../../db/runs.ts";
import type { LayerStats } from "../../engine/layer_stats.ts";
import type { RunConfig } from "../../engine/spec.ts";
import type { EpochRecord } from "../../engine/train.ts";
import { RunService } from "../../jobs/run_service.ts";
import { StudyService } from "../../jobs/study_service.ts";
import { storeFinishedRun } from "../../tests/run_rows.ts";
import { createApp } from "../app.ts";

// Runs written straight to the database: no engine starts.
const { db, close } = await openDb({ url: ":memory:" });
const service = new RunService(db);
const studies = new StudyService(db, service);
Deno.test.afterAll(async () => {
  await service.shutdown();
  close();
});
const app = createApp({ datasetRoots: { mnist: "/nonexistent/mnist" }, db, service, studies });

function parsed(input: unknown): RunConfig {
  const result = parseRunConfig(input);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.config;
}

const CONFIG = {
  data: {
    dataset: "synthetic-binary",
    normalize: null,
    split: { train: 0.8, dev: 0.1, test: 0.1 },
  },
  model: { layers: [{ units: 16 }, { units: 8, activation: "tanh" }] },
  epochs: 4,
};

function stats(share: number): LayerStats {
  return {
    preActivationMean: 0.1,
    preActivationStd: 1.1,
    activationMean: 0.4,
    activationStd: 0.6,
    deadShare: share,
    saturatedShare: null,
    weightNorm: 2,
    gradientNorm: 0.05,
    updateRatio: 0.01,
    weightHistogram: { limit: 1, counts: Array.from({ length: 32 }, (_, i) => i % 5) },
  };
}

function epoch(n: number, layers?: LayerStats[]): EpochRecord {
  return {
    epoch: n,
    trainLoss: 0.5,
    trainAccuracy: 0.8,
    devLoss: 0.6,
    devAccuracy: 0.7,
    seconds: 0.1,
    ...(layers ? { layers } : {}),
  };
}

async function section(id: number): Promise<string> {
  const response = await app.request(`/runs/${id}/layers`, { headers: { "HX-Request": "true" } });
  assert.equal(response.status, 200);
  return await response.text();
}

Deno.test("GET /runs/:id/layers draws each statistic over epochs and the last epoch's weights", async () => {
  const layers = (
    share: number,
  ) => [stats(share), { ...stats(0), deadShare: null, saturatedShare: 0.3 }];
  const id = await storeFinishedRun(db, parsed(CONFIG), {
    epochs: [epoch(1, layers(0)), epoch(2, layers(0.125))],
  });
  const html = await section(id);
  const statistics = [...html.matchAll(/data-statistic="(\w+)"/g)].map((m) => m[1]);
  assert.deepEqual(statistics, [
    "activationStd",
    "preActivationStd",
    "inactiveShare",
    "gradientNorm",
    "updateRatio",
    "weightNorm",
  ]);
  assert.match(html, /Weights after epoch 2/);
  assert.match(html, /Layer 1 \(relu, 16\) weight histogram/);
  assert.match(html, /Layer 2 \(tanh, 8\) weight histogram/);
  // Layer 2's saturated share (30%) shares the dead share's chart, in percent.
  const inactive = html.split('data-statistic="inactiveShare"')[1].split("</figure>")[0];
  assert.match(inactive, />30%</);
  // A finished run's section does not refresh itself.
  assert.doesNotMatch(html, /hx-trigger/);
  const page = await (await app.request(`/runs/${id}`)).text();
  assert.match(page, new RegExp(`hx-get="/runs/${id}/layers"`));
});

Deno.test("GET /runs/:id/layers refreshes itself from a training run's live stream", async () => {
  const id = await insertRun(db, parsed(CONFIG));
  const claim = await claimRun(db, "test", 60_000, { runId: id });
  assert.ok(claim);
  await writeEpoch(db, claim.lease, epoch(1, [stats(0), stats(0)]), 60_000);
  const html = await section(id);
  // Told by the stream when epochs came (at most once a second), not by each progress message.
  assert.match(html, /hx-trigger="run-epoch from:#run-live"/);
  assert.match(html, /Weights after epoch 1/);
});

Deno.test("GET /runs/:id/layers says when a run kept no statistics", async () => {
  const off = await storeFinishedRun(db, parsed({ ...CONFIG, layerStats: false }), {
    epochs: [epoch(1)],
  });
  assert.match(await section(off), /did not record layer statistics/);
  const none = await storeFinishedRun(db, parsed({ ...CONFIG, model: { layers: [] } }));
  assert.match(await section(none), /no hidden layer/);
  assert.equal((await app.request("/runs/999/layers")).status, 404);
});

Deno.test("GET /runs/compare/layers overlays the picked statistic of one layer across runs", async () => {
  const two = (share: number) => [stats(share), stats(share / 2)];
  const xavier = await storeFinishedRun(
    db,
    parsed({ ...CONFIG, name: "xavier", model: { ...CONFIG.model, init: "xavier_uniform" } }),
    { epochs: [epoch(1, two(0)), epoch(2, two(0.25))] },
  );
  const shallow = await storeFinishedRun(
    db,
    parsed({ ...CONFIG, name: "shallow", model: { layers: [{ units: 4 }] } }),
    { epochs: [epoch(1, [stats(0.5)])] },
  );
  const url = `/runs/compare/layers?ids=${xavier},${shallow}`;
  const request = (query: string) => app.request(url + query, { headers: { "HX-Request": "1" } });
  // By default the activation std of the deepest layer both have.
  const first = await (await request("")).text();
  assert.match(first, /data-statistic="activationStd"/);
  assert.match(first, /Activation std, layer 1/);
  assert.match(first, new RegExp(`#${xavier} xavier`));
  assert.match(first, new RegExp(`#${shallow} shallow`));
  assert.match(first, /<option value="1" selected(="")?>1<\/option>/);
  const picked = await (await request("&statistic=inactiveShare&layer=2")).text();
  assert.match(picked, /Dead or saturated share, layer 2/);
  assert.match(picked, new RegExp(`No layer 2 in #${shallow}\\.`));
  assert.doesNotMatch(picked, new RegExp(`#${shallow} shallow`));
  // Layer 2 of the xavier run: 0%, then 12.5%.
  assert.match(picked, />12(\.5)?%</);
  assert.equal((await app.request("/runs/compare/layers")).status, 400);
  assert.equal((await app.request(`/runs/compare/layers?ids=${xavier},999`)).status, 404);
  const page = await (await app.request(url)).text();
  assert.match(page, /<!DOCTYPE html>/i);
  const compare = await (await app.request(`/runs/compare?ids=${xavier},${shallow}`)).text();
  assert.match(compare, /id="compare-layer-stats"/);
  assert.match(compare, /Activation std, layer 1/);
});
