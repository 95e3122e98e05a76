/**
 * The engine worker's epoch gate, which a study's pruner relies on: a gated job trains no epoch
 * past the one being judged.
 */

import assert from "node:assert/strict";
import { defaultDatasetRoots } from "../config/paths.ts";
import { parseRunConfig } from "../config/schema.ts";
import { EngineHost } from "../engine/worker_host.ts";
import type { WorkerMessage } from "../engine/worker_protocol.ts";
import { tinyRun, waitFor } from "./service_helpers.ts";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("a gated job waits after each epoch until resumed, and a cancel while it waits ends it", async () => {
  const parsed = parseRunConfig(tinyRun({ epochs: 5 }));
  assert.ok(parsed.ok);
  const host = new EngineHost(defaultDatasetRoots());
  const messages: WorkerMessage[] = [];
  const epochs = () => messages.flatMap((m) => m.type === "epoch" ? [m.record.epoch] : []);
  const reached = (epoch: number) =>
    waitFor(() => Promise.resolve(epochs().includes(epoch) || undefined), `epoch ${epoch}`);
  try {
    const job = host.submit(parsed.config, (message) => {
      messages.push(message);
    }, { gated: true });
    await reached(1);
    await pause(300); // an ungated tiny run trains all five epochs in a few milliseconds
    assert.deepEqual(epochs(), [1], "held after epoch 1");
    host.resume(job);
    await reached(2);
    await pause(300);
    assert.deepEqual(epochs(), [1, 2], "one resume lets one epoch through");
    host.cancel(job);
    const end = await waitFor(
      () => Promise.resolve(messages.find((m) => m.type === "finished")),
      "the job's end",
    );
    assert.equal(end.type === "finished" && end.result.status, "cancelled");
    assert.deepEqual(epochs(), [1, 2], "cancelled while held: no further epoch");
  } finally {
    host.terminate();
  }
});
