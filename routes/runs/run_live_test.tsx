/**
 * The run page's stream under a flood and before the first epoch: events published straight to a
 * server that does not train, so what the stream makes of them is exact, whatever the machine.
 */

import assert from "node:assert/strict";
import type { EpochRow } from "../../db/runs.ts";
import { postJson, startTestServer, tinyRun } from "../../tests/service_helpers.ts";

interface Message {
  event: string;
  data: string;
}

/** Reads a stream's messages one at a time. */
function messages(response: Response) {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  return {
    async next(): Promise<Message> {
      while (true) {
        const end = buffer.indexOf("\n\n");
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (block.startsWith(":")) continue;
          const message = { event: "message", data: "" };
          for (const line of block.split("\n")) {
            if (line.startsWith("event:")) message.event = line.slice(6).trim();
            else if (line.startsWith("data:")) message.data += line.slice(5).trimStart() + "\n";
          }
          return message;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error("The stream ended");
        buffer += value;
      }
    },
    cancel: () => reader.cancel(),
  };
}

const epochRow = (epoch: number): EpochRow => ({
  epoch,
  trainLoss: 1 / epoch,
  trainAccuracy: 0.5,
  devLoss: 1 / epoch,
  devAccuracy: 0.5,
  seconds: 0.02,
  lr: 0.01,
  layers: null,
});

const rows = (html: string) => html.match(/<tr>/g)?.length ?? 0;
const phase = (html: string) => html.match(/data-phase="(\w+)"/)?.[1];

Deno.test("the run page's stream sends a flood of epochs as one message with every row and point, and each phase before the first epoch", async () => {
  // No training, and no poll to relay the stored status ("queued") between the events.
  const server = await startTestServer(undefined, { train: false, pollMs: 600_000 });
  try {
    const { id } = await (await postJson(`${server.url}/api/runs`, tinyRun({ epochs: 100 })))
      .json();
    const stream = messages(await fetch(`${server.url}/runs/${id}/live`));
    try {
      assert.equal(phase((await stream.next()).data), "queued", "the snapshot");
      const events = server.server.service.events;
      events.publish(id, { type: "status", status: "running" });
      assert.equal(phase((await stream.next()).data), "training");
      // The phases come in one burst, faster than any redraw: each is still sent, in order.
      for (const p of ["loading", "device"] as const) {
        events.publish(id, { type: "progress", progress: { phase: p } });
      }
      events.publish(id, { type: "progress", progress: { phase: "compiling", backend: "cpu" } });
      const seen = [];
      for (let i = 0; i < 3; i++) seen.push(phase((await stream.next()).data));
      assert.deepEqual(seen, ["loading", "device", "compiling"]);
      // Steps of the first epoch show a step bar.
      events.publish(id, {
        type: "progress",
        progress: { phase: "training", epoch: 1, step: 300, steps: 1200 },
      });
      const steps = (await stream.next()).data;
      assert.equal(phase(steps), "training");
      assert.match(steps, /Epoch 1: step 300 of 1200/);
      assert.match(steps, /<progress max="1200" value="300"/);
      // 60 epochs at once (a tiny model's second): one message, all 60 rows, all 60 points.
      for (let epoch = 1; epoch <= 60; epoch++) {
        events.publish(id, { type: "epoch", epoch: epochRow(epoch), total: 100 });
      }
      const flood = await stream.next();
      assert.equal(rows(flood.data), 60);
      const loss = flood.data.match(/id="chart-loss-data"[^>]*>(.*?)<\/script>/s)?.[1];
      assert.ok(loss, "the loss curve's data");
      const option = JSON.parse(loss).option;
      assert.equal(option.series[0].data.length, 60);
      assert.match(flood.data, /Epoch 60 of 100/);
      // Then one named event for the sections that redraw per epoch.
      assert.deepEqual(await stream.next(), { event: "run-epoch", data: "60\n" });
      // More epochs soon after wait for the next message rather than sending one each.
      for (let epoch = 61; epoch <= 65; epoch++) {
        events.publish(id, { type: "epoch", epoch: epochRow(epoch), total: 100 });
      }
      assert.equal(rows((await stream.next()).data), 5);
    } finally {
      await stream.cancel();
    }
  } finally {
    await server.close();
  }
});
