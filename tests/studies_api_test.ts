import assert from "node:assert/strict";
import { postJson, readSse, startTestServer } from "./service_helpers.ts";

const study = {
  name: "api-search",
  trials: 3,
  sampler: { type: "random", seed: 3 },
  pruner: { type: "none" },
  base: {
    epochs: 2,
    device: "cpu",
    data: { dataset: "synthetic-binary", split: { train: 0.8, dev: 0.1, test: 0.1 } },
    model: { layers: [{ units: 8 }] },
  },
  space: { "optimizer.lr": { type: "float", low: 1e-3, high: 1e-1, log: true } },
};

Deno.test("POST /api/studies runs the study in the server; its events end with done and GET reports every trial", async () => {
  const t = await startTestServer();
  try {
    const created = await postJson(`${t.url}/api/studies`, study);
    assert.equal(created.status, 201);
    const { id } = await created.json();
    const events = await readSse(await fetch(`${t.url}/api/studies/${id}/events`));
    assert.equal(events.at(-1)?.event, "done");
    const report = await (await fetch(`${t.url}/api/studies/${id}`)).json();
    assert.equal(report.trials.length, 3);
    assert.ok(
      report.trials.every((trial: { state: string; runId: number }) =>
        trial.state === "COMPLETE" && trial.runId > 0
      ),
    );
    assert.equal(
      report.bestValue,
      Math.max(...report.trials.map((trial: { value: number }) => trial.value)),
    );
    const runs = await (await fetch(`${t.url}/api/runs`)).json();
    assert.equal(runs.runs.length, 3, "each trial trained as a run");
    const list = await (await fetch(`${t.url}/api/studies`)).json();
    assert.equal(list.studies[0].complete, 3);
  } finally {
    await t.close();
  }
});

Deno.test("POST /api/studies rejects a bad study with issues at their paths and writes nothing", async () => {
  const t = await startTestServer();
  try {
    const bad = { ...study, space: { "optimizer.lrr": { type: "float", low: 0.1, high: 1 } } };
    const response = await postJson(`${t.url}/api/studies`, bad);
    assert.equal(response.status, 400);
    const body = await response.json();
    assert.ok(
      body.issues.some((issue: { path: string }) => issue.path.startsWith("space.optimizer.lrr")),
    );
    const list = await (await fetch(`${t.url}/api/studies`)).json();
    assert.equal(list.studies.length, 0);
    assert.equal((await fetch(`${t.url}/api/studies/7`)).status, 404);
  } finally {
    await t.close();
  }
});
