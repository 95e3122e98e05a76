/**
 * A run with a learning-rate schedule end to end: POST /api/runs takes the `scheduler` field,
 * the lr each epoch ended with is stored, returned by GET /api/runs/:id, streamed with the epoch
 * over SSE and plotted on the run page; a bad scheduler is a 400 naming the field.
 *
 * @module
 */

import assert from "node:assert/strict";
import { postJson, readSse, startTestServer, tinyRun, waitFor } from "./service_helpers.ts";

Deno.test("a StepLR run stores, returns, streams and plots each epoch's lr", async () => {
  const server = await startTestServer();
  try {
    const config = tinyRun({
      epochs: 4,
      optimizer: { type: "sgd", lr: 0.1 },
      scheduler: { type: "step", stepSize: 2, gamma: 0.5 },
    });
    const created = await postJson(`${server.url}/api/runs`, config);
    assert.equal(created.status, 201);
    const { id } = await created.json();
    const run = await waitFor(async () => {
      const body = await (await fetch(`${server.url}/api/runs/${id}`)).json();
      return body.status === "completed" ? body : undefined;
    }, "the run to complete");
    assert.deepEqual(run.epochs.map((e: { lr: number }) => e.lr), [0.1, 0.1, 0.05, 0.05]);
    assert.deepEqual(run.config.scheduler, { type: "step", stepSize: 2, gamma: 0.5 });

    const events = await readSse(await fetch(`${server.url}/api/runs/${id}/events`));
    const streamed = events.filter((e) => e.event === "epoch").map((e) => JSON.parse(e.data).lr);
    assert.deepEqual(streamed, [0.1, 0.1, 0.05, 0.05]);

    const page = await (await fetch(`${server.url}/runs/${id}`)).text();
    assert.ok(page.includes("Learning rate"), "the run page has a Learning rate chart");
    assert.ok(page.includes("StepLR"), "the settings table names the scheduler");

    const openapi = await (await fetch(`${server.url}/api/openapi.json`)).json();
    const runConfig = openapi.components.schemas.RunConfig;
    assert.ok(JSON.stringify(runConfig.properties.scheduler).includes('"one_cycle"'));
  } finally {
    await server.close();
  }
});

Deno.test("POST /api/runs refuses a scheduler naming the field, the value and what is allowed", async () => {
  const server = await startTestServer();
  try {
    const bad = await postJson(
      `${server.url}/api/runs`,
      tinyRun({ scheduler: { type: "cosine", tMax: 3 } }),
    );
    assert.equal(bad.status, 400);
    const body = await bad.json();
    const issue = body.issues.find((i: { path: string }) => i.path.startsWith("scheduler"));
    assert.match(issue.message, /Scheduler type must be one of step, .*one_cycle.*, got "cosine"/);
    const gamma = await postJson(
      `${server.url}/api/runs`,
      tinyRun({ scheduler: { type: "exponential", gamma: -1 } }),
    );
    const issues = (await gamma.json()).issues;
    assert.equal(issues[0].path, "scheduler.gamma");
    assert.match(issues[0].message, /Gamma must be .*, got -1/);
  } finally {
    await server.close();
  }
});

Deno.test("the New run form shows a scheduler's fields with its defaults once picked", async () => {
  const server = await startTestServer();
  try {
    const page = await (await fetch(`${server.url}/runs/new`)).text();
    assert.ok(page.includes('name="scheduler.type"'), "a scheduler select");
    const form = new URLSearchParams({
      "scheduler.type": "one_cycle",
      "scheduler.shownType": "none",
      "optimizer.lr": "0.01",
      epochs: "10",
    });
    const fields = await (await fetch(`${server.url}/runs/new/scheduler`, {
      method: "POST",
      body: form,
    })).text();
    assert.match(fields, /name="scheduler\.maxLr"[^>]*value="0\.1"/);
    assert.match(fields, /name="scheduler\.divFactor"[^>]*value="25"/);
    assert.ok(!fields.includes('name="scheduler.gamma"'), "only the chosen type's fields");
  } finally {
    await server.close();
  }
});
