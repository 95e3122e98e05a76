/**
 * The interactive charts in a real browser: the server's SVG becomes an ECharts chart that shows
 * exact values on hover, zooms and resets, switches to a log scale and smooths; the run page's
 * stream adds points to the same chart; a study's trial points open their runs and the contour
 * plot takes another pair of parameters. Screenshots land in `tests/screenshots/`.
 */

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { hasChromium, launchBrowser, openPage, screenshot } from "./browser_helpers.ts";
import {
  cancelRun,
  occupyEngine,
  postJson,
  startTestServer,
  tinyRun,
  waitFor,
} from "./service_helpers.ts";

const STUDY = {
  name: "charts",
  trials: 4,
  sampler: { type: "random", seed: 5 },
  pruner: { type: "none" },
  base: {
    epochs: 2,
    device: "cpu",
    data: { dataset: "synthetic-binary", split: { train: 0.8, dev: 0.1, test: 0.1 } },
    model: { layers: [{ units: 8 }] },
  },
  space: {
    "optimizer.lr": { type: "float", low: 1e-3, high: 1e-1, log: true },
    "model.layers.0.units": { type: "int", low: 4, high: 32 },
    "optimizer.type": { type: "categorical", choices: ["sgd", "adam"] },
  },
};

interface ChartState {
  yType: string;
  zoom: [number, number];
  series: { name: string; points: number }[];
  xName: string;
  yName: string;
}

/** What the live chart in `figure` shows, read from its ECharts instance. */
function chartState(page: Page, figure: string): Promise<ChartState> {
  return page.evaluate((selector) => {
    const box = document.querySelector(`${selector} .chart-box`) as HTMLElement;
    // deno-lint-ignore no-explicit-any
    const option = (globalThis as any).echarts.getInstanceByDom(box).getOption();
    return {
      yType: option.yAxis[0].type,
      zoom: [option.dataZoom?.[0]?.start ?? 0, option.dataZoom?.[0]?.end ?? 100],
      // deno-lint-ignore no-explicit-any
      series: option.series.map((s: any) => ({ name: s.name, points: s.data.length })),
      xName: option.xAxis[0].name,
      yName: option.yAxis[0].name,
    };
  }, figure);
}

/** Where a data point of the first series of `figure`'s chart is on the page. */
function pointOnPage(page: Page, figure: string, point: unknown[], seriesIndex = 0) {
  return page.evaluate(([selector, point, seriesIndex]) => {
    const box = document.querySelector(`${selector} .chart-box`) as HTMLElement;
    // deno-lint-ignore no-explicit-any
    const chart = (globalThis as any).echarts.getInstanceByDom(box);
    const [x, y] = chart.convertToPixel({ seriesIndex }, point);
    const rect = box.getBoundingClientRect();
    return { x: rect.left + x, y: rect.top + y };
  }, [figure, point, seriesIndex] as const);
}

async function completed(url: string, id: number) {
  return await waitFor(
    async () => {
      const run = await (await fetch(`${url}/api/runs/${id}`)).json();
      return run.status === "completed" ? run : undefined;
    },
    `run ${id} to complete`,
    120_000,
  );
}

Deno.test({
  name: "dashboard: a run's loss chart shows exact values, zooms, resets and goes log",
  ignore: !hasChromium,
  async fn() {
    const server = await startTestServer();
    const browser = await launchBrowser();
    try {
      const { id } = await (await postJson(`${server.url}/api/runs`, tinyRun({ epochs: 6 })))
        .json();
      const run = await completed(server.url, id);
      const { page, errors } = await openPage(browser);
      page.setDefaultTimeout(20_000);
      await page.goto(`${server.url}/runs/${id}`);
      const loss = page.locator("#chart-loss");
      await loss.locator(".chart-box svg").waitFor();

      // Hovering epoch 3 shows its train loss to six significant digits.
      const trainLoss = run.epochs[2].trainLoss as number;
      const at = await pointOnPage(page, "#chart-loss", [3, trainLoss]);
      await page.mouse.move(at.x, at.y);
      const exact = String(Number(trainLoss.toPrecision(6)));
      await loss.getByText(exact, { exact: true }).waitFor();
      await loss.getByText("Epoch 3").waitFor();
      // The crosshair is shared: the accuracy chart reads out the same epoch.
      const accuracy = String(Number((run.epochs[2].trainAccuracy * 100).toFixed(2))) + "%";
      await page.locator("#chart-accuracy").getByText("Epoch 3").waitFor();
      await page.locator("#chart-accuracy").getByText(accuracy, { exact: true }).first().waitFor();
      await screenshot(page, "30-chart-tooltip");

      // Shift + wheel zooms the epoch axis; Reset zoom shows every epoch again.
      await page.keyboard.down("Shift");
      await page.mouse.wheel(0, -400);
      await page.keyboard.up("Shift");
      await waitFor(async () => {
        const { zoom } = await chartState(page, "#chart-loss");
        return zoom[0] > 0 || zoom[1] < 100 || undefined;
      }, "the chart to zoom in");
      await loss.getByRole("button", { name: "Reset zoom" }).click();
      assert.deepEqual((await chartState(page, "#chart-loss")).zoom, [0, 100]);

      // Log scale, then smoothing: a faint raw line and its moving average per series.
      assert.equal((await chartState(page, "#chart-loss")).yType, "value");
      await loss.getByLabel("Log scale", { exact: true }).check();
      assert.equal((await chartState(page, "#chart-loss")).yType, "log");
      await loss.getByLabel("Smoothing", { exact: true }).fill("0.6");
      const smoothed = await chartState(page, "#chart-loss");
      assert.deepEqual(smoothed.series.map((s) => s.name), ["train", "train", "dev", "dev"]);
      assert.equal(smoothed.yType, "log", "smoothing keeps the log scale");
      // The accuracy chart has no log switch: a percentage is not a decade-spanning value.
      assert.equal(await page.locator("#chart-accuracy").getByLabel("Log scale").count(), 0);
      await screenshot(page, "31-chart-log-smoothed");

      // A finished run's layer statistics read out exact values on hover too.
      const std = page.locator('[data-statistic="activationStd"]');
      await std.scrollIntoViewIfNeeded();
      await std.locator(".chart-box svg").waitFor();
      const value = run.epochs[2].layers[0].activationStd as number;
      const point = await pointOnPage(page, '[data-statistic="activationStd"]', [3, value]);
      await page.mouse.move(point.x, point.y);
      await std.getByText(String(Number(value.toPrecision(6))), { exact: true }).waitFor();

      // The confusion matrix says on hover what a cell counts.
      const confusion = page.locator("#chart-confusion");
      await confusion.scrollIntoViewIfNeeded();
      await confusion.locator(".chart-box svg").waitFor();
      const cell = await pointOnPage(page, "#chart-confusion", [1, 0]);
      await page.mouse.move(cell.x, cell.y);
      const wrong = run.test.confusion[1] as number;
      await confusion.getByText(/True \S+, predicted \S+/).waitFor();
      await screenshot(page, "33-confusion-tooltip");
      await confusion.getByText(`${wrong} ${wrong === 1 ? "example" : "examples"} ·`, {
        exact: false,
      }).waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await server.close();
    }
  },
});

Deno.test({
  name: "dashboard: the run page's stream adds epochs to the same interactive chart",
  ignore: !hasChromium,
  async fn() {
    const server = await startTestServer();
    const browser = await launchBrowser();
    try {
      // A run of one example per step trains for a while; it waits behind another until the
      // page is open.
      const blocker = await occupyEngine(server.url);
      // A tiny model's epochs, dozens a second: the stream sends them in one message per 250 ms
      // and the chart redraws at most that often, so the flood neither starves the page (nor
      // this test's reads of it, which it did when each epoch was a redraw) nor drops a point.
      const fast = tinyRun({ epochs: 5000 });
      const { id } = await (await postJson(`${server.url}/api/runs`, fast)).json();
      const { page, errors } = await openPage(browser);
      page.setDefaultTimeout(30_000);
      await page.goto(`${server.url}/runs/${id}`);
      await page.locator("#chart-loss .chart-box svg").waitFor();
      await page.evaluate(() => {
        // deno-lint-ignore no-explicit-any
        (globalThis as any).firstBox = document.querySelector("#chart-loss .chart-box");
      });
      await page.locator("#chart-loss").getByLabel("Log scale", { exact: true }).check();
      await blocker.release();
      // Its epochs arrive in the chart drawn at load, which keeps the reader's log scale.
      await waitFor(
        async () => {
          const state = await chartState(page, "#chart-loss");
          return state.series[0].points >= 20 || undefined;
        },
        "epochs in the live chart",
        60_000,
      );
      const sameBox = await page.evaluate(() =>
        // deno-lint-ignore no-explicit-any
        document.querySelector("#chart-loss .chart-box") === (globalThis as any).firstBox
      );
      assert.ok(sameBox, "the stream updated the chart in place");
      assert.equal((await chartState(page, "#chart-loss")).yType, "log");
      await cancelRun(server.url, id);
      // Once it ends, the chart and the table hold every epoch it trained, none dropped.
      const run = await waitFor(async () => {
        const run = await (await fetch(`${server.url}/api/runs/${id}`)).json();
        return run.status === "cancelled" ? run : undefined;
      }, "the run to end");
      await page.locator("#run-live:not([hx-sse\\:connect])").waitFor();
      await page.locator("#chart-loss .chart-box svg").waitFor();
      assert.equal((await chartState(page, "#chart-loss")).series[0].points, run.epochs.length);
      assert.equal(await page.locator("#epoch-rows tr").count(), run.epochs.length);
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await server.close();
    }
  },
});

Deno.test({
  name: "dashboard: the run page shows the phases before the first epoch, in order",
  ignore: !hasChromium,
  async fn() {
    const server = await startTestServer();
    const browser = await launchBrowser();
    try {
      const blocker = await occupyEngine(server.url);
      // However quickly the phases pass, each is its own message: the order is asserted here,
      // not the timing.
      const run = tinyRun({ epochs: 2, model: { layers: [{ units: 64 }, { units: 64 }] } });
      const { id } = await (await postJson(`${server.url}/api/runs`, run)).json();
      const { page, errors } = await openPage(browser);
      page.setDefaultTimeout(30_000);
      // Every phase the progress line shows, from before the page's own scripts run.
      await page.addInitScript(() => {
        const seen: string[] = [];
        (globalThis as unknown as { phases: string[] }).phases = seen;
        document.addEventListener(
          "htmx:sse:after:connection",
          () => document.documentElement.dataset.connected = "yes",
        );
        new MutationObserver(() => {
          const phase = document.getElementById("run-progress")?.dataset.phase;
          if (phase && phase !== seen.at(-1)) seen.push(phase);
        }).observe(document, { childList: true, subtree: true, attributes: true });
      });
      await page.goto(`${server.url}/runs/${id}`);
      // Released once the page's stream is connected, so it misses no phase.
      await page.locator("html[data-connected]").waitFor({ state: "attached" });
      await blocker.release();
      await page.locator("#run-live:not([hx-sse\\:connect])").waitFor({ timeout: 120_000 });
      const phases = await page.evaluate(() =>
        (globalThis as unknown as { phases: string[] }).phases
      );
      assert.deepEqual(
        phases.filter((p) => p !== "running"),
        ["queued", "loading", "device", "compiling", "training", "completed"],
      );
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await server.close();
    }
  },
});

Deno.test({
  name: "dashboard: a study's plots open a trial's run and draw any pair of parameters",
  ignore: !hasChromium,
  async fn() {
    const server = await startTestServer();
    const browser = await launchBrowser();
    try {
      const { id } = await (await postJson(`${server.url}/api/studies`, STUDY)).json();
      const study = await waitFor(
        async () => {
          const state = await (await fetch(`${server.url}/api/studies/${id}`)).json();
          const done = state.trials.filter((t: { state: string }) => t.state === "COMPLETE");
          return done.length === STUDY.trials ? state : undefined;
        },
        "the study's trials to complete",
        120_000,
      );
      const { page, errors } = await openPage(browser);
      page.setDefaultTimeout(20_000);
      await page.goto(`${server.url}/studies/${id}`, { timeout: 60_000 });
      for (const figure of ["history", "edf", "contour", "rank", "timeline", "parallel"]) {
        await page.locator(`#chart-${figure} .chart-box svg`).waitFor();
      }
      // Each new plot has its data: the EDF a step per distinct value, the rank plot a point per
      // trial, the timeline a bar per trial.
      const values = new Set(study.trials.map((t: { value: number }) => t.value));
      assert.equal((await chartState(page, "#chart-edf")).series[0].points, values.size);
      assert.equal((await chartState(page, "#chart-rank")).series[0].points, STUDY.trials);
      assert.equal((await chartState(page, "#chart-timeline")).series.length, STUDY.trials);
      const contour = await chartState(page, "#chart-contour");
      assert.equal(contour.series[1].points, STUDY.trials);
      assert.equal(contour.xName, "optimizer.lr");
      assert.equal(contour.yName, "model.layers.0.units");

      // Another pair: the contour is drawn again over the parameters picked.
      await page.locator("#chart-contour").getByLabel("Parameters", { exact: true })
        .selectOption("model.layers.0.units × optimizer.type");
      const picked = await chartState(page, "#chart-contour");
      assert.equal(picked.xName, "model.layers.0.units");
      assert.equal(picked.yName, "optimizer.type");
      // Hiding an axis of the parallel coordinates leaves the others and the value.
      await page.locator("#chart-parallel").getByLabel("optimizer.type", { exact: true }).uncheck();
      const axes = await page.evaluate(() => {
        const box = document.querySelector("#chart-parallel .chart-box") as HTMLElement;
        // deno-lint-ignore no-explicit-any
        const option = (globalThis as any).echarts.getInstanceByDom(box).getOption();
        // deno-lint-ignore no-explicit-any
        return option.parallelAxis.map((axis: any) => axis.name);
      });
      assert.deepEqual(axes, ["optimizer.lr", "model.layers.0.units", "devAccuracy"]);
      await screenshot(page, "32-study-plots");

      // The slice picker hides a parameter's slice and shows it again.
      const lrSlice = page.locator("#chart-slice-optimizer-lr");
      const units = page.locator("#chart-slice-model-layers-0-units");
      await page.locator(".slice-picker").getByLabel("optimizer.lr", { exact: true }).uncheck();
      assert.ok(await lrSlice.isHidden());
      assert.ok(await units.isVisible());
      await page.locator(".slice-picker").getByLabel("optimizer.lr", { exact: true }).check();
      await lrSlice.locator(".chart-box svg").waitFor();
      assert.ok(await lrSlice.isVisible());

      // Clicking a trial's point in the history opens that trial's run; hovering it names it.
      const trial = study.trials[1];
      await page.locator("#chart-history").scrollIntoViewIfNeeded();
      const at = await pointOnPage(page, "#chart-history", [trial.number, trial.value]);
      await page.mouse.move(at.x, at.y);
      await page.locator("#chart-history").getByText(`Trial ${trial.number}`).waitFor();
      await page.mouse.click(at.x, at.y);
      await page.waitForURL(`**/runs/${trial.runId}`);
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
