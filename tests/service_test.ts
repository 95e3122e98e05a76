import assert from "node:assert/strict";
import { openDb } from "../db/client.ts";
import { claimRun } from "../db/jobs.ts";
import { insertRun } from "../db/runs.ts";
import { parseRunConfig } from "../config/schema.ts";
import { VERSION } from "../config/version.ts";
import { decodeSafetensors } from "../engine/safetensors.ts";
import { postJson, readSse, startTestServer, tinyRun, waitFor } from "./service_helpers.ts";

type Run = {
  id: number;
  status: string;
  epochs: { epoch: number; devAccuracy: number; trainLoss: number }[];
  test: { accuracy: number } | null;
  divergedAt: { epoch: number; step: number } | null;
  error: string | null;
  attempt: number;
};

async function getRun(base: string, id: number): Promise<Run> {
  const response = await fetch(`${base}/api/runs/${id}`);
  assert.equal(response.status, 200);
  return await response.json();
}

Deno.test("a run streams every epoch then done over SSE, and GET shows the same figures", async () => {
  const t = await startTestServer();
  try {
    const created = await postJson(`${t.url}/api/runs`, tinyRun({ epochs: 4 }));
    assert.equal(created.status, 201);
    const { id } = await created.json();
    const events = await readSse(await fetch(`${t.url}/api/runs/${id}/events`));
    const epochs = events.filter((e) => e.event === "epoch");
    assert.deepEqual(epochs.map((e) => e.id), ["1", "2", "3", "4"]);
    assert.equal(events.at(-1)?.event, "done");
    assert.equal(JSON.parse(events.at(-1)!.data).status, "completed");
    const run = await getRun(t.url, id);
    assert.equal(run.status, "completed");
    assert.deepEqual(
      run.epochs.map((e) => e.devAccuracy),
      epochs.map((e) => JSON.parse(e.data).devAccuracy),
    );
    assert.ok(run.test && run.test.accuracy >= 0 && run.test.accuracy <= 1);
    const model = await fetch(`${t.url}/api/runs/${id}/model`);
    assert.equal(model.status, 200);
    const bytes = new Uint8Array(await model.arrayBuffer());
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
    assert.deepEqual(header["hidden.0.linear.weight"].shape, [8, 10]);
    // The file says what trained it: the stored config (defaults applied), the version, the run.
    const { metadata } = decodeSafetensors(bytes);
    const stored = await (await fetch(`${t.url}/api/runs/${id}`)).json();
    assert.deepEqual(JSON.parse(metadata["ajuste.config"]), stored.config);
    assert.equal(metadata["ajuste.config"].includes('"epochs":4'), true);
    assert.equal(metadata["ajuste.version"], VERSION);
    assert.equal(metadata["ajuste.run"], String(id));
  } finally {
    await t.close();
  }
});

Deno.test("SSE resumes after Last-Event-ID with no gap and no duplicate", async () => {
  const t = await startTestServer();
  try {
    const { id } = await (await postJson(`${t.url}/api/runs`, tinyRun({ epochs: 5 }))).json();
    await readSse(await fetch(`${t.url}/api/runs/${id}/events`));
    const resumed = await readSse(
      await fetch(`${t.url}/api/runs/${id}/events`, { headers: { "Last-Event-ID": "2" } }),
    );
    assert.deepEqual(resumed.filter((e) => e.event === "epoch").map((e) => e.id), ["3", "4", "5"]);
  } finally {
    await t.close();
  }
});

Deno.test("cancelling a running run ends it as cancelled with no further epochs written", async () => {
  const t = await startTestServer();
  try {
    const long = tinyRun({ epochs: 400, batch: { mode: "stochastic" } });
    const { id } = await (await postJson(`${t.url}/api/runs`, long)).json();
    const first = await readSse(
      await fetch(`${t.url}/api/runs/${id}/events`),
      (e) => e.event === "epoch",
    );
    assert.ok(
      first.some((e) => e.event === "epoch"),
      "at least one epoch arrived before cancelling",
    );
    const cancel = await postJson(`${t.url}/api/runs/${id}/cancel`, "");
    assert.equal(cancel.status, 202);
    const run = await waitFor(async () => {
      const r = await getRun(t.url, id);
      return r.status === "cancelled" ? r : undefined;
    }, "the run to be cancelled");
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await getRun(t.url, id)).epochs.length, run.epochs.length);
    assert.ok(run.epochs.length < 400);
    assert.equal((await postJson(`${t.url}/api/runs/${id}/cancel`, "")).status, 409);
  } finally {
    await t.close();
  }
});

Deno.test("three runs queued at once all finish, in order, none lost", async () => {
  const t = await startTestServer();
  try {
    const ids: number[] = [];
    for (const name of ["first", "second", "third"]) {
      ids.push((await (await postJson(`${t.url}/api/runs`, tinyRun({ name }))).json()).id);
    }
    await t.server.service.whenIdle();
    const runs = await Promise.all(ids.map((id) => getRun(t.url, id)));
    assert.deepEqual(runs.map((r) => r.status), ["completed", "completed", "completed"]);
    const started = runs.map((r) => Date.parse((r as unknown as { startedAt: string }).startedAt));
    assert.ok(
      started[0] <= started[1] && started[1] <= started[2],
      "runs started in submission order",
    );
    const list = await (await fetch(`${t.url}/api/runs`)).json();
    assert.equal(list.runs.length, 3);
  } finally {
    await t.close();
  }
});

Deno.test("a run whose trainer died is trained again from the start once its lease runs out", async () => {
  const dir = await Deno.makeTempDir();
  const dbUrl = `file:${dir}/ajuste.db`;
  const { db, close } = await openDb({ url: dbUrl });
  const parsed = parseRunConfig(tinyRun({ name: "orphan" }));
  assert.ok(parsed.ok);
  const id = await insertRun(db, parsed.config);
  // Claimed by a process that died (its pid may even live again: only the lease counts).
  const claim = await claimRun(db, `${Deno.hostname()}:${Deno.pid}:gone`, 500);
  assert.equal(claim?.lease.runId, id);
  close();
  const t = await startTestServer(dbUrl);
  try {
    const run = await waitFor(async () => {
      const run = await getRun(t.url, id);
      return run.status === "completed" ? run : undefined;
    }, "the orphan to be trained again");
    assert.equal(run.attempt, 2);
    assert.equal(run.epochs.length, 3);
    assert.equal(run.error, null);
  } finally {
    await t.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("malformed run configs get 400s naming their paths and write nothing", async () => {
  const t = await startTestServer();
  const bad: [unknown, string][] = [
    ["{not json", ""],
    ["", ""],
    [[1, 2], ""],
    [{ epochs: 0 }, "epochs"],
    [{ epochs: 1.5 }, "epochs"],
    [{ epochs: "ten" }, "epochs"],
    [{ seed: -1 }, "seed"],
    [{ lrr: 0.1 }, ""],
    [{ optimizer: { type: "adagrad" } }, "optimizer.type"],
    [{ optimizer: { type: "sgd", lr: 0 } }, "optimizer.lr"],
    [{ optimizer: { type: "sgd", nesterov: true } }, "optimizer"],
    [{ optimizer: { type: "adam", betas: [0.9, 1] } }, "optimizer.betas.1"],
    [{ model: { layers: [{ units: 0 }] } }, "model.layers.0.units"],
    [{ model: { layers: [{ units: 100000 }] } }, "model.layers.0.units"],
    [{ model: { layers: [{ units: 8, dropout: 1 }] } }, "model.layers.0.dropout"],
    [{ model: { layers: [{ units: 8, activation: "swish" }] } }, "model.layers.0.activation"],
    [{ model: { init: "orthogonal" } }, "model.init"],
    [{ batch: { size: 0 } }, "batch.size"],
    [{ data: { dataset: "idx:../../etc" } }, "data.dataset"],
    [{ data: { split: { train: 0.5, dev: 0.1 } } }, "data.split"],
    [{ loss: "hinge" }, "loss"],
    [{ regularization: { l1: -1 } }, "regularization.l1"],
  ];
  try {
    for (const [body, path] of bad) {
      const response = await postJson(`${t.url}/api/runs`, body);
      const json = await response.json();
      assert.equal(response.status, 400, `expected 400 for ${JSON.stringify(body)}`);
      assert.equal(typeof json.error, "string");
      assert.ok(
        Array.isArray(json.issues) && json.issues.length > 0,
        `issues for ${JSON.stringify(body)}`,
      );
      if (path) {
        assert.ok(
          json.issues.some((i: { path: string }) =>
            i.path === path || i.path.startsWith(path + ".")
          ),
          `an issue at ${path} for ${JSON.stringify(body)}, got ${JSON.stringify(json.issues)}`,
        );
      }
    }
    const list = await (await fetch(`${t.url}/api/runs`)).json();
    assert.equal(list.runs.length, 0, "no run was written");
  } finally {
    await t.close();
  }
});

Deno.test("bodies over 1 MB are refused with 413", async () => {
  const t = await startTestServer();
  try {
    const response = await postJson(
      `${t.url}/api/runs`,
      JSON.stringify({ name: "x".repeat(1_100_000) }),
    );
    assert.equal(response.status, 413);
    await response.body?.cancel();
  } finally {
    await t.close();
  }
});

Deno.test("SSE clients that disconnect leave no open stream behind", async () => {
  const t = await startTestServer();
  try {
    const { id } = await (await postJson(
      `${t.url}/api/runs`,
      tinyRun({ epochs: 300, batch: { mode: "stochastic" } }),
    )).json();
    assert.equal(t.server.service.events.subscriberCount, 0);
    const controllers = Array.from({ length: 5 }, () => new AbortController());
    const responses = await Promise.all(
      controllers.map((c) => fetch(`${t.url}/api/runs/${id}/events`, { signal: c.signal })),
    );
    await waitFor(
      () => Promise.resolve(t.server.service.events.subscriberCount === 5 || undefined),
      "5 subscribers",
    );
    for (const c of controllers) c.abort();
    for (const r of responses) await r.body?.cancel().catch(() => {});
    await waitFor(
      () => Promise.resolve(t.server.service.events.subscriberCount === 0 || undefined),
      "streams to close",
    );
    await postJson(`${t.url}/api/runs/${id}/cancel`, "");
  } finally {
    await t.close();
  }
});

Deno.test("a diverging config (lr 1e3) ends as diverged, naming the epoch and step", async () => {
  const t = await startTestServer();
  try {
    // The default 512-256 model: SGD at lr 1e3 overflows to NaN within a few steps.
    const config = tinyRun({ optimizer: { type: "sgd", lr: 1e3 }, epochs: 20, model: {} });
    const { id } = await (await postJson(`${t.url}/api/runs`, config)).json();
    const events = await readSse(await fetch(`${t.url}/api/runs/${id}/events`));
    assert.equal(JSON.parse(events.at(-1)!.data).status, "diverged");
    const run = await getRun(t.url, id);
    assert.equal(run.status, "diverged");
    assert.ok(run.divergedAt && run.divergedAt.epoch >= 1 && run.divergedAt.step >= 1);
    assert.match(run.error ?? "", /epoch \d+, step \d+/);
  } finally {
    await t.close();
  }
});

Deno.test("unknown runs and bad ids get 404 and 400 as JSON", async () => {
  const t = await startTestServer();
  try {
    const missing = await fetch(`${t.url}/api/runs/999`);
    assert.equal(missing.status, 404);
    assert.match((await missing.json()).error, /999/);
    const bad = await fetch(`${t.url}/api/runs/abc`);
    assert.equal(bad.status, 400);
    assert.match((await bad.json()).error, /positive integer/);
  } finally {
    await t.close();
  }
});
