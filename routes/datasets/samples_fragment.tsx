/**
 * `/fragments/samples`: the start page's dataset preview, swapped in when the picker changes.
 *
 * @module
 */

import { Hono } from "hono";
import { previewSamples, SamplesView } from "../../views/datasets/samples.tsx";
import type { AppContext } from "../context.ts";
import { listedDataset, SAMPLE_COUNT } from "./datasets.ts";

export function samplesFragmentRoute(ctx: AppContext): Hono {
  const pages = new Hono();

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
