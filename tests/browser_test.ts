/**
 * A new user's walk through the dashboard in a real browser against a real server and database:
 * build a model on the new-run form, launch it, watch it train live, read its results, and
 * compare it with a second run. Screenshots land in `tests/screenshots/`.
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
  name: "dashboard: build, launch, watch live and compare runs in the browser",
  ignore: !hasChromium,
  async fn() {
    const server = await startTestServer();
    const browser = await launchBrowser();
    try {
      const { page, errors } = await openPage(browser);
      page.setDefaultTimeout(20_000);
      await countLiveRows(page, "#epoch-rows tr");

      // Home: device, datasets, samples, and no runs yet.
      await page.goto(server.url);
      await page.getByText("No runs yet.").waitFor();
      await screenshot(page, "01-home");

      // New run: the form is filled with the defaults.
      await page.getByRole("link", { name: "New run" }).first().click();
      await page.waitForURL("**/runs/new");
      // Big enough that its epochs take a moment each, so the page sees them arrive.
      await page.getByLabel("Train size").fill("6000");
      await page.getByLabel("Test size").fill("200");

      // Layers: add a third and remove it again, then shape the two that stay.
      await page.getByRole("button", { name: "Add a hidden layer" }).click();
      await page.getByLabel("Layer 3 units").waitFor();
      await page.getByRole("button", { name: "Remove layer 3" }).click();
      await page.getByLabel("Layer 3 units").waitFor({ state: "detached" });
      await page.getByLabel("Layer 1 units").fill("64");
      await page.getByLabel("Layer 1 batch norm").check();
      await page.getByLabel("Layer 1 dropout").fill("0.2");
      await page.getByLabel("Layer 2 units").fill("32");
      await page.getByLabel("Layer 2 activation").selectOption("tanh");
      await page.getByLabel("Layer 2 batch norm").check();
      await page.getByLabel("Layer 2 dropout").fill("0.1");

      // SGD swaps in its own fields with PyTorch's defaults.
      await page.getByLabel("Optimizer").selectOption("sgd");
      await page.getByLabel("Nesterov").waitFor();
      assert.equal(await page.getByLabel("Learning rate").inputValue(), "0.001");
      await page.getByLabel("Learning rate").fill("0.05");
      await page.getByLabel("Momentum").fill("0.9");
      await page.getByLabel("Nesterov").check();

      // A bad value is named beside its field as soon as it changes, and fixing it clears it.
      await page.getByLabel("Epochs", { exact: true }).fill("0");
      await page.getByLabel("Epochs", { exact: true }).blur();
      await page.getByText("Epochs must be an integer in [1, 10000], got 0").first().waitFor();
      await page.getByLabel("Epochs", { exact: true }).fill("3");
      await page.getByLabel("Device").selectOption("cpu");
      await page.getByLabel("Run name").fill("nesterov <mlp>");
      await page.getByLabel("Run name").blur();
      await page.getByText("Valid.").waitFor();
      const json = JSON.parse(await page.locator("#config-json").textContent() ?? "");
      assert.deepEqual(json.optimizer, {
        type: "sgd",
        lr: 0.05,
        momentum: 0.9,
        dampening: 0,
        weightDecay: 0,
        nesterov: true,
      });
      assert.deepEqual(json.model.layers, [
        { units: 64, activation: "relu", batchNorm: true, dropout: 0.2 },
        { units: 32, activation: "tanh", batchNorm: true, dropout: 0.1 },
      ]);
      await page.evaluate(() => scrollTo(0, 0));
      await screenshot(page, "02-new-run-form");

      // Launch: the run page streams epochs into the table without reloading. The run waits
      // behind another (run 1) until the page's stream is connected, so every epoch arrives
      // while the page is open, however fast this machine trains.
      const blocker = await occupyEngine(server.url);
      await page.getByRole("button", { name: "Launch run" }).click();
      await page.waitForURL(/\/runs\/\d+$/);
      const firstRunUrl = page.url();
      await streamConnected(page);
      await blocker.release();
      await page.locator("#epoch-rows tr").first().waitFor();
      await screenshot(page, "03-run-live");
      // The finished body has come: the confusion matrix (its server picture, which the live
      // chart then hides).
      await page.locator("#confusion-matrix figure > svg").waitFor({
        state: "attached",
        timeout: 40_000,
      });
      const rows = await readLiveCount(page);
      assert.ok(
        rows.atLoad === 0 && rows.most === 3,
        `all three epochs arrived while the page was open, saw ${JSON.stringify(rows)}`,
      );
      assert.equal(await page.locator("#epoch-rows tr").count(), 3);
      await page.getByText("completed").first().waitFor();
      assert.ok(await page.getByText("nesterov <mlp>").first().isVisible(), "the name is escaped");
      assert.ok(await page.locator(".test-images img").count() > 0, "test images are shown");
      await screenshot(page, "04-run-done");

      // Clone and edit: the form comes back filled; a second run with Adam.
      await page.getByRole("link", { name: "Clone and edit" }).click();
      await page.waitForURL(/\/runs\/new\?config=/);
      assert.equal(await page.getByLabel("Layer 2 units").inputValue(), "32");
      await page.getByLabel("Optimizer").selectOption("adam");
      await page.getByLabel("AMSGrad").waitFor();
      await page.getByLabel("Run name").fill("adam");
      await page.getByRole("button", { name: "Launch run" }).click();
      await page.waitForURL(/\/runs\/\d+$/);
      assert.notEqual(page.url(), firstRunUrl);
      await page.locator("#confusion-matrix").waitFor({ timeout: 40_000 });

      // Runs: filter, pick both, compare.
      await page.getByRole("link", { name: "Runs", exact: true }).click();
      await page.waitForURL("**/runs");
      await page.getByLabel("Sort by").selectOption("devAccuracy");
      await page.waitForURL(/sort=devAccuracy/);
      await page.getByLabel("Show trial runs").check();
      await page.waitForURL(/sort=devAccuracy&trials=include/);
      await page.reload();
      assert.ok(await page.getByLabel("Show trial runs").isChecked(), "a reload keeps filters");
      assert.equal(await page.getByLabel("Sort by").inputValue(), "devAccuracy");
      await page.getByLabel("Compare run 2").check();
      await page.getByLabel("Compare run 3").check();
      await screenshot(page, "05-runs");
      await page.getByRole("button", { name: "Compare selected" }).click();
      await page.waitForURL(/\/runs\/compare\?/);
      const compared = await page.locator("main").textContent() ?? "";
      assert.ok(compared.includes("#2 nesterov <mlp>") && compared.includes("#3 adam"));
      assert.match(compared, /Optimizer\s*\(differs\)/, "the differing settings are marked");
      await screenshot(page, "06-compare");
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
