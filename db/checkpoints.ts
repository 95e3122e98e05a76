/**
 * Runs' checkpoints (`engine/checkpoint.ts`) in the database: the trainer replaces its run's
 * latest one as it goes, fenced by its lease like every other write (`db/jobs.ts`); a run queued
 * again after its trainer died resumes from it; "Continue training" starts a new run from a
 * finished run's last one. Every write is one statement or one batch.
 *
 * A checkpoint outlives its run only where it can be used: a completed plain run (not a study
 * trial) that trained every epoch, which can be continued. {@linkcode dropSpentCheckpoint} goes
 * in every batch that may end a run.
 *
 * @module
 */

import { and, asc, eq, type SQL, sql } from "drizzle-orm";
import { Buffer } from "node:buffer";
import type { RunConfig } from "../engine/spec.ts";
import type { EpochRecord } from "../engine/train.ts";
import type { Db } from "./client.ts";
import type { Lease } from "./jobs.ts";
import { runCheckpoints, runEpochs, runs } from "./schema.ts";
import { withWriteLock } from "./write_lock.ts";

const dbNow = sql`cast(unixepoch('subsec') * 1000 as integer)`;

/** The run's row is still this lease's (as `db/jobs.ts` judges it). */
function heldBy(lease: Lease) {
  return sql`exists (select 1 from ${runs} where ${runs.id} = ${lease.runId}
    and ${runs.owner} = ${lease.owner} and ${runs.attempt} = ${lease.attempt}
    and ${runs.status} = 'running' and ${runs.leaseExpiresAt} > ${dbNow})`;
}

/** Replaces the run's checkpoint with the one after `epoch`; false when the lease is gone. */
export async function writeCheckpoint(
  db: Db,
  lease: Lease,
  epoch: number,
  bytes: Uint8Array,
): Promise<boolean> {
  const result = await withWriteLock(() =>
    db.run(sql`insert into ${runCheckpoints} (run_id, epoch, safetensors, created_at)
      select ${lease.runId}, ${epoch}, ${toBuffer(bytes)}, ${dbNow} where ${heldBy(lease)}
      on conflict (run_id) do update set epoch = excluded.epoch,
        safetensors = excluded.safetensors, created_at = excluded.created_at`)
  );
  return result.rowsAffected > 0;
}

/** Where a claimed run goes on from: its checkpoint and the epochs it covers, or null. */
export async function resumePoint(
  db: Db,
  runId: number,
): Promise<{ checkpoint: Uint8Array; epochs: EpochRecord[] } | null> {
  const [row] = await db.select().from(runCheckpoints).where(eq(runCheckpoints.runId, runId));
  if (!row) return null;
  const epochs = await db.select({
    epoch: runEpochs.epoch,
    trainLoss: runEpochs.trainLoss,
    trainAccuracy: runEpochs.trainAccuracy,
    devLoss: runEpochs.devLoss,
    devAccuracy: runEpochs.devAccuracy,
    seconds: runEpochs.seconds,
    lr: runEpochs.lr,
  }).from(runEpochs).where(and(eq(runEpochs.runId, runId), sql`${runEpochs.epoch} <= ${row.epoch}`))
    .orderBy(asc(runEpochs.epoch));
  return { checkpoint: new Uint8Array(row.safetensors), epochs };
}

/** When run `id`'s checkpoint was saved (ms since 1970), or null: a new save differs. */
export async function checkpointSavedAt(db: Db, id: number): Promise<number | null> {
  const [row] = await db.select({ savedAt: runCheckpoints.createdAt }).from(runCheckpoints)
    .where(eq(runCheckpoints.runId, id));
  return row ? row.savedAt.getTime() : null;
}

/** Run `id`'s checkpoint with when it was saved, or null when it has none. */
export async function getCheckpoint(
  db: Db,
  id: number,
): Promise<{ bytes: Uint8Array; savedAt: number } | null> {
  const [row] = await db.select().from(runCheckpoints).where(eq(runCheckpoints.runId, id));
  return row ? { bytes: new Uint8Array(row.safetensors), savedAt: row.createdAt.getTime() } : null;
}

/** The epoch of run `id`'s checkpoint, or null when it has none. */
export async function checkpointEpoch(db: Db, id: number): Promise<number | null> {
  const [row] = await db.select({ epoch: runCheckpoints.epoch }).from(runCheckpoints)
    .where(eq(runCheckpoints.runId, id));
  return row?.epoch ?? null;
}

/**
 * Deletes run `runId`'s checkpoint once the run has ended, unless it can still be continued (a
 * completed plain run whose checkpoint is after its last planned epoch). Harmless at any time:
 * it touches nothing of a queued or running run.
 */
export function dropSpentCheckpoint(db: Db, runId: number) {
  return db.run(sql`delete from ${runCheckpoints} where run_id = ${runId} and run_id in (
    select r.id from ${runs} r where r.id = ${runId} and r.status not in ('queued', 'running')
      and not (r.status = 'completed' and r.study_id is null
        and r.epochs_planned = ${runCheckpoints}.epoch))`);
}

/**
 * Epochs of run `runId` after its checkpoint's (all of them without one): dropped when it is
 * queued again, since its next trainer starts from there. `where` guards the batch it is in.
 */
export function dropEpochsAfterCheckpoint(db: Db, runId: number, where: SQL) {
  return db.delete(runEpochs).where(and(
    eq(runEpochs.runId, runId),
    sql`${runEpochs.epoch} > coalesce((select c.epoch from ${runCheckpoints} c
      where c.run_id = ${runId}), 0)`,
    where,
  ));
}

/**
 * Queues a new run that goes on from `parent`'s last checkpoint for `config.epochs` in all, with
 * `parent`'s epochs copied so its curve starts where the parent's ended. One batch: the new run
 * appears whole, or not at all (null: the checkpoint went meanwhile). Inside the batch the new
 * row is found by a one-off token in `reserved_for`, cleared by its last statement.
 */
export async function insertContinuation(
  db: Db,
  parent: number,
  config: RunConfig,
): Promise<number | null> {
  const token = `continuing:${crypto.randomUUID()}`;
  const mine = sql`(select id from ${runs} where reserved_for = ${token})`;
  const [, , , released] = await withWriteLock(() =>
    db.batch([
      db.run(sql`insert into ${runs}
        (name, config, dataset, epochs_planned, continued_from, reserved_for)
        select ${config.name}, ${JSON.stringify(config)}, ${config.data.dataset},
          ${config.epochs}, ${parent}, ${token}
        where exists (select 1 from ${runCheckpoints} where run_id = ${parent})`),
      db.run(sql`insert into ${runEpochs}
        (run_id, epoch, train_loss, train_accuracy, dev_loss, dev_accuracy, seconds, lr, layers)
        select ${mine}, epoch, train_loss, train_accuracy, dev_loss, dev_accuracy, seconds, lr,
          layers
        from ${runEpochs} where run_id = ${parent} and ${mine} is not null
          and epoch <= (select epoch from ${runCheckpoints} where run_id = ${parent})`),
      db.run(sql`insert into ${runCheckpoints} (run_id, epoch, safetensors, created_at)
        select ${mine}, epoch, safetensors, ${dbNow} from ${runCheckpoints}
        where run_id = ${parent} and ${mine} is not null`),
      db.update(runs).set({ reservedFor: null }).where(eq(runs.reservedFor, token))
        .returning({ id: runs.id }),
    ])
  );
  return released[0]?.id ?? null;
}

function toBuffer(bytes: Uint8Array) {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
