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
 * a run is queued again after its first trainer died, failed after its second (it never
 * crash-loops a worker), and a study trial's run is interrupted (its trial is re-queued by the
 * study, see `tuner_storage.ts`).
 *
 * @module
 */

import { and, asc, eq, inArray, isNull, or, type SQL, sql } from "drizzle-orm";
import { Buffer } from "node:buffer";
import type { RunConfig } from "../engine/spec.ts";
import type { DeviceRecord, EpochRecord, RunResult } from "../engine/train.ts";
import type { Db } from "./client.ts";
import { runEpochs, runPredictions, runs, runWeights } from "./schema.ts";
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
 * for it (its study trials) — or `runId` only, when given. Null when there is none.
 */
export function claimRun(
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
  return withWriteLock(() =>
    db.transaction(async (tx) => {
      const [next] = await tx.select({ id: runs.id }).from(runs).where(claimable)
        .orderBy(asc(runs.id)).limit(1);
      if (!next) return null;
      const [row] = await tx.update(runs).set({
        status: "running",
        owner,
        attempt: sql`${runs.attempt} + 1`,
        leaseExpiresAt: expiresIn(leaseMs),
        heartbeatAt: dbNow,
        startedAt: dbNow,
        cancelRequested: false,
      }).where(and(eq(runs.id, next.id), eq(runs.status, "queued"))).returning();
      if (!row) return null;
      return {
        lease: { runId: row.id, owner, attempt: row.attempt },
        config: row.config as RunConfig,
        trial: row.studyId === null
          ? null
          : { studyId: row.studyId, trialNumber: row.trialNumber! },
      };
    }, { behavior: "immediate" })
  );
}

/** What renewing a lease found. */
export type Renewal = "held" | "lost" | "cancel";

/**
 * Extends each lease by `leaseMs` (the owner's heartbeat). A lease that no longer holds is
 * `lost`: its process must stop training and write nothing more. `cancel` means someone asked,
 * from another process, for the run to stop.
 */
export function renewLeases(
  db: Db,
  leases: Lease[],
  leaseMs: number,
): Promise<Map<number, Renewal>> {
  if (leases.length === 0) return Promise.resolve(new Map());
  return withWriteLock(() =>
    db.transaction(async (tx) => {
      const renewals = new Map<number, Renewal>();
      for (const lease of leases) {
        const [row] = await tx.update(runs)
          .set({ leaseExpiresAt: expiresIn(leaseMs), heartbeatAt: dbNow })
          .where(held(lease)).returning({ cancelRequested: runs.cancelRequested });
        renewals.set(lease.runId, !row ? "lost" : row.cancelRequested ? "cancel" : "held");
      }
      return renewals;
    }, { behavior: "immediate" })
  );
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
 * Stores an epoch and renews the lease, in one transaction: `lost` (nothing stored) once the
 * lease no longer holds; `cancel` (stored) when a cancel waits from another process.
 */
export function writeEpoch(
  db: Db,
  lease: Lease,
  record: EpochRecord,
  leaseMs: number,
): Promise<Renewal> {
  return withWriteLock(() =>
    db.transaction(async (tx) => {
      const [row] = await tx.update(runs)
        .set({ leaseExpiresAt: expiresIn(leaseMs), heartbeatAt: dbNow })
        .where(held(lease)).returning({ cancelRequested: runs.cancelRequested });
      if (!row) return "lost";
      await tx.insert(runEpochs).values({ runId: lease.runId, ...record });
      return row.cancelRequested ? "cancel" : "held";
    }, { behavior: "immediate" })
  );
}

/**
 * Writes a run's end — status, test metrics, weights and predictions — in one transaction, if
 * the lease still holds; false (nothing written) otherwise.
 */
export function finishJob(
  db: Db,
  lease: Lease,
  result: RunResult,
  weights: Uint8Array | null,
  /** Why a cancelled run was cancelled, when known (a pruned trial, a user's reason). */
  cancelReason?: string | null,
): Promise<boolean> {
  return withWriteLock(() =>
    db.transaction(async (tx) => {
      const [row] = await tx.update(runs).set({
        status: result.status,
        device: result.device,
        test: result.test ?? null,
        divergedAt: result.divergedAt ?? null,
        error: cancelReason ?? result.divergedAt?.message ?? null,
        finishedAt: dbNow,
        leaseExpiresAt: null,
      }).where(held(lease)).returning({ id: runs.id });
      if (!row) return false;
      if (weights) {
        await tx.insert(runWeights).values({ runId: lease.runId, safetensors: toBuffer(weights) });
      }
      if (result.predictions) {
        const { predicted, confidence } = result.predictions;
        await tx.insert(runPredictions).values({
          runId: lease.runId,
          predicted: toBuffer(predicted),
          confidence: toBuffer(
            new Uint8Array(confidence.buffer, confidence.byteOffset, confidence.byteLength),
          ),
        });
      }
      return true;
    }, { behavior: "immediate" })
  );
}

/** Ends a claimed run as `failed` or `cancelled` with `error`; false when the lease is gone. */
export async function endJob(
  db: Db,
  lease: Lease,
  status: "failed" | "cancelled",
  error: string | null,
): Promise<boolean> {
  const rows = await withWriteLock(() =>
    db.update(runs).set({ status, error, finishedAt: dbNow, leaseExpiresAt: null })
      .where(held(lease)).returning({ id: runs.id })
  );
  return rows.length > 0;
}

/**
 * Gives a claimed run back to the queue (its process is shutting down): its epochs are dropped,
 * since the next claim trains it from the start, and the claim does not count as a death.
 */
export function releaseJob(db: Db, lease: Lease, note: string): Promise<boolean> {
  return withWriteLock(() =>
    db.transaction(async (tx) => {
      const [row] = await tx.update(runs).set({
        status: "queued",
        owner: null,
        attempt: sql`${runs.attempt} - 1`,
        leaseExpiresAt: null,
        startedAt: null,
        device: null,
        error: note,
      }).where(held(lease)).returning({ id: runs.id });
      if (!row) return false;
      await tx.delete(runEpochs).where(eq(runEpochs.runId, lease.runId));
      return true;
    }, { behavior: "immediate" })
  );
}

export type CancelRequest = "cancelled" | "requested" | "not_found" | "already_final";

/**
 * Cancels a run that no process of this caller trains: a queued one ends `cancelled` at once; a
 * running one is flagged, and its owner stops it at its next epoch or heartbeat. The first
 * reason given stands.
 */
export function requestCancel(db: Db, id: number, reason: string | null): Promise<CancelRequest> {
  return withWriteLock(() =>
    db.transaction(async (tx) => {
      const [run] = await tx.select({ status: runs.status, error: runs.error }).from(runs)
        .where(eq(runs.id, id));
      if (!run) return "not_found";
      if (run.status === "queued") {
        await tx.update(runs).set({ status: "cancelled", error: reason, finishedAt: dbNow })
          .where(and(eq(runs.id, id), eq(runs.status, "queued")));
        return "cancelled";
      }
      if (run.status !== "running") return "already_final";
      await tx.update(runs).set({
        cancelRequested: true,
        error: sql`coalesce(${runs.error}, ${reason})`,
      })
        .where(and(eq(runs.id, id), eq(runs.status, "running")));
      return "requested";
    }, { behavior: "immediate" })
  );
}

/** What {@linkcode reapExpired} did to runs whose lease expired. */
export interface Reaped {
  requeued: number[];
  failed: number[];
  interrupted: number[];
}

/**
 * Settles runs whose lease expired, each exactly once whoever calls it: a run trained once is
 * queued again (from the start: its epochs are dropped), one whose trainer died
 * {@linkcode MAX_ATTEMPTS} times is failed, and a study trial's run is interrupted (its trial is
 * failed and re-queued by the study's heartbeat sweep).
 */
export function reapExpired(db: Db): Promise<Reaped> {
  return withWriteLock(() =>
    db.transaction(async (tx) => {
      const expired = await tx.select({
        id: runs.id,
        attempt: runs.attempt,
        owner: runs.owner,
        studyId: runs.studyId,
        lastEpoch: sql<
          number
        >`(select coalesce(max(e.epoch), 0) from run_epochs e where e.run_id = "runs"."id")`,
      }).from(runs).where(and(eq(runs.status, "running"), sql`${runs.leaseExpiresAt} <= ${dbNow}`));
      const reaped: Reaped = { requeued: [], failed: [], interrupted: [] };
      for (const run of expired) {
        const where = and(
          eq(runs.id, run.id),
          eq(runs.status, "running"),
          eq(runs.attempt, run.attempt),
        );
        const at = run.lastEpoch > 0 ? `after epoch ${run.lastEpoch}` : "before its first epoch";
        const who = `its process (${run.owner ?? "unknown"})`;
        if (run.studyId !== null) {
          await tx.update(runs).set({
            status: "interrupted",
            error: `${who} stopped renewing its lease ${at}; the study queues the trial again`,
            finishedAt: dbNow,
            leaseExpiresAt: null,
          }).where(where);
          reaped.interrupted.push(run.id);
        } else if (run.attempt >= MAX_ATTEMPTS) {
          await tx.update(runs).set({
            status: "failed",
            error: `The process died ${run.attempt} times while training this run, last ${at} ` +
              `(${run.owner ?? "unknown"}); it is not tried again`,
            finishedAt: dbNow,
            leaseExpiresAt: null,
          }).where(where);
          reaped.failed.push(run.id);
        } else {
          await tx.update(runs).set({
            status: "queued",
            owner: null,
            leaseExpiresAt: null,
            startedAt: null,
            device: null,
            error: `Queued again: ${who} stopped renewing its lease ${at}`,
          }).where(where);
          await tx.delete(runEpochs).where(eq(runEpochs.runId, run.id));
          reaped.requeued.push(run.id);
        }
      }
      return reaped;
    }, { behavior: "immediate" })
  );
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
