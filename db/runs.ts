/**
 * Queries over runs, their epochs and weights. Each state change is one statement or one
 * transaction, so a reader never sees half of it.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import type { RunConfig } from "../engine/spec.ts";
import type { DeviceRecord, EpochRecord, RunResult } from "../engine/train.ts";
import type { Db } from "./client.ts";
import type { Predictions } from "../engine/predictions.ts";
import { runEpochs, runPredictions, runs, runWeights } from "./schema.ts";
import { withWriteLock } from "./write_lock.ts";

export const RUN_STATUSES = [
  "queued",
  "running",
  "completed",
  "failed",
  "cancelled",
  "interrupted",
  "diverged",
] as const;
export type RunStatus = typeof RUN_STATUSES[number];
export const FINAL_STATUSES: readonly RunStatus[] = [
  "completed",
  "failed",
  "cancelled",
  "interrupted",
  "diverged",
];

export type RunRow = typeof runs.$inferSelect;
export type EpochRow = Omit<typeof runEpochs.$inferSelect, "runId">;
export type RunWithEpochs = RunRow & { epochs: EpochRow[] };

export async function insertRun(
  db: Db,
  config: RunConfig,
  trial?: { studyId: number; trialNumber: number },
): Promise<number> {
  const [row] = await withWriteLock(() =>
    db.insert(runs).values({
      name: config.name,
      config,
      dataset: config.data.dataset,
      epochsPlanned: config.epochs,
      studyId: trial?.studyId,
      trialNumber: trial?.trialNumber,
    }).returning({ id: runs.id })
  );
  return row.id;
}

export interface RunFilter {
  status?: RunStatus;
  dataset?: string;
  sort?: "created" | "devAccuracy";
  limit?: number;
  /** Rows to skip, for paging. */
  offset?: number;
}

/** Runs with their best dev accuracy and last epoch, newest first (or best first). */
export async function listRuns(db: Db, filter: RunFilter = {}) {
  // Drizzle leaves columns unqualified in a one-table select, so correlated subqueries name
  // the outer table's columns in full.
  const best = sql<
    number | null
  >`(select max(e.dev_accuracy) from run_epochs e where e.run_id = "runs"."id")`;
  const lastEpoch = sql<
    number
  >`(select coalesce(max(e.epoch), 0) from run_epochs e where e.run_id = "runs"."id")`;
  const conditions = [
    filter.status ? eq(runs.status, filter.status) : undefined,
    filter.dataset ? eq(runs.dataset, filter.dataset) : undefined,
  ].filter((c) => c !== undefined);
  return await db.select({
    id: runs.id,
    name: runs.name,
    status: runs.status,
    dataset: runs.dataset,
    epochsPlanned: runs.epochsPlanned,
    epochsDone: lastEpoch,
    bestDevAccuracy: best,
    test: runs.test,
    error: runs.error,
    studyId: runs.studyId,
    trialNumber: runs.trialNumber,
    createdAt: runs.createdAt,
    finishedAt: runs.finishedAt,
  }).from(runs)
    .where(conditions.length ? and(...conditions) : undefined)
    // The id breaks ties, so pages of equal accuracies neither repeat nor skip a run.
    .orderBy(
      filter.sort === "devAccuracy" ? sql`${best} desc nulls last` : desc(runs.id),
      desc(runs.id),
    )
    .limit(filter.limit ?? 100)
    .offset(filter.offset ?? 0);
}

export async function getRun(db: Db, id: number): Promise<RunWithEpochs | undefined> {
  const [run] = await db.select().from(runs).where(eq(runs.id, id));
  if (!run) return undefined;
  const epochs = await getEpochs(db, id);
  return { ...run, epochs };
}

export async function getEpochs(db: Db, id: number, afterEpoch = 0): Promise<EpochRow[]> {
  return await db.select({
    epoch: runEpochs.epoch,
    trainLoss: runEpochs.trainLoss,
    trainAccuracy: runEpochs.trainAccuracy,
    devLoss: runEpochs.devLoss,
    devAccuracy: runEpochs.devAccuracy,
    seconds: runEpochs.seconds,
  }).from(runEpochs)
    .where(and(eq(runEpochs.runId, id), sql`${runEpochs.epoch} > ${afterEpoch}`))
    .orderBy(asc(runEpochs.epoch));
}

export async function markRunning(
  db: Db,
  id: number,
  device: DeviceRecord,
  owner: string,
): Promise<void> {
  const now = new Date();
  await withWriteLock(() =>
    db.update(runs).set({ status: "running", device, owner, startedAt: now, heartbeatAt: now })
      .where(and(eq(runs.id, id), eq(runs.status, "queued")))
  );
}

/** The owner's periodic sign of life for the runs it is training. */
export async function touchRuns(db: Db, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await withWriteLock(() =>
    db.update(runs).set({ heartbeatAt: new Date() })
      .where(and(inArray(runs.id, ids), eq(runs.status, "running")))
  );
}

export async function insertEpoch(db: Db, id: number, record: EpochRecord): Promise<void> {
  await withWriteLock(() => db.insert(runEpochs).values({ runId: id, ...record }));
}

/** Writes the final status, test metrics and weights in one transaction. */
export async function finishRun(
  db: Db,
  id: number,
  result: RunResult,
  safetensors: Uint8Array | null,
  /** Why a cancelled run was cancelled, when known (a pruned trial). */
  cancelReason?: string,
): Promise<void> {
  await withWriteLock(() =>
    db.transaction(async (tx) => {
      await tx.update(runs).set({
        status: result.status,
        device: result.device,
        test: result.test ?? null,
        divergedAt: result.divergedAt ?? null,
        error: cancelReason ?? result.divergedAt?.message ?? null,
        finishedAt: new Date(),
      }).where(eq(runs.id, id));
      if (safetensors) {
        await tx.insert(runWeights).values({ runId: id, safetensors: toBuffer(safetensors) });
      }
      if (result.predictions) {
        await tx.insert(runPredictions).values({
          runId: id,
          predicted: toBuffer(result.predictions.predicted),
          confidence: toBuffer(
            new Uint8Array(
              result.predictions.confidence.buffer,
              result.predictions.confidence.byteOffset,
              result.predictions.confidence.byteLength,
            ),
          ),
        });
      }
    })
  );
}

export async function setFinalStatus(
  db: Db,
  id: number,
  status: Exclude<RunStatus, "queued" | "running">,
  error: string | null = null,
): Promise<void> {
  await withWriteLock(() =>
    db.update(runs).set({ status, error, finishedAt: new Date() }).where(eq(runs.id, id))
  );
}

export interface Liveness {
  /** Whether the process `owner` (host:pid) still runs, or null when this host can't tell. */
  isAlive(owner: string): boolean | null;
  /** Runs whose heartbeat is older count as abandoned when liveness can't be told. */
  staleBefore: Date;
}

/**
 * At start: runs whose process died can't finish; mark them `interrupted`. A run that another
 * live process (a `deno task tune` worker) is training is left alone.
 */
export async function interruptRunning(db: Db, liveness: Liveness): Promise<number> {
  const running = await db.select({ id: runs.id, owner: runs.owner, heartbeatAt: runs.heartbeatAt })
    .from(runs).where(eq(runs.status, "running"));
  const dead = running.filter((run) => {
    const alive = run.owner ? liveness.isAlive(run.owner) : false;
    return alive === null ? (run.heartbeatAt ?? new Date(0)) < liveness.staleBefore : !alive;
  }).map((run) => run.id);
  if (dead.length === 0) return 0;
  await withWriteLock(() =>
    db.update(runs).set({
      status: "interrupted",
      error: "The process training this run stopped before it finished",
      finishedAt: new Date(),
    }).where(and(inArray(runs.id, dead), eq(runs.status, "running")))
  );
  return dead.length;
}

export async function queuedRuns(db: Db): Promise<{ id: number; config: RunConfig }[]> {
  const rows = await db.select({ id: runs.id, config: runs.config }).from(runs)
    .where(inArray(runs.status, ["queued"])).orderBy(asc(runs.id));
  return rows.map((r) => ({ id: r.id, config: r.config as RunConfig }));
}

export async function getWeights(db: Db, id: number): Promise<Uint8Array | undefined> {
  const [row] = await db.select({ safetensors: runWeights.safetensors }).from(runWeights)
    .where(eq(runWeights.runId, id));
  return row ? new Uint8Array(row.safetensors) : undefined;
}

export async function getPredictions(db: Db, id: number): Promise<Predictions | undefined> {
  const [row] = await db.select().from(runPredictions).where(eq(runPredictions.runId, id));
  if (!row) return undefined;
  const confidence = new Uint8Array(row.confidence); // copy: Float32Array needs 4-byte alignment
  return {
    predicted: new Uint8Array(row.predicted),
    confidence: new Float32Array(confidence.buffer, 0, confidence.byteLength / 4),
  };
}

function toBuffer(bytes: Uint8Array) {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
