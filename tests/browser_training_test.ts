/**
 * Training options in a real browser: a learning-rate schedule and early stopping set on the New
 * run form, then the run page's lr curve and its "stopped early" line. Screenshots land in
 * `tests/screenshots/`.
 */

import assert from "node:assert/strict";
import {
  countRedraws,
  enter,
  hasChromium,
  launchBrowser,
  openPage,
  redrawn,
  screenshot,
} from "./browser_helpers.ts";
import { startTestServer } from "./service_helpers.ts";

Deno.test({
  name: "dashboard: a StepLR schedule and early stopping from the form, seen on the run page",
  ignore: !hasChromium,
  async fn() {
    const server = await startTestServer();
    const browser = await launchBrowser();
    try {
      const { page, errors } = await openPage(browser);
      page.setDefaultTimeout(20_000);
      await countRedraws(page);
      await page.goto(`${server.url}/runs/new`);
      await enter(page, "data.trainSize", "1000");
      await enter(page, "data.testSize", "200");
      await enter(page, "model.layers.0.units", "32");
      await redrawn(page, () => page.getByRole("button", { name: "Remove layer 2" }).click());
      await enter(page, "epochs", "8");
      await redrawn(page, () => page.getByLabel("Device", { exact: true }).selectOption("cpu"));

      // StepLR halving the rate after every epoch.
      await redrawn(page, () => page.getByLabel("LR scheduler").selectOption("step"));
      await enter(page, "scheduler.stepSize", "1");
      await enter(page, "scheduler.gamma", "0.5");

      // Early stopping that no epoch after the first can satisfy (an improvement must beat the
      // best loss by more than 10), so the run stops after its patience of 2 epochs.
      await redrawn(page, () => page.getByLabel("On", { exact: true }).check());
      await enter(page, "earlyStopping.patience", "2");
      await enter(page, "earlyStopping.minDelta", "10");
      await page.getByText("Valid.").waitFor();
      const config = JSON.parse(await page.locator("#config-json").textContent() ?? "");
      assert.deepEqual(config.scheduler, { type: "step", stepSize: 1, gamma: 0.5 });
      assert.equal(config.earlyStopping.patience, 2);
      assert.equal(config.earlyStopping.minDelta, 10);
      await screenshot(page, "16-training-options");

      await page.getByRole("button", { name: "Launch run" }).click();
      await page.waitForURL(/\/runs\/\d+$/);
      const id = Number(page.url().split("/").at(-1));
      await page.locator("[data-early-stop]").waitFor({ timeout: 60_000 });
      const note = await page.locator("[data-early-stop]").textContent() ?? "";
      assert.match(note, /Stopped early at epoch 3; best epoch 1/);
      assert.ok(await page.locator("#chart-lr > svg").count() === 1, "the lr curve is drawn");
      await screenshot(page, "17-stopped-early");

      const run = await (await fetch(`${server.url}/api/runs/${id}`)).json();
      assert.equal(run.status, "completed");
      assert.deepEqual(
        run.epochs.map((epoch: { lr: number }) => epoch.lr),
        [0.001, 0.0005, 0.00025],
        "StepLR halves the rate after every epoch, and the run stopped after 3",
      );
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
