/**
 * The start page and its samples fragment. The run pages are in `run_pages.tsx`,
 * `run_form_pages.tsx` and `run_live.tsx`.
 *
 * @module
 */

import { Hono } from "hono";
import { listRuns } from "../db/runs.ts";
import { describeDatasets } from "../engine/data/load.ts";
import { HomePage } from "../views/home.tsx";
import { previewSamples, SamplesView } from "../views/samples.tsx";
import type { AppContext } from "./app.ts";
import { listedDataset, SAMPLE_COUNT } from "./datasets.ts";
import { studyListItems } from "./study_pages.tsx";

/** How many runs the start page lists. */
const RECENT_RUNS = 5;

export function pageRoutes(ctx: AppContext): Hono {
  const pages = new Hono();

  pages.get("/", async (c) => {
    const [device, datasets, recentRuns, recentStudies] = await Promise.all([
      ctx.device(),
      describeDatasets(ctx.datasetRoots),
      listRuns(ctx.db, { limit: RECENT_RUNS }),
      studyListItems(ctx.db, RECENT_RUNS),
    ]);
    const { info, dataset } = await listedDataset(
      ctx.datasetRoots,
      c.req.query("dataset") ?? datasets[0].id,
    );
    const preview = await previewSamples(dataset, SAMPLE_COUNT);
    return c.html(
      <HomePage
        device={device}
        datasets={datasets}
        selected={info}
        preview={preview}
        recentRuns={recentRuns}
        recentStudies={recentStudies}
      />,
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
