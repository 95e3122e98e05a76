/**
 * `/runs`: the list, the comparison, one run's page and its cancel button. `/runs/new` lives in
 * `run_form_pages.tsx` and the run page's stream in `run_live.tsx`.
 *
 * @module
 */

import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import {
  countRuns,
  getRun,
  listRuns,
  runDatasets,
  type RunFilter,
  type RunWithEpochs,
} from "../../db/runs.ts";
import { ComparePage } from "../../views/runs/compare_page.tsx";
import { RunPage } from "../../views/runs/run_page.tsx";
import {
  type CompareProblem,
  DEFAULT_RUN_FILTER,
  type RunFilterValues,
  RUNS_PAGE_SIZE,
  RunsPage,
} from "../../views/runs/runs_page.tsx";
import { BUILT_IN_DATASETS } from "../../config/schema.ts";
import type { AppContext } from "../context.ts";
import { readFormFields } from "../shell/form_body.ts";
import { parseRunId } from "../shell/params.ts";
import { queryInteger, queryStatus, queryTrials } from "./run_query.ts";
import { continueRun } from "./continue_run.ts";
import { loadRunView } from "./run_view_data.ts";
import { lessonOf } from "../lessons/launch_lesson.ts";
import { runNetworkRoutes } from "./run_network_pages.tsx";
import { runLayerStatsRoutes } from "./layer_stats_pages.tsx";

/** More runs than this side by side are unreadable. */
const MAX_COMPARED = 8;
/** Pages the list may be asked for: 50 million runs, and an offset the database takes whole. */
const MAX_PAGE = 1_000_000;

/** The list's filters and page, as its address holds them (see `runsHref`). */
function readFilter(query: Record<string, string>): RunFilterValues {
  return {
    status: queryStatus(query.status),
    dataset: query.dataset || undefined,
    sort: query.sort === "devAccuracy" ? "devAccuracy" : "created",
    trials: queryTrials(query.trials, "exclude"),
    page: queryInteger(query.page || undefined, "Page", 1, MAX_PAGE, 1),
  };
}

/** `ids=1,2,3` or `ids=1&ids=2` (what the list's check boxes send), in the given order. */
function readIds(raw: string[]): number[] {
  const ids = raw.flatMap((value) => value.split(",")).map((part) => part.trim()).filter(Boolean)
    .map((part) => parseRunId(part));
  return [...new Set(ids)];
}

export function runPageRoutes(ctx: AppContext): Hono {
  const runsPage = async (filter: RunFilterValues, compare?: CompareProblem) => {
    const matching: RunFilter = {
      status: filter.status,
      dataset: filter.dataset,
      trials: filter.trials,
    };
    const [runs, total, hiddenTrialRuns, used] = await Promise.all([
      listRuns(ctx.db, {
        ...matching,
        sort: filter.sort,
        limit: RUNS_PAGE_SIZE,
        offset: (filter.page - 1) * RUNS_PAGE_SIZE,
      }),
      countRuns(ctx.db, matching),
      filter.trials === "exclude" ? countRuns(ctx.db, { ...matching, trials: "only" }) : 0,
      runDatasets(ctx.db),
    ]);
    const datasets = [...new Set([...BUILT_IN_DATASETS, ...used])];
    return (
      <RunsPage
        runs={runs}
        filter={filter}
        total={total}
        hiddenTrialRuns={hiddenTrialRuns}
        datasets={datasets}
        compare={compare}
      />
    );
  };

  return new Hono()
    .get("/", async (c) => c.html(await runsPage(readFilter(c.req.query()))))
    .get("/compare", async (c) => {
      const ids = readIds(c.req.queries("ids") ?? []);
      if (ids.length < 2 || ids.length > MAX_COMPARED) {
        // The list again, ticks kept, with the reason beside the button.
        const message = ids.length < 2
          ? "Pick at least two runs to compare."
          : `Pick at most ${MAX_COMPARED} runs to compare (${ids.length} are ticked).`;
        return c.html(await runsPage(DEFAULT_RUN_FILTER, { ticked: ids, message }), 422);
      }
      const runs: RunWithEpochs[] = [];
      for (const id of ids) {
        const run = await getRun(ctx.db, id);
        if (!run) throw new HTTPException(404, { message: `Run ${id} does not exist` });
        runs.push(run);
      }
      const lesson = c.req.query("lesson");
      return c.html(<ComparePage runs={runs} lesson={lesson ? lessonOf(lesson) : undefined} />);
    })
    .get("/:id", async (c) => {
      const id = parseRunId(c.req.param("id"));
      const view = await loadRunView(ctx.db, ctx.datasetRoots, id);
      if (!view) throw new HTTPException(404, { message: `Run ${id} does not exist` });
      return c.html(<RunPage view={view} />);
    })
    .post("/:id/continue", async (c) => {
      const id = parseRunId(c.req.param("id"));
      const fields = await readFormFields(c);
      const text = (fields.epochs ?? "").trim();
      const outcome = await continueRun(ctx, id, /^\d+$/.test(text) ? Number(text) : text);
      if (!outcome.ok) {
        throw new HTTPException(outcome.status, {
          message: outcome.issues.map((issue) => issue.message).join("; "),
        });
      }
      return c.redirect(`/runs/${outcome.id}`, 303);
    })
    .post("/:id/cancel", async (c) => {
      const id = parseRunId(c.req.param("id"));
      const outcome = await ctx.service.cancel(id);
      if (outcome === "not_found") {
        throw new HTTPException(404, { message: `Run ${id} does not exist` });
      }
      // htmx swaps this in place of the button; the stream then brings the new status.
      if (c.req.header("HX-Request")) {
        return c.html(
          <p id="cancel-run" class="muted">
            {outcome === "already_final" ? "Already ended." : "Cancelling…"}
          </p>,
        );
      }
      return c.redirect(`/runs/${id}`, 303);
    })
    .route("/", runNetworkRoutes(ctx))
    .route("/", runLayerStatsRoutes(ctx));
}
