/**
 * The start page: the device, the datasets with a preview of one, recent runs and studies. Its
 * dataset picker swaps the preview through `datasets/samples_fragment.tsx`.
 *
 * @module
 */

import { Hono } from "hono";
import { countTrialRuns, listRuns } from "../../db/runs.ts";
import { describeDatasets } from "../../engine/data/load.ts";
import { HomePage } from "../../views/shell/home.tsx";
import { previewSamples } from "../../views/datasets/samples.tsx";
import type { AppContext } from "../context.ts";
import { listedDataset, SAMPLE_COUNT } from "../datasets/datasets.ts";
import { studyListItems } from "../studies/study_pages.tsx";

/** How many runs (outside studies) and studies the start page lists. */
const RECENT_RUNS = 5;

export function pageRoutes(ctx: AppContext): Hono {
  const pages = new Hono();

  pages.get("/", async (c) => {
    const [device, datasets, runs, trialRuns, recentStudies] = await Promise.all([
      ctx.device(),
      describeDatasets(ctx.datasetRoots),
      listRuns(ctx.db, { limit: RECENT_RUNS, trials: "exclude" }),
      countTrialRuns(ctx.db),
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
        recentRuns={{ runs, trialRuns }}
        recentStudies={recentStudies}
      />,
    );
  });

  return pages;
}
