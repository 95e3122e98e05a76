/**
 * The conditions the libSQL storage's trial writes hold on (`tuner_storage.ts` and the modules it
 * delegates to), and the error a write that changed nothing throws. Every write is one conditional
 * statement or batch: these say "while the trial may still change" and "the study's next number"
 * inside the statement itself.
 *
 * @module
 */

import { and, eq, inArray, type SQL, sql } from "drizzle-orm";
import type { Db } from "./client.ts";
import { type TrialRow, unfinishedTrial } from "./trial_rows.ts";
import { trials } from "./schema.ts";

/** The trial `trialId` while it may still change (RUNNING or WAITING). */
export function whileOpen(trialId: number) {
  return and(eq(trials.id, trialId), inArray(trials.state, ["RUNNING", "WAITING"]))!;
}

/** The trial `trialId` while it may still change, for `where exists (…)`. */
export function unfinishedRow(trialId: number) {
  return sql`select 1 from ${trials} where ${whileOpen(trialId)}`;
}

/**
 * Why a write conditioned on the trial `trialId` changed nothing: {@linkcode unfinishedTrial}
 * throws when it is gone or finished; otherwise `unchanged` says what else stopped it.
 */
export async function refusal(
  db: Db,
  trialId: number,
  unchanged = (trial: TrialRow) => `Trial ${trial.number} is ${trial.state} and did not change`,
): Promise<Error> {
  return new Error(unchanged(await unfinishedTrial(db, trialId)));
}

/** The next trial number of the study whose id `studyId` gives, as a scalar subquery. */
export function nextNumber(studyId: SQL | typeof trials.studyId) {
  return sql`(select coalesce(max(n.number), -1) + 1 from ${trials} n where n.study_id = ${studyId})`;
}
