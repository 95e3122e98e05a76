/**
 * "Continue training" end to end through a real server: a finished run continued by N epochs
 * becomes a new run linked to it that goes on from its last checkpoint — the same curve and test
 * metrics, to the bit, as the run trained that long from the start — and every request that
 * cannot be honoured is refused with the field and the reason. Checkpoints are dropped once
 * they can no longer be used.
 *
 * @module
 */

import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { parseJobLimits } from "../config/job_limits.ts";
import { openDb } from "../db/client.ts";
import { runCheckpoints } from "../db/schema.ts";
import {
  cancelRun,
  postJson,
  readSse,
  startTestServer,
  type TestServer,
  tinyRun,
  waitFor,
} from "./service_helpers.ts";

const config = tinyRun({
  name: "continued",
  epochs: 3,
  optimizer: { type: "adam", lr: 0.01 },
  scheduler: { type: "step", stepSize: 2, gamma: 0.5 },
  model: { layers: [{ units: 8, dropout: 0.1, batchNorm: true }] },
});

async function trained(server: TestServer, body: unknown): Promise<Record<string, unknown>> {
  const response = await postJson(`${server.url}/api/runs`, body);
  assert.equal(response.status, 201, await response.clone().text());
  const { id } = await response.json();
  return await finished(server, id);
}

async function finished(server: TestServer, id: number): Promise<Record<string, unknown>> {
  await readSse(await fetch(`${server.url}/api/runs/${id}/events`));
  return await (await fetch(`${server.url}/api/runs/${id}`)).json();
}

function continueRun(server: TestServer, id: unknown, body: unknown): Promise<Response> {
  return postJson(`${server.url}/api/runs/${id}/continue`, body);
}

async function checkpointOf(server: TestServer, id: number): Promise<number | null> {
  const { db, close } = await openDb({ url: server.dbUrl });
  try {
    const [row] = await db.select({ epoch: runCheckpoints.epoch }).from(runCheckpoints)
      .where(eq(runCheckpoints.runId, id));
    return row?.epoch ?? null;
  } finally {
    close();
  }
}

type Epoch = { epoch: number; trainLoss: number; devLoss: number; lr: number };
const curve = (run: Record<string, unknown>) =>
  (run.epochs as Epoch[]).map(({ epoch, trainLoss, devLoss, lr }) => ({
    epoch,
    trainLoss,
    devLoss,
    lr,
  }));

Deno.test("a completed run continued by N epochs ends as the same run trained that long", async () => {
  const server = await startTestServer();
  try {
    const first = await trained(server, config);
    assert.equal(first.status, "completed");
    assert.equal(await checkpointOf(server, first.id as number), 3, "kept: it can be continued");

    const response = await continueRun(server, first.id, { epochs: 2 });
    assert.equal(response.status, 201, await response.clone().text());
    const { id, continuedFrom } = await response.json();
    assert.equal(continuedFrom, first.id);
    assert.equal(response.headers.get("Location"), `/api/runs/${id}`);
    const continued = await finished(server, id);
    assert.equal(continued.status, "completed");
    assert.equal(continued.continuedFrom, first.id);
    assert.equal((continued.config as { epochs: number }).epochs, 5);

    const longer = await trained(server, { ...config, epochs: 5 });
    assert.deepEqual(curve(continued), curve(longer), "epochs 1–3 copied, 4–5 resumed");
    assert.deepEqual(continued.test, longer.test);
    assert.deepEqual(curve(continued).slice(0, 3), curve(first));

    // The run page offers it, and the new run names where it came from.
    const page = await (await fetch(`${server.url}/runs/${first.id}`)).text();
    assert.match(page, /Continue training/);
    const childPage = await (await fetch(`${server.url}/runs/${id}`)).text();
    assert.match(childPage, new RegExp(`Continues <a href="/runs/${first.id}">run #${first.id}`));

    // The form posts the same request and lands on the new run.
    const form = await fetch(`${server.url}/runs/${id}/continue`, {
      method: "POST",
      body: new URLSearchParams({ epochs: "1" }),
      redirect: "manual",
    });
    assert.equal(form.status, 303);
    const third = Number(form.headers.get("Location")!.split("/").at(-1));
    const grandchild = await finished(server, third);
    assert.equal(grandchild.status, "completed");
    assert.equal((grandchild.epochs as Epoch[]).length, 6);
  } finally {
    await server.close();
  }
});

Deno.test("continuing a run is refused with the field and reason when it cannot be", async () => {
  const server = await startTestServer(undefined, {
    limits: parseJobLimits({ AJUSTE_CHECKPOINT_SECONDS: "0" }),
  });
  try {
    const done = await trained(server, config);
    const refusal = async (id: unknown, request: unknown, status: number, pattern: RegExp) => {
      const response = await continueRun(server, id, request);
      const body = await response.json();
      assert.equal(response.status, status, JSON.stringify(body));
      const said = (body.issues as { path: string; message: string }[] | undefined)
        ?.map((issue) => `${issue.path}: ${issue.message}`).join("; ") ?? body.error;
      assert.match(said, pattern);
    };
    await refusal(done.id, { epochs: 0 }, 400, /^epochs: .*at least 1, got 0/);
    await refusal(done.id, { epochs: "two" }, 400, /whole number of at least 1, got "two"/);
    await refusal(done.id, {}, 400, /got undefined/);
    await refusal(done.id, { epochs: 9998 }, 400, /3 \+ 9998 epochs: .*10000/);
    await refusal(9999, { epochs: 1 }, 404, /Run 9999 does not exist/);

    const cycle = await trained(server, {
      ...config,
      scheduler: { type: "one_cycle", maxLr: 0.05 },
    });
    await refusal(cycle.id, { epochs: 1 }, 409, /OneCycle schedule spans its 3 epochs/);

    const stopped = await trained(server, {
      ...config,
      epochs: 40,
      data: { ...config.data as object, split: { train: 0.6, dev: 0.2, test: 0.2 } },
      optimizer: { type: "adam", lr: 0.05 },
      earlyStopping: { patience: 1 },
    });
    assert.ok((stopped.earlyStop as { stoppedEpoch: number | null }).stoppedEpoch);
    await refusal(stopped.id, { epochs: 1 }, 409, /stopped early after epoch \d+/);

    // A run still training cannot be continued; cancelled, its checkpoint goes.
    const long = await (await postJson(
      `${server.url}/api/runs`,
      tinyRun({ name: "long", epochs: 200, batch: { mode: "stochastic" } }),
    )).json();
    await readSse(
      await fetch(`${server.url}/api/runs/${long.id}/events`),
      (e) => e.event === "epoch" && Number(e.id) >= 2,
    );
    await waitFor(async () => (await checkpointOf(server, long.id)) ?? undefined, "a checkpoint");
    await refusal(
      long.id,
      { epochs: 1 },
      409,
      /is still running; it can be continued once it has completed/,
    );
    await cancelRun(server.url, long.id);
    await finished(server, long.id);
    assert.equal(await checkpointOf(server, long.id), null, "a cancelled run keeps no state");
    await refusal(long.id, { epochs: 1 }, 409, /ended cancelled/);
  } finally {
    await server.close();
  }
});
