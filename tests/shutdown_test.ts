/**
 * Stopping the server while it trains, with a dashboard and a script watching: shutdown must
 * finish (no open stream or timer keeps it), the training run is `interrupted`, the queued one
 * waits for the next start, and that start resumes it.
 */

import assert from "node:assert/strict";
import { postJson, readSse, startTestServer, tinyRun, waitFor } from "./service_helpers.ts";

async function runStatus(base: string, id: number): Promise<string> {
  const response = await fetch(`${base}/api/runs/${id}`);
  return (await response.json()).status;
}

Deno.test("shutdown while a run trains ends every stream, interrupts the run and keeps the queue", async () => {
  const first = await startTestServer();
  const dir = first.dbUrl.slice("file:".length, first.dbUrl.lastIndexOf("/"));
  try {
    const create = async (body: Record<string, unknown>) =>
      (await (await postJson(`${first.url}/api/runs`, body)).json()).id as number;
    // Long enough never to finish here; the second one waits behind it.
    const training = await create(tinyRun({ epochs: 10_000 }));
    const queued = await create(tinyRun({ name: "waits" }));
    await waitFor(
      async () => (await runStatus(first.url, training)) === "running" || undefined,
      "the first run to start",
    );

    const events = readSse(await fetch(`${first.url}/api/runs/${training}/events`));
    const queuedEvents = readSse(await fetch(`${first.url}/api/runs/${queued}/events`));
    const page = await fetch(`${first.url}/runs/${queued}/live`);
    const pageRead = page.body!.pipeTo(new WritableStream());

    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error("shutdown did not finish in 20 s")), 20_000);
    });
    await Promise.race([first.server.shutdown(), timeout]).finally(() => clearTimeout(timer));

    const got = await events;
    assert.deepEqual(got.at(-1), {
      event: "done",
      data: JSON.stringify({ status: "interrupted" }),
    });
    const queuedGot = await queuedEvents;
    assert.ok(
      !queuedGot.some((e) => e.event === "done"),
      "a queued run's stream ends without done",
    );
    await pageRead;

    const second = await startTestServer(first.dbUrl);
    try {
      const run = await (await fetch(`${second.url}/api/runs/${training}`)).json();
      assert.equal(run.status, "interrupted");
      assert.match(run.error, /shut down/);
      await waitFor(
        async () => (await runStatus(second.url, queued)) === "completed" || undefined,
        "the queued run to resume and complete",
      );
    } finally {
      await second.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
