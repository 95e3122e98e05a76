/**
 * Runs as leased jobs. A queued run trains only once a process has claimed it, by a conditional
 * write: queued → running, with an owner, the next attempt number and a lease expiry. The owner
 * renews the lease while it trains; liveness is the lease alone, judged by the database's clock,
 * so it reads the same from every host. Each write of the training process (its start, epochs,
 * final state, weights) is fenced by its {@linkcode Lease}: it lands only while that owner's
 * attempt still holds an unexpired lease, so a process that outlived it (frozen, partitioned,
 * presumed dead) changes nothing.
 *
 * A lease that expired is settled by whichever process sees it first, once ({@linkcode reapExpired}):
 * a run is queued again after its first trainer died (its next trainer resumes from its last
 * checkpoint, `db/checkpoints.ts`), failed after its second (it never crash-loops a worker), and
 * a study trial's run is interrupted (its trial is re-queued by the study, see
 * `tuner_storage.ts`).
 *
 * No write here holds a transaction open across round trips: each is one conditional statement,
 * or a batch the database runs whole. A worker frozen between two statements of an interactive
 * transaction would hold the write lock — sqld's for 5 s, a SQLite file's until it wakes — and
 * stall every other worker's lease renewals with it.
 *
 * @module
 */

import { and, asc, eq, inArray, isNull, or, type SQL, sql } from "drizzle-orm";
import { Buffer } from "node:buffer";
import type { RunConfig } from "../engine/spec.ts";
import type { DeviceRecord, EpochRecord, RunResult } from "../engine/train.ts";
import type { Db } from "./client.ts";
import { dropEpochsAfterCheckpoint, dropSpentCheckpoint } from "./checkpoints.ts";
import { runCheckpoints, runEpochs, runPredictions, runs, runWeights } from "./schema.ts";
import { withWriteLock } from "./write_lock.ts";

/** Which claim of which run a training process holds. */
export interface Lease {
  runId: number;
  owner: string;
  attempt: number;
}

/** A claimed run: its lease and what to train. */
export interface Claim {
  lease: Lease;
  config: RunConfig;
  trial: { studyId: number; trialNumber: number } | null;
}

/** Claims after which a run whose trainer died is failed rather than queued again. */
export const MAX_ATTEMPTS = 2;

/** Now, in milliseconds, on the database's clock (one clock for every host of a sqld server). */
const dbNow = sql`cast(unixepoch('subsec') * 1000 as integer)`;

const expiresIn = (leaseMs: number) => sql`${dbNow} + ${Math.round(leaseMs)}`;

/** The run's row is still this lease's: same owner and attempt, running, lease unexpired. */
function held(lease: Lease): SQL {
  return and(
    eq(runs.id, lease.runId),
    eq(runs.owner, lease.owner),
    eq(runs.attempt, lease.attempt),
    eq(runs.status, "running"),
    sql`${runs.leaseExpiresAt} > ${dbNow}`,
  )!;
}

/**
 * Claims the oldest queued run that `owner` may train — any run nobody reserved, and runs reserved
 * for it (its study trials) — or `runId` only, when given. Null when there is none. One
 * statement: two processes claiming at once take different runs.
 */
export async function claimRun(
  db: Db,
  owner: string,
  leaseMs: number,
  options: { runId?: number; reservedOnly?: boolean } = {},
): Promise<Claim | null> {
  const claimable = and(
    eq(runs.status, "queued"),
    options.reservedOnly
      ? eq(runs.reservedFor, owner)
      : or(isNull(runs.reservedFor), eq(runs.reservedFor, owner)),
    options.runId === undefined ? undefined : eq(runs.id, options.runId),
  );
  const oldest = db.select({ id: runs.id }).from(runs).where(claimable).orderBy(asc(runs.id))
    .limit(1);
  // Every process polls the queue: a read first, so an empty queue costs no write lock.
  if ((await oldest).length === 0) return null;
  const [row] = await withWriteLock(() =>
    db.update(runs).set({
      status: "running",
      owner,
      attempt: sql`${runs.attempt} + 1`,
      leaseExpiresAt: expiresIn(leaseMs),
      heartbeatAt: dbNow,
      startedAt: dbNow,
      cancelRequested: false,
      // A note from an earlier claim ("Queued again: …") no longer applies; the column then
      // holds only a cancel's reason until the run ends.
      error: null,
    }).where(and(inArray(runs.id, oldest), eq(runs.status, "queued"))).returning()
  );
  if (!row) return null;
  return {
    lease: { runId: row.id, owner, attempt: row.attempt },
    config: row.config as RunConfig,
    trial: row.studyId === null ? null : { studyId: row.studyId, trialNumber: row.trialNumber! },
  };
}

/** What renewing a lease found. */
export type Renewal = "held" | "lost" | "cancel";

function renewal(rows: { cancelRequested: boolean }[]): Renewal {
  return rows.length === 0 ? "lost" : rows[0].cancelRequested ? "cancel" : "held";
}

/** Extends the lease by `leaseMs` while it holds, telling whether a cancel waits. */
function renewOne(db: Db, lease: Lease, leaseMs: number) {
  return db.update(runs).set({ leaseExpiresAt: expiresIn(leaseMs), heartbeatAt: dbNow })
    .where(held(lease)).returning({ cancelRequested: runs.cancelRequested });
}

/**
 * Extends each lease by `leaseMs` (the owner's heartbeat). A lease that no longer holds is
 * `lost`: its process must stop training and write nothing more. `cancel` means someone asked,
 * from another process, for the run to stop.
 */
export async function renewLeases(
  db: Db,
  leases: Lease[],
  leaseMs: number,
): Promise<Map<number, Renewal>> {
  const renewals = new Map<number, Renewal>();
  for (const lease of leases) {
    renewals.set(lease.runId, renewal(await withWriteLock(() => renewOne(db, lease, leaseMs))));
  }
  return renewals;
}

/** Records the device a claimed run trains on; false when the lease no longer holds. */
export async function markStarted(db: Db, lease: Lease, device: DeviceRecord): Promise<boolean> {
  const rows = await withWriteLock(() =>
    db.update(runs).set({ device, startedAt: dbNow }).where(held(lease))
      .returning({ id: runs.id })
  );
  return rows.length > 0;
}

/**
 * Stores an epoch and renews the lease, in one batch: `lost` (nothing stored) once the lease no
 * longer holds; `cancel` (stored) when a cancel waits from another process. The epoch goes in
 * only if the renewal just before it changed the run (`changes()`), not on a second reading of
 * the clock, which may have moved past a short lease in between.
 */
export async function writeEpoch(
  db: Db,
  lease: Lease,
  record: EpochRecord,
  leaseMs: number,
): Promise<Renewal> {
  const { epoch, trainLoss, trainAccuracy, devLoss, devAccuracy, seconds, lr, layers } = record;
  const [renewed] = await withWriteLock(() =>
    db.batch([
      renewOne(db, lease, leaseMs),
      db.run(sql`insert into ${runEpochs}
        (run_id, epoch, train_loss, train_accuracy, dev_loss, dev_accuracy, seconds, lr, layers)
        select ${lease.runId}, ${epoch}, ${trainLoss}, ${trainAccuracy}, ${devLoss},
          ${devAccuracy}, ${seconds}, ${lr ?? null}, ${layers ? JSON.stringify(layers) : null}
        where changes() = 1`),
    ])
  );
  return renewal(renewed);
}

/**
 * Why a claimed run was stopped before its end: a user's (or a study's Stop) `cancelled`, a
 * study's pruner `pruned`; `reason` is stored as its error.
 */
export interface Stop {
  status: "cancelled" | "pruned";
  reason: string | null;
}

/**
 * Writes a run's end — status, test metrics, weights and predictions — in one batch, if the
 * lease still holds; false (nothing written) otherwise. A run that was `stopped` ends with the
 * stop's status and reason, whatever its engine reported.
 */
export async function finishJob(
  db: Db,
  lease: Lease,
  result: RunResult,
  weights: Uint8Array | null,
  stopped?: Stop | null,
): Promise<boolean> {
  const ended = db.update(runs).set({
    status: stopped?.status ?? result.status,
    device: result.device,
    test: result.test ?? null,
    divergedAt: result.divergedAt ?? null,
    earlyStop: result.earlyStop ?? null,
    error: stopped?.reason ?? result.divergedAt?.message ?? null,
    finishedAt: dbNow,
    leaseExpiresAt: null,
  }).where(held(lease)).returning({ id: runs.id });
  // Each blob goes in only if the statement before it changed a row: the end first, which holds
  // only under the lease, so a lost lease writes none of them.
  const blobs: ReturnType<typeof db.run>[] = [];
  if (weights) {
    blobs.push(db.run(sql`insert or replace into ${runWeights} (run_id, safetensors)
      select ${lease.runId}, ${toBuffer(weights)} where changes() = 1`));
  }
  if (result.predictions) {
    const { predicted, confidence } = result.predictions;
    const confidenceBytes = new Uint8Array(
      confidence.buffer,
      confidence.byteOffset,
      confidence.byteLength,
    );
    blobs.push(db.run(sql`insert or replace into ${runPredictions} (run_id, predicted, confidence)
      select ${lease.runId}, ${toBuffer(predicted)}, ${toBuffer(confidenceBytes)}
      where changes() = 1`));
  }
  const [rows] = await withWriteLock(() =>
    db.batch([ended, ...blobs, dropSpentCheckpoint(db, lease.runId)])
  );
  return rows.length > 0;
}

/** Ends a claimed run as failed or stopped, with `error`; false when the lease is gone. */
export async function endJob(
  db: Db,
  lease: Lease,
  status: "failed" | Stop["status"],
  error: string | null,
): Promise<boolean> {
  const [rows] = await withWriteLock(() =>
    db.batch([
      db.update(runs).set({ status, error, finishedAt: dbNow, leaseExpiresAt: null })
        .where(held(lease)).returning({ id: runs.id }),
      dropSpentCheckpoint(db, lease.runId),
    ])
  );
  return rows.length > 0;
}

/**
 * Gives a claimed run back to the queue (its process is shutting down): its epochs after its
 * checkpoint are dropped, since the next claim resumes from there (or trains it from the start,
 * without one), and the claim does not count as a death.
 */
export async function releaseJob(db: Db, lease: Lease, note: string): Promise<boolean> {
  const [, released] = await withWriteLock(() =>
    db.batch([
      dropEpochsAfterCheckpoint(
        db,
        lease.runId,
        sql`exists (select 1 from ${runs} where ${held(lease)})`,
      ),
      db.update(runs).set({
        status: "queued",
        owner: null,
        attempt: sql`${runs.attempt} - 1`,
        leaseExpiresAt: null,
        startedAt: null,
        device: null,
        error: note,
      }).where(held(lease)).returning({ id: runs.id }),
    ])
  );
  return released.length > 0;
}

export type CancelRequest = "cancelled" | "requested" | "not_found" | "already_final";

/**
 * Cancels a run that no process of this caller trains: a queued one ends `cancelled` at once; a
 * running one is flagged, and its owner stops it at its next epoch or heartbeat. The first
 * reason given stands.
 */
export async function requestCancel(
  db: Db,
  id: number,
  reason: string | null,
): Promise<CancelRequest> {
  const [cancelled, flagged] = await withWriteLock(() =>
    db.batch([
      db.update(runs).set({ status: "cancelled", error: reason, finishedAt: dbNow })
        .where(and(eq(runs.id, id), eq(runs.status, "queued"))).returning({ id: runs.id }),
      db.update(runs)
        .set({ cancelRequested: true, error: sql`coalesce(${runs.error}, ${reason})` })
        .where(and(eq(runs.id, id), eq(runs.status, "running"))).returning({ id: runs.id }),
      dropSpentCheckpoint(db, id),
    ])
  );
  if (cancelled.length > 0) return "cancelled";
  if (flagged.length > 0) return "requested";
  const [row] = await db.select({ id: runs.id }).from(runs).where(eq(runs.id, id));
  return row ? "already_final" : "not_found";
}

/** What {@linkcode reapExpired} did to runs whose lease expired. */
export interface Reaped {
  requeued: number[];
  failed: number[];
  interrupted: number[];
}

/**
 * Settles runs whose lease expired, each exactly once whoever calls it: a run trained once is
 * queued again (from its checkpoint: later epochs are dropped), one whose trainer died
 * {@linkcode MAX_ATTEMPTS} times is failed, and a study trial's run is interrupted (its trial is
 * failed and re-queued by the study's heartbeat sweep). A read finds them first, so a sweep with
 * nothing to do writes nothing; each settlement is one batch conditioned on the lease still
 * being the expired one, so two sweepers never settle a run twice.
 */
export async function reapExpired(db: Db): Promise<Reaped> {
  const reaped: Reaped = { requeued: [], failed: [], interrupted: [] };
  const expired = await db.select({
    id: runs.id,
    attempt: runs.attempt,
    owner: runs.owner,
    studyId: runs.studyId,
    lastEpoch: sql<
      number
    >`(select coalesce(max(e.epoch), 0) from run_epochs e where e.run_id = "runs"."id")`,
    checkpointEpoch: sql<number | null>`(select c.epoch from ${runCheckpoints} c
      where c.run_id = "runs"."id")`,
  }).from(runs).where(and(eq(runs.status, "running"), sql`${runs.leaseExpiresAt} <= ${dbNow}`));
  for (const run of expired) {
    const stillExpired = and(
      eq(runs.id, run.id),
      eq(runs.status, "running"),
      eq(runs.attempt, run.attempt),
      sql`${runs.leaseExpiresAt} <= ${dbNow}`,
    );
    const at = run.lastEpoch > 0 ? `after epoch ${run.lastEpoch}` : "before its first epoch";
    const who = `its process (${run.owner ?? "unknown"})`;
    const final = async (status: "failed" | "interrupted", error: string) => {
      const [rows] = await withWriteLock(() =>
        db.batch([
          db.update(runs).set({ status, error, finishedAt: dbNow, leaseExpiresAt: null })
            .where(stillExpired).returning({ id: runs.id }),
          dropSpentCheckpoint(db, run.id),
        ])
      );
      return rows;
    };
    if (run.studyId !== null) {
      const rows = await final(
        "interrupted",
        `${who} stopped renewing its lease ${at}; the study queues the trial again`,
      );
      if (rows.length) reaped.interrupted.push(run.id);
    } else if (run.attempt >= MAX_ATTEMPTS) {
      const rows = await final(
        "failed",
        `The process died ${run.attempt} times while training this run, last ${at} ` +
          `(${run.owner ?? "unknown"}); it is not tried again`,
      );
      if (rows.length) reaped.failed.push(run.id);
    } else {
      const from = run.checkpointEpoch === null
        ? "it starts again from the first epoch"
        : `it resumes from its checkpoint after epoch ${run.checkpointEpoch}`;
      const [, requeued] = await withWriteLock(() =>
        db.batch([
          dropEpochsAfterCheckpoint(
            db,
            run.id,
            sql`exists (select 1 from ${runs} where ${stillExpired})`,
          ),
          // A run reserved for the process that died (`deno task train --db`, `tune
          // --train-best`) would wait for it forever: any trainer may take it up now.
          db.update(runs).set({
            status: "queued",
            owner: null,
            reservedFor: null,
            leaseExpiresAt: null,
            startedAt: null,
            device: null,
            error: `Queued again: ${who} stopped renewing its lease ${at}; ${from}`,
          }).where(stillExpired).returning({ id: runs.id }),
        ])
      );
      if (requeued.length) reaped.requeued.push(run.id);
    }
  }
  return reaped;
}

/** Why run `id` was asked to stop (its error column holds the first reason given). */
export async function cancelReason(db: Db, id: number): Promise<string | null> {
  const [row] = await db.select({ error: runs.error }).from(runs).where(eq(runs.id, id));
  return row?.error ?? null;
}

/** Runs waiting to be claimed, in the whole database. */
export async function countQueued(db: Db): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)` }).from(runs)
    .where(eq(runs.status, "queued"));
  return Number(row.n);
}

/** The status and error of runs, by id (a process watching runs it queued but does not train). */
export async function runStates(
  db: Db,
  ids: number[],
): Promise<Map<number, { status: string; error: string | null }>> {
  if (ids.length === 0) return new Map();
  const rows = await db.select({ id: runs.id, status: runs.status, error: runs.error }).from(runs)
    .where(inArray(runs.id, ids));
  return new Map(rows.map((row) => [row.id, { status: row.status, error: row.error }]));
}

function toBuffer(bytes: Uint8Array) {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
