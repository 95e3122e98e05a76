/**
 * The run page's first-layer pictures while an MNIST run trains: each epoch's result carries the
 * first layer's strongest units, which the server keeps in memory, and `/runs/:id/first-layer`
 * draws every new epoch, answering 204 while the one on show is still the latest. The run saves
 * no checkpoint before its end here (AJUSTE_CHECKPOINT_SECONDS=3600), so epoch after epoch the
 * pictures come from the epochs themselves.
 */

import assert from "node:assert/strict";
import { parseJobLimits } from "../config/job_limits.ts";
import { checkpointSavedAt } from "../db/checkpoints.ts";
import { openDb } from "../db/client.ts";
import { postJson, startTestServer, waitFor } from "./service_helpers.ts";

interface Drawn {
  epoch: number;
  saved: string;
  images: string[];
}

/** The live section's epoch, the checkpoint time it asks after, and its pictures. */
function drawn(html: string): Drawn {
  const epoch = /data-live-epoch="(\d+)"/.exec(html);
  const saved = /hx-get="\/runs\/\d+\/first-layer\?saved=(\d+)"/.exec(html);
  assert.ok(epoch && saved, `a live section: ${html.slice(0, 300)}`);
  const images = [...html.matchAll(/<img src="([^"]+)"/g)].map((match) => match[1]);
  return { epoch: Number(epoch[1]), saved: saved[1], images };
}

Deno.test("a training MNIST run's first-layer pictures change epoch by epoch, with no save between", async () => {
  const limits = parseJobLimits({ AJUSTE_CHECKPOINT_SECONDS: "3600" });
  const server = await startTestServer(undefined, { limits });
  const { db, close } = await openDb({ url: server.dbUrl });
  try {
    const created = await postJson(`${server.url}/api/runs`, {
      name: "live first layer",
      device: "cpu",
      epochs: 16,
      data: { dataset: "mnist", trainSize: 6000, testSize: 100 },
      model: { layers: [{ units: 32 }] },
      batch: { size: 64 },
    });
    const { id } = await created.json();
    const status = async () => (await (await fetch(`${server.url}/api/runs/${id}`)).json()).status;
    const network = await waitFor(
      async () => {
        if (await status() !== "running") return undefined;
        const response = await fetch(`${server.url}/runs/${id}/network`, {
          headers: { "HX-Request": "true" },
        });
        return await response.text();
      },
      "the run to start",
      60_000,
    );
    // While training, the network parts hold the live section, which follows the page's stream.
    assert.match(network, /<section class="card first-layer" id="first-layer" hx-get=/);
    assert.match(network, /hx-trigger="htmx:sse:after:message from:#run-live, every 2s"/);
    assert.doesNotMatch(network, /Drawing canvas/, "no digit to draw before the run completes");

    // As the page would after each streamed message, ask after the save on show.
    const seen: Drawn[] = [];
    let saved = "0";
    let unchanged = 0;
    while (await status() === "running") {
      // The last epoch's save comes after its snapshot: with none yet, none is drawn from one.
      const savedBefore = await checkpointSavedAt(db, id);
      const response = await fetch(`${server.url}/runs/${id}/first-layer?saved=${saved}`);
      if (response.status === 204) {
        unchanged++;
        await response.body?.cancel();
      } else {
        assert.equal(response.status, 200);
        const html = await response.text();
        const now = drawn(html);
        assert.equal(now.images.length, 32);
        if (now.epoch < 16) {
          // Drawn from the epoch itself: the run has saved nothing yet.
          assert.match(html, /the weights after epoch \d+; they follow each epoch/);
          assert.equal(savedBefore, null, `no save by epoch ${now.epoch}`);
        }
        assert.notEqual(now.saved, saved);
        seen.push(now);
        saved = now.saved;
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assert.ok(unchanged > 0, "asked again before a new epoch, it answers 204");
    const epochs = seen.map((d) => d.epoch);
    // The server draws a watched run at most every 400 ms or so (more when drawing is slow, as
    // on a loaded box), so a page may skip epochs; it must still move on with no save between.
    const early = epochs.filter((epoch) => epoch < 16);
    assert.ok(
      new Set(early).size >= 2,
      `pictures after two or more unsaved epochs, saw ${epochs}`,
    );
    for (let i = 1; i < seen.length; i++) {
      assert.ok(seen[i].epoch > seen[i - 1].epoch, `each answer a newer epoch: ${epochs}`);
      const changed = seen[i].images.filter((src, unit) => src !== seen[i - 1].images[unit]);
      assert.ok(changed.length > 0, `epoch ${seen[i].epoch}'s pictures differ from the last`);
    }
    // Once the run has ended, its body is swapped whole: nothing more comes from here.
    const after = await fetch(`${server.url}/runs/${id}/first-layer?saved=${saved}`);
    assert.equal(after.status, 204);
    await after.body?.cancel();
    const bad = await fetch(`${server.url}/runs/${id}/first-layer?saved=yesterday`);
    assert.equal(bad.status, 400);
    assert.match(
      await bad.text(),
      /saved must be a checkpoint&#39;s time in milliseconds, got &quot;yesterday/,
    );
  } finally {
    close();
    await server.close();
  }
});
