/**
 * HTML pages and the htmx fragments they swap in.
 *
 * @module
 */

import { Hono } from "hono";
import { describeDatasets } from "../engine/data/load.ts";
import { HomePage } from "../views/home.tsx";
import { previewSamples, SamplesView } from "../views/samples.tsx";
import type { AppContext } from "./app.ts";
import { listedDataset, SAMPLE_COUNT } from "./datasets.ts";

export function pageRoutes(ctx: AppContext): Hono {
  const pages = new Hono();

  pages.get("/", async (c) => {
    const [device, datasets] = await Promise.all([
      ctx.device(),
      describeDatasets(ctx.datasetRoots),
    ]);
    const { info, dataset } = await listedDataset(
      ctx.datasetRoots,
      c.req.query("dataset") ?? datasets[0].id,
    );
    const preview = await previewSamples(dataset, SAMPLE_COUNT);
    return c.html(
      <HomePage device={device} datasets={datasets} selected={info} preview={preview} />,
    );
  });

  pages.get("/fragments/samples", async (c) => {
    const id = c.req.query("dataset") ?? "";
    const { info, dataset } = await listedDataset(ctx.datasetRoots, id);
    // The address bar follows the picker, so reloading or sharing shows the same dataset.
    c.header("HX-Push-Url", `/?dataset=${encodeURIComponent(id)}`);
    return c.html(
      <SamplesView info={info} preview={await previewSamples(dataset, SAMPLE_COUNT)} />,
    );
  });

  return pages;
}
