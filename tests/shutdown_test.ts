/**
 * Stopping the server while it trains, with a dashboard and a script watching: shutdown must
 * finish (no open stream or timer keeps it), the training run goes back to the queue (nothing
 * of a job is lost to a restart), and the next start trains both, in their order.
 */

import assert from "node:assert/strict";
import { postJson, readSse, startTestServer, tinyRun, waitFor } from "./service_helpers.ts";

async function runStatus(base: string, id: number): Promise<string> {
  const response = await fetch(`${base}/api/runs/${id}`);
  return (await response.json()).status;
}

Deno.test("shutdown while a run trains ends every stream and gives the run back to the queue", async () => {
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
      event: "status",
      data: JSON.stringify({
        status: "queued",
        error: "Queued again: the process training it shut down",
      }),
    });
    assert.ok(!got.some((e) => e.event === "done"), "its stream ends without done");
    const queuedGot = await queuedEvents;
    assert.ok(
      !queuedGot.some((e) => e.event === "done"),
      "a queued run's stream ends without done",
    );
    await pageRead;

    const second = await startTestServer(first.dbUrl);
    try {
      // The run given back trains from the start, first, as the oldest in the queue.
      const again = await waitFor(async () => {
        const run = await (await fetch(`${second.url}/api/runs/${training}`)).json();
        return run.status === "running" ? run : undefined;
      }, "the given-back run to be claimed again");
      assert.equal(again.attempt, 1, "a shutdown is not a death");
      assert.equal(await runStatus(second.url, queued), "queued");
      assert.equal((await postJson(`${second.url}/api/runs/${training}/cancel`, "")).status, 202);
      await waitFor(
        async () => (await runStatus(second.url, queued)) === "completed" || undefined,
        "the queued run to complete",
      );
    } finally {
      await second.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
