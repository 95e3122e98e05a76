/**
 * Drawing a digit in a real browser: a tiny MNIST run trained by the server, its page's network
 * diagram and first-layer pictures, then a "1" and a "7" drawn on the canvas with the mouse and
 * the model's probabilities read off the bars. Screenshots land in `tests/screenshots/`.
 */

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { hasChromium, launchBrowser, openPage, screenshot } from "./browser_helpers.ts";
import { postJson, startTestServer, waitFor } from "./service_helpers.ts";

/** Draws one stroke through `points`, given as fractions of the canvas's width and height. */
async function stroke(page: Page, points: [number, number][]): Promise<void> {
  const canvas = page.getByLabel("Drawing canvas", { exact: true });
  await canvas.scrollIntoViewIfNeeded();
  const box = (await canvas.boundingBox())!;
  const at = ([fx, fy]: [number, number]) => [box.x + fx * box.width, box.y + fy * box.height];
  const [x0, y0] = at(points[0]);
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  for (let i = 1; i < points.length; i++) {
    const [fromX, fromY] = points[i - 1];
    const [toX, toY] = points[i];
    for (let step = 1; step <= 8; step++) {
      const [x, y] = at([fromX + (toX - fromX) * step / 8, fromY + (toY - fromY) * step / 8]);
      await page.mouse.move(x, y);
    }
  }
  await page.mouse.up();
}

/** The bars' percentages once the model has answered, and the class it marked. */
async function answer(page: Page): Promise<{ percents: number[]; top: string }> {
  // The panel says when the answer on show is the latest drawing's.
  await page.locator("#draw-digit[data-state=answered]").waitFor();
  const bars = page.getByRole("list", { name: "Class probabilities", exact: true });
  const values = await bars.locator(".draw-value").allTextContents();
  const top = await bars.locator("li.top .draw-class").textContent() ?? "";
  return { percents: values.map((text) => Number.parseFloat(text)), top };
}

Deno.test({
  name: "run page: a digit drawn on the canvas with the mouse gets its class probabilities",
  ignore: !hasChromium,
  async fn() {
    const server = await startTestServer();
    const browser = await launchBrowser();
    try {
      const created = await postJson(`${server.url}/api/runs`, {
        name: "digits",
        device: "cpu",
        epochs: 1,
        data: { dataset: "mnist", trainSize: 2000, testSize: 100 },
        model: { layers: [{ units: 32 }] },
        batch: { size: 32 },
      });
      const { id } = await created.json();
      await waitFor(
        async () => {
          const run = await (await fetch(`${server.url}/api/runs/${id}`)).json();
          return run.status === "completed" ? run : undefined;
        },
        "the run to complete",
        60_000,
      );

      const { page, errors } = await openPage(browser);
      page.setDefaultTimeout(20_000);
      await page.goto(`${server.url}/runs/${id}`);
      // The network parts arrive after the page, from /runs/:id/network.
      const diagram = page.getByRole("img", { name: /^Network 784 → 32 → 10/ });
      await diagram.waitFor();
      assert.equal(await diagram.getAttribute("data-parameters"), String(784 * 32 + 32 + 330));
      assert.equal(await page.locator(".unit-grid img").count(), 32);
      const bars = page.getByRole("list", { name: "Class probabilities", exact: true });
      assert.deepEqual(await bars.locator(".draw-value").allTextContents(), Array(10).fill("—"));

      // A "1": one stroke down the middle.
      await stroke(page, [[0.5, 0.15], [0.48, 0.85]]);
      const one = await answer(page);
      assert.equal(one.percents.length, 10);
      const sum = one.percents.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 100) < 0.6, `the probabilities add up to ${sum}%`);
      assert.equal(one.top, "1");
      const seen = await page.getByLabel("What the model sees", { exact: true }).evaluate(
        (canvas: HTMLCanvasElement) =>
          canvas.getContext("2d")!.getImageData(0, 0, 28, 28).data.reduce((a, b) => a + b, 0),
      );
      assert.ok(seen > 0, "the preprocessed digit is shown");
      await screenshot(page, "21-draw-one");

      // A "7": cleared, then a bar across the top and a stroke down to the left.
      await page.getByRole("button", { name: "Clear", exact: true }).click();
      assert.equal(await bars.locator(".draw-value").first().textContent(), "—");
      await stroke(page, [[0.25, 0.2], [0.75, 0.2], [0.42, 0.85]]);
      const seven = await answer(page);
      assert.equal(seven.top, "7", `probabilities ${seven.percents}`);
      await screenshot(page, "22-draw-seven");
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
