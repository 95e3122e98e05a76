/**
 * The service under load, on loopback: many SSE subscribers on one live run, and paced API reads
 * while a run trains. Counts are bounded and each scenario ends by itself (about 20 s in all on a
 * 2-core box). Latencies are logged, never asserted: `bench/load_bench.ts` reports them.
 */

import assert from "node:assert/strict";
import { createRun, liveRun, pacedReads, percentile, sseFanOut } from "./load_scenarios.ts";
import { postJson, startTestServer, waitFor } from "./service_helpers.ts";

const SUBSCRIBERS = 200;
const EPOCHS = 30;

Deno.test("GET /api/runs/:id/events delivers every epoch in order to 200 subscribers of one live run", async () => {
  const t = await startTestServer();
  try {
    const id = await createRun(t.url, liveRun(EPOCHS));
    const result = await sseFanOut(t.url, id, SUBSCRIBERS, EPOCHS);
    assert.equal(result.incomplete, 0, `first problem: ${result.firstProblem}`);
    assert.equal(result.delivered, SUBSCRIBERS * EPOCHS);
    assert.equal(result.finalStatus, "completed");
    await waitFor(
      () => Promise.resolve(t.server.service.events.subscriberCount === 0 || undefined),
      "every stream to close",
    );
  } finally {
    await t.close();
  }
});

Deno.test("2,000 API reads at 200 per second during training all succeed", async () => {
  const t = await startTestServer();
  try {
    // Long enough to outlast the reads; cancelled once they are done.
    const id = await createRun(t.url, liveRun(10_000));
    await waitFor(async () => {
      const run = await (await fetch(`${t.url}/api/runs/${id}`)).json();
      return run.status === "running" || undefined;
    }, "the run to start");
    const result = await pacedReads(t.url, id, { count: 2000, rate: 200, concurrency: 32 });
    const run = await (await fetch(`${t.url}/api/runs/${id}`)).json();
    console.log(
      `2000 reads: ${result.achievedRate.toFixed(0)} req/s, p50 ${
        percentile(result.latencies, 50).toFixed(1)
      } ms, p99 ${percentile(result.latencies, 99).toFixed(1)} ms, ` +
        `${run.epochs.length} epochs trained meanwhile`,
    );
    assert.equal(result.errors, 0, `first error: ${result.firstError}`);
    assert.equal(result.latencies.length, 2000);
    assert.equal(run.status, "running", "the run was training throughout");
    assert.equal((await postJson(`${t.url}/api/runs/${id}/cancel`, "")).status, 202);
    await t.server.service.whenIdle();
  } finally {
    await t.close();
  }
});
