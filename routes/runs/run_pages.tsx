/**
 * `/runs`: the list, the comparison, one run's page and its cancel button. `/runs/new` lives in
 * `run_form_pages.tsx` and the run page's stream in `run_live.tsx`.
 *
 * @module
 */

import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import {
  getRun,
  listRuns,
  RUN_STATUSES,
  type RunStatus,
  type RunWithEpochs,
} from "../../db/runs.ts";
import { ComparePage } from "../../views/runs/compare_page.tsx";
import { RunPage } from "../../views/runs/run_page.tsx";
import {
  type CompareProblem,
  type RunFilterValues,
  RunsPage,
} from "../../views/runs/runs_page.tsx";
import { BUILT_IN_DATASETS } from "../../config/schema.ts";
import type { AppContext } from "../context.ts";
import { parseRunId } from "../shell/params.ts";
import { loadRunView } from "./run_view_data.ts";

/** More runs than this side by side are unreadable. */
const MAX_COMPARED = 8;

function readFilter(query: Record<string, string>): RunFilterValues {
  const status = query.status || undefined;
  if (status !== undefined && !(RUN_STATUSES as readonly string[]).includes(status)) {
    throw new HTTPException(400, {
      message: `Status filter must be one of ${RUN_STATUSES.join(", ")}, got ${
        JSON.stringify(status)
      }`,
    });
  }
  return {
    status: status as RunStatus | undefined,
    dataset: query.dataset || undefined,
    sort: query.sort === "devAccuracy" ? "devAccuracy" : "created",
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
    const [runs, all] = await Promise.all([
      listRuns(ctx.db, filter),
      listRuns(ctx.db, { limit: 1000 }),
    ]);
    const datasets = [...new Set([...BUILT_IN_DATASETS, ...all.map((run) => run.dataset)])];
    return <RunsPage runs={runs} filter={filter} datasets={datasets} compare={compare} />;
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
        return c.html(await runsPage({ sort: "created" }, { ticked: ids, message }), 422);
      }
      const runs: RunWithEpochs[] = [];
      for (const id of ids) {
        const run = await getRun(ctx.db, id);
        if (!run) throw new HTTPException(404, { message: `Run ${id} does not exist` });
        runs.push(run);
      }
      return c.html(<ComparePage runs={runs} />);
    })
    .get("/:id", async (c) => {
      const id = parseRunId(c.req.param("id"));
      const view = await loadRunView(ctx.db, ctx.datasetRoots, id);
      if (!view) throw new HTTPException(404, { message: `Run ${id} does not exist` });
      return c.html(<RunPage view={view} />);
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
    });
}
