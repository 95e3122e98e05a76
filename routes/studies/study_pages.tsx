/**
 * `/studies`: the list, one study's page, stopping a study this server works on, resuming one
 * no worker is running, renaming and deleting one (`study_admin_pages.tsx`). `/studies/new` lives in `study_form_pages.tsx`, the study page's stream
 * in `study_live.tsx`, and "Train the best" opens the new-run form (`/runs/new?study=`).
 *
 * @module
 */

import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { listStudies } from "../../db/studies.ts";
import { TrialState } from "../../tuner/frozen_trial.ts";
import { StudiesPage } from "../../views/studies/study_list_page.tsx";
import { StudyPage } from "../../views/studies/study_page.tsx";
import {
  TRIAL_SORTS,
  type TrialQuery,
  type TrialSort,
} from "../../views/studies/study_trials_table.tsx";
import type { Db } from "../../db/client.ts";
import type { StudyListItem } from "../../views/studies/study_list_page.tsx";
import type { AppContext } from "../context.ts";
import { parseRunId } from "../shell/params.ts";
import { findStudy } from "./final_run_data.ts";
import { studyAdminPages } from "./study_admin_pages.tsx";
import { loadStudyView, statusFromCounts } from "./study_view_data.ts";

const TRIAL_STATES = Object.values(TrialState) as string[];

/** `?sort=number|value&state=COMPLETE|…`, else 400 naming the bad value. */
export function readTrialQuery(query: Record<string, string>): TrialQuery {
  const sort = query.sort || "number";
  if (!(TRIAL_SORTS as readonly string[]).includes(sort)) {
    throw new HTTPException(400, {
      message: `Sort must be one of ${TRIAL_SORTS.join(", ")}, got ${JSON.stringify(sort)}`,
    });
  }
  const state = query.state || undefined;
  if (state !== undefined && !TRIAL_STATES.includes(state)) {
    throw new HTTPException(400, {
      message: `State filter must be one of ${TRIAL_STATES.join(", ")}, got ${
        JSON.stringify(state)
      }`,
    });
  }
  return { sort: sort as TrialSort, state: state as TrialState | undefined };
}

/** The 409 of a stop for a study no worker in this server works on. */
export function notActive(name: string): HTTPException {
  return new HTTPException(409, {
    message: `Study "${name}" is not running in this server: nothing to stop ` +
      `(a deno task tune worker elsewhere stops with Ctrl-C)`,
  });
}

/** Studies newest first, at most `limit`; each row's spec column holds its study file. */
export async function studyListItems(db: Db, limit?: number): Promise<StudyListItem[]> {
  const rows = await listStudies(db);
  const items = rows.map((row) => ({
    ...row,
    status: statusFromCounts({
      ...row,
      budget: (row.spec as { trials: number }).trials,
      active: row.active,
    }),
  })) as StudyListItem[];
  return limit === undefined ? items : items.slice(0, limit);
}

export function studyPageRoutes(ctx: AppContext): Hono {
  const find = (raw: string) => findStudy(ctx.db, raw);

  return new Hono()
    .get(
      "/",
      async (c) => c.html(<StudiesPage studies={await studyListItems(ctx.db)} />),
    )
    .get("/:id", async (c) => {
      const query = readTrialQuery(c.req.query());
      const id = parseRunId(c.req.param("id"), "Study id");
      const view = await loadStudyView(ctx.db, id);
      if (!view) throw new HTTPException(404, { message: `Study ${id} does not exist` });
      view.atOnce = ctx.studies.parallelOf(id);
      return c.html(<StudyPage view={view} query={query} />);
    })
    .post("/:id/resume", async (c) => {
      const study = await find(c.req.param("id"));
      await ctx.studies.start(study.spec);
      return c.redirect(`/studies/${study.id}`, 303);
    })
    .post("/:id/stop", async (c) => {
      const study = await find(c.req.param("id"));
      if (!await ctx.studies.stop(study.id)) throw notActive(study.name);
      return c.redirect(`/studies/${study.id}`, 303);
    })
    .route("/", studyAdminPages(ctx));
}
