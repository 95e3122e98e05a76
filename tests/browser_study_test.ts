/**
 * Tuning in a real browser against a real server and database: define a study on the form,
 * start it, watch its trials arrive live with the plots, then train a run with the best
 * parameters. Screenshots land in `tests/screenshots/`.
 */

import assert from "node:assert/strict";
import {
  countLiveRows,
  hasChromium,
  launchBrowser,
  openPage,
  readLiveCount,
  screenshot,
  streamConnected,
} from "./browser_helpers.ts";
import { occupyEngine, startTestServer } from "./service_helpers.ts";

Deno.test({
  name: "dashboard: define a study, watch its trials live and train the best params",
  ignore: !hasChromium,
  async fn() {
    const server = await startTestServer();
    const browser = await launchBrowser();
    try {
      const { page, errors } = await openPage(browser);
      page.setDefaultTimeout(20_000);
      await countLiveRows(page, "#study-trials tbody tr");

      await page.goto(server.url);
      await page.getByText("No studies yet.").waitFor();
      await page.getByRole("link", { name: "Studies", exact: true }).click();
      await page.getByRole("link", { name: "New study" }).click();
      await page.waitForURL("**/studies/new");

      // What to optimise and the base run: MNIST, small enough for a trial to take a moment.
      await page.getByLabel("Study name").fill("lr <search>");
      await page.getByLabel("Trials", { exact: true }).fill("3");
      // One at a time: the trials wait behind the engine's other run below.
      await page.getByLabel("Trials at once").fill("1");
      await page.getByLabel("Sampler", { exact: true }).selectOption("random");
      await page.getByLabel("Pruner").selectOption("none");
      await page.getByLabel("Train size", { exact: true }).fill("3000");
      await page.getByLabel("Layer 1 units", { exact: true }).fill("32");
      await page.getByRole("button", { name: "Remove layer 2" }).click();
      await page.getByLabel("Layer 2 units", { exact: true }).waitFor({ state: "detached" });
      await page.getByLabel("Epochs", { exact: true }).fill("3");
      await page.getByLabel("Device", { exact: true }).selectOption("cpu");

      // The space, in place: the learning rate is searched already; search the first layer's
      // width too, and narrow it.
      await page.getByLabel("search Layer 1 units").check();
      const unitsHigh = page.locator('input[name="space.model.layers.0.units.high"]');
      await unitsHigh.waitFor();
      await unitsHigh.fill("64");
      await unitsHigh.blur();

      // A bad range is named beside its field, and fixing it clears it.
      const lrLow = page.locator('input[name="space.optimizer.lr.low"]');
      await lrLow.fill("0");
      await lrLow.blur();
      await page.getByText("Low must be greater than 0 when log is true, got 0").first().waitFor();
      await lrLow.fill("0.001");
      await lrLow.blur();
      await page.getByText("Valid. Save it as").waitFor();
      const file = JSON.parse(await page.locator("#study-json").textContent() ?? "");
      assert.equal(file.parallel, 1, "Trials at once goes into the study file");
      assert.deepEqual(file.space, {
        "optimizer.lr": { type: "float", low: 0.001, high: 0.1, log: true },
        "model.layers.0.units": { type: "int", low: 16, high: 64, log: true },
      });
      await page.evaluate(() => scrollTo(0, 0));
      await screenshot(page, "07-new-study");

      // Start: the study page streams trials in without reloading. Its trials wait behind
      // another run until the page's stream is connected, so none can finish before it.
      const blocker = await occupyEngine(server.url);
      await page.getByRole("button", { name: "Start study" }).click();
      await page.waitForURL(/\/studies\/\d+$/);
      await streamConnected(page);
      await blocker.release();
      await page.locator("#study-trials tbody tr").first().waitFor();
      await screenshot(page, "08-study-live");
      await page.locator("#study-live:not([hx-sse\\:connect])").waitFor({ timeout: 60_000 });
      const trials = await readLiveCount(page);
      assert.ok(
        trials.atLoad <= 1 && trials.most === 3,
        `trials arrived while the page was open, saw ${JSON.stringify(trials)}`,
      );
      assert.equal(await page.locator("#study-trials tbody tr").count(), 3);
      await page.getByText("completed").first().waitFor();
      assert.ok(await page.getByText("lr <search>").first().isVisible(), "the name is escaped");
      assert.equal(await page.locator("#chart-history > svg").count(), 1);
      assert.ok(
        (await page.locator("#chart-history").textContent())?.includes("best so far"),
        "the history plot draws the best value so far",
      );
      await screenshot(page, "09-study-done");

      // Sorting by value reloads the table best first.
      await page.getByRole("link", { name: /devAccuracy/ }).click();
      await page.waitForURL(/sort=value/);

      // Train the best: the new-run form, filled in as the final model, launches it.
      await page.getByRole("link", { name: "Train the best" }).click();
      await page.waitForURL(/\/runs\/new\?study=\d+$/);
      await page.getByRole("button", { name: "Launch run" }).click();
      await page.waitForURL(/\/runs\/\d+$/);
      await page.getByText("Final model of study").waitFor();

      await page.getByRole("link", { name: "Studies", exact: true }).click();
      await page.waitForURL("**/studies");
      await page.getByText("3 / 3 · 3 complete").waitFor();
      await screenshot(page, "10-studies");
      await page.getByRole("link", { name: "Home" }).click();
      await page.getByText("Recent studies").waitFor();
      await screenshot(page, "11-home-studies");
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
