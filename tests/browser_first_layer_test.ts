/**
 * The run page's first-layer pictures in a real browser while an MNIST run trains: with no save
 * before the run's end (AJUSTE_CHECKPOINT_SECONDS=3600), the section swaps in each epoch's
 * pictures by itself, after the page's streamed messages and its 2 s timer, with no reload. The
 * run has far more epochs than the page needs to see and is cancelled once it has seen two, so
 * a fast machine cannot finish it before the page looks twice (six epochs once ended in ~2 s).
 */

import assert from "node:assert/strict";
import { parseJobLimits } from "../config/job_limits.ts";
import { hasChromium, launchBrowser, openPage } from "./browser_helpers.ts";
import { postJson, startTestServer, waitFor } from "./service_helpers.ts";

Deno.test({
  name: "run page: a training run's first-layer pictures move on from epoch to epoch by themselves",
  ignore: !hasChromium,
  async fn() {
    const limits = parseJobLimits({ AJUSTE_CHECKPOINT_SECONDS: "3600" });
    const server = await startTestServer(undefined, { limits });
    const browser = await launchBrowser();
    try {
      const created = await postJson(`${server.url}/api/runs`, {
        name: "live first layer",
        device: "cpu",
        epochs: 200,
        data: { dataset: "mnist", trainSize: 20000, testSize: 100 },
        model: { layers: [{ units: 64 }] },
        batch: { size: 32 },
      });
      const { id } = await created.json();
      const status = async () =>
        (await (await fetch(`${server.url}/api/runs/${id}`)).json()).status;
      await waitFor(async () => await status() === "running" || undefined, "the run", 60_000);
      const { page, errors } = await openPage(browser);
      await page.goto(`${server.url}/runs/${id}`);

      // The first picture of each epoch the section showed, read until it has shown two (or the
      // run ended first, which fails below).
      const shown = new Map<number, string>();
      const section = page.locator("#first-layer");
      while (shown.size < 2 && await status() === "running") {
        const read = await section.evaluate((element) => ({
          epoch: element.querySelector("[data-live-epoch]")?.getAttribute("data-live-epoch"),
          src: element.querySelector("img")?.getAttribute("src"),
        })).catch(() => null);
        if (read?.epoch && read.src && !shown.has(Number(read.epoch))) {
          shown.set(Number(read.epoch), read.src);
        }
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
      await (await postJson(`${server.url}/api/runs/${id}/cancel`, {})).body?.cancel();
      await waitFor(async () => await status() !== "running" || undefined, "the cancel", 60_000);
      const epochs = [...shown.keys()];
      assert.ok(epochs.length >= 2, `the page showed the pictures after epochs ${epochs}`);
      const pictures = new Set(shown.values());
      assert.equal(pictures.size, epochs.length, "each epoch's pictures differ");
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
