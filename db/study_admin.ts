/**
 * Renaming and deleting a study. Neither may happen under a live worker: a study marked active
 * (servers and `deno task work` processes follow it) or with a RUNNING trial whose heartbeat has
 * not yet outlived its grace period (`tuner_storage.ts`; a `deno task tune` worker, or one still
 * stopping). Such a worker would go on writing trials under the old name, or into a study that
 * is gone; stopping it first, or waiting until its heartbeat lapses, settles that.
 *
 * Each change is one batch whose every statement holds only while the study is idle, read
 * inside the statement itself, so a worker starting meanwhile makes the whole batch write
 * nothing (see `jobs.ts` for why there are no interactive transactions). Deleting removes the
 * study's trial runs (their epochs, weights, checkpoints and predictions go by foreign-key
 * cascade), its trials (with their params and intermediate values) and the study; a final model
 * trained from it (`originStudyId`) is a run of its own and stays.
 *
 * @module
 */

import { type SQL, sql } from "drizzle-orm";
import type { Db } from "./client.ts";
import { getStudyById, getStudyByName, type StudyRow } from "./studies.ts";
import { runs, studies, trials } from "./schema.ts";
import { withWriteLock } from "./write_lock.ts";

/** A trial's grace when its row has none: the tuner storage's default (2 × 10 s heartbeats). */
const DEFAULT_GRACE_SECONDS = 20;

/** Refused because a worker is on the study; the message says which and what to do. */
export class StudyBusy extends Error {
  constructor(readonly study: StudyRow, reason: string) {
    super(reason);
    this.name = "StudyBusy";
  }
}

/** Refused because another study has that name (names are unique). */
export class StudyNameTaken extends Error {
  constructor(readonly wanted: string, readonly holder: number) {
    super(`Study name ${JSON.stringify(wanted)} is taken by study #${holder}; choose another`);
    this.name = "StudyNameTaken";
  }
}

export interface AdminOptions {
  /** Milliseconds on the clock heartbeats are judged by; `Date.now()` unless a test says. */
  now?: number;
}

/** True while study `id` has no live worker, evaluated inside the statement it guards. */
function idle(id: number, now: number): SQL {
  return sql`not exists (select 1 from ${studies} s where s.id = ${id} and s.active)
    and not exists (select 1 from ${trials} t where t.study_id = ${id} and t.state = 'RUNNING'
      and t.heartbeat_at >= ${now} - coalesce(t.grace_seconds, ${DEFAULT_GRACE_SECONDS}) * 1000)`;
}

/** Why study `study` cannot be renamed or deleted now, or null when no worker is on it. */
export async function liveWorkerReason(
  db: Db,
  study: StudyRow,
  now = Date.now(),
): Promise<string | null> {
  const what = `Study ${JSON.stringify(study.name)}`;
  if (study.active) return `${what} is running; stop it first`;
  const [live] = await db.select({
    number: trials.number,
    worker: trials.worker,
    heartbeatAt: trials.heartbeatAt,
    graceSeconds: trials.graceSeconds,
  }).from(trials).where(sql`${trials.studyId} = ${study.id} and ${trials.state} = 'RUNNING'
    and ${trials.heartbeatAt} >= ${now} - coalesce(${trials.graceSeconds},
      ${DEFAULT_GRACE_SECONDS}) * 1000`).limit(1);
  if (!live) return null;
  const ago = Math.max(0, Math.round((now - live.heartbeatAt!.getTime()) / 1000));
  const grace = live.graceSeconds ?? DEFAULT_GRACE_SECONDS;
  return `${what} has a live worker: trial #${live.number} is running on ` +
    `${live.worker ?? "a worker"} (last heartbeat ${ago} s ago); stop that worker, or wait ` +
    `until it has been silent for ${grace} s`;
}

/**
 * Renames study `id` (its trial runs' names follow, "<name> #<trial>"), or undefined when there
 * is no such study. Throws {@linkcode StudyNameTaken} or {@linkcode StudyBusy}.
 */
export async function renameStudy(
  db: Db,
  id: number,
  name: string,
  options: AdminOptions = {},
): Promise<StudyRow | undefined> {
  const study = await getStudyById(db, id);
  if (!study || study.name === name) return study;
  const holder = await getStudyByName(db, name);
  if (holder) throw new StudyNameTaken(name, holder.id);
  const now = options.now ?? Date.now();
  const oldName = sql`(select s.name from ${studies} s where s.id = ${id})`;
  let renamed: { id: number }[];
  try {
    [, renamed] = await withWriteLock(() =>
      db.batch([
        db.update(runs).set({ name: sql`${name} || ' #' || ${runs.trialNumber}` })
          .where(sql`${runs.studyId} = ${id} and ${runs.name} = ${oldName} || ' #' ||
            ${runs.trialNumber} and ${idle(id, now)}`),
        db.update(studies).set({ name, spec: sql`json_set(${studies.spec}, '$.name', ${name})` })
          .where(sql`${studies.id} = ${id} and ${idle(id, now)}`).returning({ id: studies.id }),
      ])
    );
  } catch (error) {
    // Another study took the name between the check and the batch.
    const taken = await getStudyByName(db, name);
    if (taken && taken.id !== id) throw new StudyNameTaken(name, taken.id);
    throw error;
  }
  return await settled(db, id, renamed.length > 0, now);
}

/** What a delete removed. */
export interface DeletedStudy {
  study: StudyRow;
  trials: number;
  runs: number;
}

/**
 * Deletes study `id` with its trials and their runs, all or nothing; undefined when there is no
 * such study. Throws {@linkcode StudyBusy} while a worker is on it.
 */
export async function deleteStudy(
  db: Db,
  id: number,
  options: AdminOptions = {},
): Promise<DeletedStudy | undefined> {
  const study = await getStudyById(db, id);
  if (!study) return undefined;
  const now = options.now ?? Date.now();
  const [deletedRuns, deletedTrials, deleted] = await withWriteLock(() =>
    db.batch([
      db.delete(runs).where(sql`${runs.studyId} = ${id} and ${idle(id, now)}`)
        .returning({ id: runs.id }),
      db.delete(trials).where(sql`${trials.studyId} = ${id} and ${idle(id, now)}`)
        .returning({ id: trials.id }),
      db.delete(studies).where(sql`${studies.id} = ${id} and ${idle(id, now)}`)
        .returning({ id: studies.id }),
    ])
  );
  if (deleted.length === 0 && await settled(db, id, false, now) === undefined) return undefined;
  return { study, trials: deletedTrials.length, runs: deletedRuns.length };
}

/** The study after a guarded write: as written, gone, or why the write was refused. */
async function settled(
  db: Db,
  id: number,
  written: boolean,
  now: number,
): Promise<StudyRow | undefined> {
  const study = await getStudyById(db, id);
  if (written || !study) return study;
  const reason = await liveWorkerReason(db, study, now) ??
    `Study ${JSON.stringify(study.name)} gained a worker meanwhile; try again`;
  throw new StudyBusy(study, reason);
}
