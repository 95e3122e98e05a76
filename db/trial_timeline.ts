/**
 * When and where a study's trials ran, for the study page's timeline: the start and end the
 * storage keeps, and the worker that claimed each trial.
 *
 * @module
 */

import { asc, eq } from "drizzle-orm";
import type { TimelineTrial } from "../views/studies/study_plots/timeline_plot.ts";
import type { Db } from "./client.ts";
import { trials } from "./schema.ts";

/** The study's started trials by number; a trial not started yet has no place in time. */
export async function trialTimeline(db: Db, studyId: number): Promise<TimelineTrial[]> {
  const rows = await db.select({
    number: trials.number,
    state: trials.state,
    worker: trials.worker,
    start: trials.datetimeStart,
    end: trials.datetimeComplete,
    runId: trials.runId,
  }).from(trials).where(eq(trials.studyId, studyId)).orderBy(asc(trials.number));
  return rows.flatMap((row) =>
    row.start ? [{ ...row, start: row.start.getTime(), end: row.end?.getTime() ?? null }] : []
  );
}
