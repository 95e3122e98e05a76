/**
 * The exercise's study built on the new-study form in a real browser: a searched number of
 * hidden layers with searched units and dropout and batch norm on, L2, and SGD or Adam each with
 * its own parameter. It runs, its file comes back through "Edit as new study", and "Train the
 * best" trains the final model on the whole pool. Screenshots land in `tests/screenshots/`.
 */

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { parseStudySpec } from "../config/study_schema.ts";
import {
  countLiveRows,
  countRedraws,
  enter,
  hasChromium,
  launchBrowser,
  openPage,
  redrawn,
  screenshot,
  streamConnected,
} from "./browser_helpers.ts";
import { occupyEngine, startTestServer } from "./service_helpers.ts";

/** The file the form should describe once the steps below are done. */
const EXERCISE = {
  name: "exercise",
  direction: "maximize",
  metric: "devAccuracy",
  trials: 3,
  // This seed draws Adam, SGD, Adam, each with two layers: both branches, quickly trained.
  sampler: { type: "random", seed: 15 },
  pruner: { type: "none" },
  base: { data: { trainSize: 1000 }, epochs: 1, device: "cpu" },
  space: {
    "model.layers": {
      type: "layers",
      low: 2,
      high: 4,
      layer: {
        units: { type: "int", low: 16, high: 32, log: true },
        batchNorm: true,
        dropout: { type: "float", low: 0, high: 0.5 },
      },
    },
    "optimizer.lr": { type: "float", low: 0.0001, high: 0.1, log: true },
    "regularization.l2": { type: "float", low: 0.000001, high: 0.01, log: true },
    "optimizer.type": {
      type: "categorical",
      choices: ["sgd", "adam"],
      when: {
        sgd: { "optimizer.momentum": { type: "float", low: 0, high: 0.99 } },
        adam: { "optimizer.betas.0": { type: "float", low: 0.8, high: 0.99 } },
      },
    },
  },
};

/** The study file the preview shows, once the form has no problem left. */
async function previewFile(page: Page): Promise<Record<string, unknown>> {
  await page.getByText("Valid. Save it as").waitFor();
  return JSON.parse(await page.locator("#study-json").textContent() ?? "");
}

/** Adds a row to the sub-space of `choice` and points it at `path`, which redraws its range. */
async function addWhenRow(page: Page, choice: string, path: string): Promise<void> {
  const add = page.getByRole("group", { name: `When ${choice}` })
    .getByRole("button", { name: "Add a searched parameter" });
  await redrawn(page, () => add.click());
  await enter(page, `space.optimizer.type.when.${choice}.0.path`, path);
}

Deno.test({
  name: "dashboard: the exercise's study, from the form to its final model",
  ignore: !hasChromium,
  async fn() {
    const server = await startTestServer();
    const browser = await launchBrowser();
    try {
      const { page, errors } = await openPage(browser);
      page.setDefaultTimeout(20_000);
      await countLiveRows(page, "#study-trials tbody tr");
      await countRedraws(page);

      await page.goto(`${server.url}/studies/new`);
      await enter(page, "study.name", EXERCISE.name);
      await enter(page, "study.trials", "3");
      await redrawn(page, () => page.getByLabel("Sampler", { exact: true }).selectOption("random"));
      await enter(page, "study.sampler.seed", String(EXERCISE.sampler.seed));
      await redrawn(page, () => page.getByLabel("Pruner").selectOption("none"));
      assert.equal(await page.getByLabel("Dataset", { exact: true }).inputValue(), "mnist");
      await enter(page, "data.trainSize", "1000");
      await enter(page, "epochs", "1");
      await redrawn(page, () => page.getByLabel("Device", { exact: true }).selectOption("cpu"));

      // The depth: 2 to 4 layers, each with searched units and dropout, batch norm on.
      await redrawn(page, () => page.getByLabel("Search the number of hidden layers").check());
      await enter(page, "space.model.layers.low", "2");
      await enter(page, "space.model.layers.high", "4");
      assert.equal(
        await page.locator('input[name="space.model.layers.layer.units.low"]').inputValue(),
        "16",
      );
      await enter(page, "space.model.layers.layer.units.high", "32");
      await redrawn(page, () => page.getByLabel("Batch norm", { exact: true }).check());
      await redrawn(page, () => page.getByLabel("search Dropout").check());

      // The learning rate is searched as the form opens; L2 too, and the optimizer with a
      // parameter of its own per choice.
      await redrawn(page, () => page.getByLabel("search L2").check());
      await redrawn(page, () => page.getByLabel("search Optimizer").check());
      await addWhenRow(page, "sgd", "optimizer.momentum");
      await addWhenRow(page, "adam", "optimizer.betas.0");

      const file = await previewFile(page);
      assert.deepEqual(file.space, EXERCISE.space);
      assert.deepEqual(file, EXERCISE);
      await page.evaluate(() => scrollTo(0, 0));
      await screenshot(page, "12-exercise-form");

      // Start: the trials arrive on the study page, each trained with its own branch.
      const blocker = await occupyEngine(server.url);
      await page.getByRole("button", { name: "Start study" }).click();
      await page.waitForURL(/\/studies\/\d+$/);
      const studyUrl = page.url();
      const studyId = Number(studyUrl.split("/").at(-1));
      await streamConnected(page);
      await blocker.release();
      await page.locator("#study-live:not([hx-sse\\:connect])").waitFor({ timeout: 60_000 });
      assert.equal((await page.locator("#study-status").textContent())?.trim(), "completed");
      assert.equal(await page.locator("#study-trials tbody tr").count(), 3);
      await screenshot(page, "13-exercise-study");

      const study = await (await fetch(`${server.url}/api/studies/${studyId}`)).json();
      assert.equal(study.trials.length, 3);
      const headers = await page.locator("#study-trials thead th").allTextContents();
      const column = (name: string) => {
        assert.ok(headers.includes(name), `the trials table has a column for ${name}`);
        return headers.indexOf(name);
      };
      const optimizers = study.trials.map((trial: { params: Record<string, unknown> }) =>
        trial.params["optimizer.type"]
      );
      assert.deepEqual(
        new Set(optimizers),
        new Set(["sgd", "adam"]),
        "the sampler seed draws both optimizers (pick another seed if the sampler changed)",
      );
      for (const trial of study.trials) {
        assert.equal(trial.state, "COMPLETE");
        const { params } = trial;
        const taken = params["optimizer.type"];
        const [kept, dropped] = taken === "sgd"
          ? ["optimizer.momentum", "optimizer.betas.0"]
          : ["optimizer.betas.0", "optimizer.momentum"];
        assert.ok(kept in params, `trial ${trial.number} (${taken}) searched ${kept}`);
        assert.ok(!(dropped in params), `trial ${trial.number} (${taken}) lacks ${dropped}`);
        const depth = params["model.layers.length"];
        assert.ok(depth >= 2 && depth <= 4);
        for (let i = 0; i < 4; i++) {
          assert.equal(`model.layers.${i}.units` in params, i < depth);
          assert.equal(`model.layers.${i}.dropout` in params, i < depth);
        }
        const row = page.locator("#study-trials tbody tr").filter({
          has: page.locator("td:first-child", { hasText: new RegExp(`^${trial.number}$`) }),
        });
        const cells = await row.locator("td").allTextContents();
        assert.equal(cells[column(dropped)], "—", `a dash for ${dropped} in trial ${trial.number}`);
        assert.notEqual(cells[column(kept)], "—");
      }

      // Edit as new study: the same file, under a free name.
      await page.getByRole("link", { name: "Edit as new study" }).click();
      await page.waitForURL(/\/studies\/new\?from=\d+$/);
      const again = await previewFile(page);
      assert.deepEqual(again, { ...EXERCISE, name: `${EXERCISE.name}-2` });
      const parsed = parseStudySpec(again);
      assert.ok(parsed.ok);
      assert.deepEqual({ ...parsed.spec, name: EXERCISE.name }, study.spec);
      await screenshot(page, "14-exercise-edit");

      // Train the best: the whole pool, for longer; the run says where it comes from.
      await page.goto(studyUrl);
      await page.getByRole("link", { name: "Train the best" }).click();
      await page.waitForURL(/\/runs\/new\?study=\d+$/);
      assert.equal(await page.getByLabel("Train size", { exact: true }).inputValue(), "");
      await page.getByRole("button", { name: "Launch run" }).click();
      await page.waitForURL(/\/runs\/\d+$/);
      const runId = Number(page.url().split("/").at(-1));
      await page.getByText("Final model of study").waitFor();
      await page.locator("#run-live:not([hx-sse\\:connect])").waitFor({ timeout: 60_000 });
      const run = await (await fetch(`${server.url}/api/runs/${runId}`)).json();
      assert.equal(run.status, "completed");
      assert.equal(run.config.data.trainSize, undefined);
      assert.equal(run.originStudyId, studyId);
      assert.equal(run.originTrialNumber, study.bestTrial);
      assert.ok(run.config.epochs > EXERCISE.base.epochs, "the final model trains for longer");
      const best = study.bestParams;
      assert.equal(run.config.model.layers.length, best["model.layers.length"]);
      assert.equal(run.config.optimizer.type, best["optimizer.type"]);
      assert.equal(
        (await page.locator(".origin").textContent())?.replace(/\s+/g, " ").trim(),
        `Final model of study ${EXERCISE.name} (trial #${study.bestTrial})`,
      );
      await screenshot(page, "15-exercise-final");
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
