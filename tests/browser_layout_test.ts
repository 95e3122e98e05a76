/**
 * Every main page at a phone's width and in the dark colour scheme, in a real browser: no page is
 * wider than a 390 px screen, the New run form's fields show their values whole, and with
 * `prefers-color-scheme: dark` the pages and their server-drawn charts turn light on dark.
 * Screenshots land in `tests/screenshots/`.
 */

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { hasChromium, launchBrowser, openPage, screenshot } from "./browser_helpers.ts";
import { postJson, startTestServer, tinyRun, waitFor } from "./service_helpers.ts";

const PHONE = { width: 390, height: 844 };

/** A study of three quick trials over two parameters, so it has slices and parallel axes. */
const STUDY = {
  name: "layout",
  trials: 3,
  sampler: { type: "random", seed: 3 },
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
  },
};

/** WCAG relative luminance of a computed `rgb(…)` colour: 0 for black, 1 for white. */
function luminance(color: string): number {
  const [r, g, b] = (color.match(/[\d.]+/g) ?? []).slice(0, 3).map((part) => {
    const channel = Number(part) / 255;
    return channel <= 0.04045 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** How far the document reaches past the viewport, and the deepest elements that reach there. */
function overflow(page: Page) {
  return page.evaluate(() => {
    const width = innerWidth;
    const past = (element: Element) => element.getBoundingClientRect().right > width + 0.5;
    const culprits = [...document.body.querySelectorAll("*")]
      .filter((element) => past(element) && ![...element.children].some(past))
      .slice(0, 5)
      .map((element) => `${element.tagName.toLowerCase()}.${element.getAttribute("class")}`);
    return { scrollWidth: document.documentElement.scrollWidth, width, culprits };
  });
}

/** The page's ground (the root's background, or the body's if it paints one) and text colour. */
function pageColours(page: Page) {
  return page.evaluate(() => {
    const body = getComputedStyle(document.body);
    const transparent = body.backgroundColor === "rgba(0, 0, 0, 0)";
    const ground = transparent
      ? getComputedStyle(document.documentElement).backgroundColor
      : body.backgroundColor;
    return { ground, text: body.color };
  });
}

/** The fill a chart's title is painted with, after the page's styles. */
function chartTitleFill(page: Page, selector: string) {
  return page.locator(`${selector} svg text`).first().evaluate((text) =>
    getComputedStyle(text).fill
  );
}

/** Text inputs whose value is wider than their box, by name. */
function clippedInputs(page: Page) {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLInputElement>("input[type=text]")]
      .filter((input) => input.value && input.scrollWidth > input.clientWidth)
      .map((input) => `${input.name}=${input.value}`)
  );
}

Deno.test({
  name: "dashboard: every page fits a 390 px phone and follows the dark colour scheme",
  ignore: !hasChromium,
  async fn() {
    const server = await startTestServer();
    const browser = await launchBrowser();
    try {
      const { url } = server;
      const created = await Promise.all([
        postJson(
          `${url}/api/runs`,
          tinyRun({
            name: "mnist for layout",
            epochs: 2,
            data: { dataset: "mnist", trainSize: 1000, testSize: 200 },
            model: { layers: [{ units: 64 }] },
          }),
        ),
        postJson(`${url}/api/runs`, tinyRun()),
        postJson(`${url}/api/studies`, STUDY),
      ]);
      const [mnistRun, tiny, study] = await Promise.all(
        created.map(async (response) => (await response.json()).id as number),
      );
      for (const id of [mnistRun, tiny]) {
        await waitFor(
          async () => {
            const run = await (await fetch(`${url}/api/runs/${id}`)).json();
            return run.status === "completed" || undefined;
          },
          `run ${id} to complete`,
          120_000,
        );
      }
      await waitFor(
        async () => {
          const state = await (await fetch(`${url}/api/studies/${study}`)).json();
          const complete = state.trials.filter((t: { state: string }) => t.state === "COMPLETE");
          return complete.length === STUDY.trials || undefined;
        },
        "the study's trials to complete",
        120_000,
      );

      const pages: [string, string][] = [
        ["start page", "/"],
        ["runs list", "/runs"],
        ["run page", `/runs/${mnistRun}`],
        ["New run", "/runs/new"],
        ["studies list", "/studies"],
        ["study page", `/studies/${study}`],
        ["New study", "/studies/new"],
        ["datasets", "/?dataset=mnist"],
        ["compare", `/runs/compare?ids=${mnistRun}&ids=${tiny}`],
      ];

      for (const colorScheme of ["light", "dark"] as const) {
        const { page, errors } = await openPage(browser, { viewport: PHONE, colorScheme });
        page.setDefaultTimeout(20_000);
        for (const [name, path] of pages) {
          await page.goto(url + path);
          const { scrollWidth, width, culprits } = await overflow(page);
          assert.ok(
            scrollWidth <= width,
            `${name} (${colorScheme}) is ${scrollWidth} px wide on a ${width} px screen: ` +
              culprits.join(", "),
          );
          if (colorScheme === "dark") {
            const { ground, text } = await pageColours(page);
            assert.ok(luminance(ground) < 0.05, `${name}'s ground is dark, got ${ground}`);
            assert.ok(luminance(text) > 0.6, `${name}'s text is light, got ${text}`);
          }
        }
        await page.goto(`${url}/runs/${mnistRun}`);
        const title = await chartTitleFill(page, "#chart-loss");
        if (colorScheme === "dark") {
          assert.ok(luminance(title) > 0.6, `the loss chart's title is light, got ${title}`);
          await screenshot(page, "19-phone-dark-run");
        } else {
          assert.ok(luminance(title) < 0.05, `the loss chart's title is dark, got ${title}`);
          await screenshot(page, "18-phone-run");
        }
        assert.deepEqual(errors, []);
      }

      // The plots across the study page (drawn 980 px wide) fit the phone once live, with room
      // for the plot, rather than scrolling sideways inside their strip.
      {
        const { page, errors } = await openPage(browser, { viewport: PHONE });
        await page.goto(`${url}/studies/${study}`);
        for (const id of ["chart-intermediate", "chart-parallel", "chart-timeline"]) {
          await page.locator(`#${id} .chart-box svg`).waitFor();
          const strip = await page.locator(`#${id}`).evaluate((figure) => {
            const strip = figure.parentElement!;
            const box = figure.querySelector(".chart-box")!.getBoundingClientRect();
            return { scroll: strip.scrollWidth, width: strip.clientWidth, height: box.height };
          });
          assert.ok(
            strip.scroll <= strip.width,
            `${id} scrolls sideways: ${JSON.stringify(strip)}`,
          );
          assert.ok(strip.height >= 200, `${id} keeps room for its plot: ${strip.height} px`);
        }
        await screenshot(page, "21-phone-study");
        assert.deepEqual(errors, []);
      }

      // The layer table stacks on a phone and is a table on a laptop: in both, 512 units and
      // every other value show whole.
      for (const viewport of [PHONE, { width: 1280, height: 800 }]) {
        const { page, errors } = await openPage(browser, { viewport });
        await page.goto(`${url}/runs/new`);
        await page.getByLabel("Layer 1 units", { exact: true }).fill("512");
        assert.deepEqual(await clippedInputs(page), [], `at ${viewport.width} px`);
        if (viewport === PHONE) await screenshot(page, "20-phone-new-run");
        assert.deepEqual(errors, []);
      }
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
