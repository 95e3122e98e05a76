/**
 * Queueing a trial's params again in the libSQL storage (`tuner_storage.ts`): by its own worker
 * (`requeueTrial`), and by the sweep that fails RUNNING trials whose worker went silent
 * (`failStaleTrials`, as Optuna's RDBStorage with heartbeats) — completing one instead when its
 * run had completed. Each trial is settled by one statement or batch.
 *
 * @module
 */

import { and, eq, inArray, type SQL, sql } from "drizzle-orm";
import type { FrozenTrial } from "../tuner/frozen_trial.ts";
import type { Db } from "./client.ts";
import { withWriteLock } from "./write_lock.ts";
import { nextNumber, refusal, whileOpen } from "./trial_conditions.ts";
import {
  completedRunValue,
  readTrial,
  retryHistory,
  trialRunId,
  unfinishedTrial,
} from "./trial_rows.ts";
import { runs, trials } from "./schema.ts";

/** When a sweep runs, and the grace period of trials that recorded none of their own. */
export interface Sweep {
  now: Date;
  gracePeriodSeconds: number;
}

/**
 * Queues an unfinished trial's params again as a new WAITING trial and marks the trial
 * `requeued_as` it, in one batch, so a crash cannot leave the retry without its mark (which
 * would count both against the budget). The mark takes the study's next number; the retry is
 * inserted under it only if the mark was written (`changes()`). The params are read before:
 * only the trial's own worker sets them, and that is who re-queues it. Returns the new number.
 */
export async function requeueTrial(db: Db, trialId: number): Promise<number> {
  await unfinishedTrial(db, trialId);
  const trial = await readTrial(db, trialId);
  const next = nextNumber(trials.studyId);
  const [, queued] = await withWriteLock(() =>
    db.batch([
      db.update(trials).set({
        systemAttrs: sql`json_set(${trials.systemAttrs}, '$.requeued_as', ${next})`,
      }).where(whileOpen(trialId)),
      db.run(sql`
        insert into ${trials} (study_id, number, state, system_attrs)
        select ${trials.studyId}, json_extract(${trials.systemAttrs}, '$.requeued_as'), 'WAITING',
          ${JSON.stringify(retryAttrs(trial))}
        from ${trials} where ${trials.id} = ${trialId} and changes() = 1
        returning number`),
    ])
  );
  const [retry] = queued.rows;
  if (!retry) throw await refusal(db, trialId);
  return Number(retry.number);
}

/**
 * Fails RUNNING trials — of study `studyId`, or of every study — whose worker was silent for
 * longer than its grace period, and re-queues their params. A trial whose run had completed
 * (its worker died before recording it) is completed instead, with the study's metric at the
 * run's last epoch. A read finds them first, so a sweep with nothing to do writes nothing; each
 * trial is then settled by one statement or batch that holds only while it is still silent, so
 * two sweepers never settle it twice.
 */
export async function failStaleTrials(
  db: Db,
  sweep: Sweep,
  studyId?: number,
): Promise<FrozenTrial[]> {
  const { now, gracePeriodSeconds } = sweep;
  const silent = and(
    studyId === undefined ? undefined : eq(trials.studyId, studyId),
    eq(trials.state, "RUNNING"),
    sql`${trials.heartbeatAt} < ${now.getTime()} - coalesce(${trials.graceSeconds}, ${gracePeriodSeconds}) * 1000`,
  )!;
  const stale = await db.select({ id: trials.id, studyId: trials.studyId }).from(trials)
    .where(silent);
  const failed: FrozenTrial[] = [];
  for (const { id, studyId } of stale) {
    const stillSilent = and(eq(trials.id, id), silent)!;
    const trial = await readTrial(db, id);
    // Its worker died after the run completed but before it recorded the trial: the result is
    // there, in the run, and is kept rather than trained again.
    const runId = await trialRunId(db, studyId, trial.number, trial.userAttrs.runId);
    const value = await completedRunValue(db, studyId, runId);
    if (value !== null) {
      await withWriteLock(() =>
        db.update(trials).set({
          state: "COMPLETE",
          value,
          datetimeComplete: now,
          systemAttrs: sql`json_set(${trials.systemAttrs}, '$.completed_from_run', ${runId})`,
        }).where(stillSilent)
      );
      continue;
    }
    if (await failAndRequeue(db, trial, stillSilent, runId, sweep)) {
      failed.push(await readTrial(db, id));
    }
  }
  return failed;
}

/**
 * Fails a silent trial, re-queues its params, and interrupts its run, in one batch; false when
 * the trial was no longer `stillSilent`. The retry is inserted first, under the study's next
 * number, unless the trial was already re-queued (by its worker, stopped and then gone before
 * failing it); the failure then records the retry's number either way.
 */
async function failAndRequeue(
  db: Db,
  trial: FrozenTrial,
  stillSilent: SQL,
  runId: number | null,
  { now, gracePeriodSeconds }: Sweep,
): Promise<boolean> {
  const grace = (trial.systemAttrs.grace_seconds as number | undefined) ?? gracePeriodSeconds;
  const reason = `Worker ${trial.systemAttrs.worker ?? "(unknown)"} sent no heartbeat for ` +
    `${grace} s; re-queued as trial `;
  // After the insert, a retry made here is the study's newest trial.
  const requeuedAs = sql`coalesce(json_extract(${trials.systemAttrs}, '$.requeued_as'),
    (select max(n.number) from ${trials} n where n.study_id = ${trials.studyId}))`;
  const retry = db.run(sql`
    insert into ${trials} (study_id, number, state, system_attrs)
    select ${trials.studyId}, ${nextNumber(trials.studyId)}, 'WAITING',
      ${JSON.stringify(retryAttrs(trial))}
    from ${trials}
    where ${stillSilent} and json_extract(${trials.systemAttrs}, '$.requeued_as') is null`);
  const fail = db.update(trials).set({
    state: "FAIL",
    datetimeComplete: now,
    systemAttrs: sql`json_set(${trials.systemAttrs},
      '$.fail_reason', ${reason} || ${requeuedAs}, '$.requeued_as', ${requeuedAs})`,
  }).where(stillSilent).returning({ id: trials.id });
  // The dead worker's run can't finish either (queued too: reserved for that worker); it is
  // interrupted only if the failure was written just before (`changes()`).
  const interrupt = runId === null ? [] : [
    db.update(runs).set({
      status: "interrupted",
      error: sql`(select json_extract(f.system_attrs, '$.fail_reason') from ${trials} f
        where f.id = ${trial.id})`,
      finishedAt: now,
    }).where(and(
      eq(runs.id, runId),
      inArray(runs.status, ["queued", "running"]),
      sql`changes() = 1`,
    )),
  ];
  const [, failed] = await withWriteLock(() => db.batch([retry, fail, ...interrupt]));
  return failed.length > 0;
}

/** A new WAITING trial's system attributes: `trial`'s params, fixed, and where they came from. */
function retryAttrs(trial: FrozenTrial) {
  return {
    fixed_params: { ...trial.params },
    retry_of: trial.number,
    retry_history: retryHistory(trial),
  };
}
