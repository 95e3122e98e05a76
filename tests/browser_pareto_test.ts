/**
 * A two-objective study in a real browser: its page draws the Pareto front (the front's trials
 * highlighted, each point's tooltip naming its trial and objectives), the hypervolume over
 * trials and the best-trials table. Screenshot in `tests/screenshots/`.
 */

import assert from "node:assert/strict";
import { hasChromium, launchBrowser, openPage, screenshot } from "./browser_helpers.ts";
import { postJson, startTestServer, waitFor } from "./service_helpers.ts";

const study = {
  name: "accuracy-vs-size (browser)",
  trials: 5,
  metrics: ["devAccuracy", "parameterCount"],
  sampler: { type: "random", seed: 5 },
  base: {
    epochs: 1,
    device: "cpu",
    data: { dataset: "synthetic-binary", split: { train: 0.8, dev: 0.1, test: 0.1 } },
    model: { layers: [{ units: 8 }] },
  },
  space: { "model.layers.0.units": { type: "int", low: 2, high: 64 } },
};

Deno.test({
  name: "dashboard: a two-objective study shows its Pareto front, hypervolume and best trials",
  ignore: !hasChromium,
  async fn() {
    const server = await startTestServer();
    const browser = await launchBrowser();
    try {
      const created = await postJson(`${server.url}/api/studies`, study);
      assert.equal(created.status, 201);
      const { id } = await created.json();
      const report = await waitFor(
        async () => {
          const r = await (await fetch(`${server.url}/api/studies/${id}`)).json();
          const done = r.trials.filter((t: { state: string }) => t.state === "COMPLETE").length;
          return done === study.trials ? r : undefined;
        },
        "the study's trials to complete",
        120_000,
      );
      const front = report.bestTrials as number[];
      assert.ok(front.length >= 1);

      const { page, errors } = await openPage(browser);
      page.setDefaultTimeout(20_000);
      await page.goto(`${server.url}/studies/${id}`);
      const figure = page.locator("#chart-pareto");
      await figure.locator(".chart-box svg").waitFor();
      await page.getByText("maximize dev accuracy, minimize parameter count").waitFor();

      // The browser's chart holds every complete trial, the front in its own series.
      const series = await page.evaluate(() => {
        const box = document.querySelector("#chart-pareto .chart-box") as HTMLElement;
        // deno-lint-ignore no-explicit-any
        const option = (globalThis as any).echarts.getInstanceByDom(box).getOption();
        // deno-lint-ignore no-explicit-any
        return option.series.map((s: any) => ({ name: s.name, points: s.data.length }));
      });
      const count = (name: string) => series.find((s: { name: string }) => s.name === name)?.points;
      assert.equal(count("Pareto front"), front.length);
      assert.equal(count("dominated"), study.trials - front.length);

      // Hovering a front trial's point names it, its objectives, and that it is on the front.
      const best = report.trials.find((t: { number: number }) => t.number === front[0]);
      await figure.scrollIntoViewIfNeeded();
      const at = await page.evaluate(([values]) => {
        const box = document.querySelector("#chart-pareto .chart-box") as HTMLElement;
        // deno-lint-ignore no-explicit-any
        const chart = (globalThis as any).echarts.getInstanceByDom(box);
        const [x, y] = chart.convertToPixel({ seriesIndex: 1 }, values);
        const rect = box.getBoundingClientRect();
        return { x: rect.left + x, y: rect.top + y };
      }, [best.values] as const);
      await page.mouse.move(at.x, at.y);
      const tooltip = figure.locator("div", { hasText: "on the Pareto front" }).last();
      await tooltip.waitFor();
      const tip = await tooltip.innerText();
      assert.match(tip, new RegExp(`^Trial ${best.number}\\n`));
      assert.match(tip, /parameter count: \d+/);

      await page.locator("#chart-hypervolume .chart-box svg").waitFor();
      const rows = page.locator("#study-best-trials tbody tr");
      assert.equal(await rows.count(), front.length);
      await page.locator("#study-pareto").scrollIntoViewIfNeeded();
      await screenshot(page, "40-pareto-front");
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
