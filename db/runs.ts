/**
 * Queries over runs, their epochs and weights. Each state change is one statement or one
 * transaction, so a reader never sees half of it.
 *
 * @module
 */

import { and, asc, desc, eq, isNotNull, isNull, sql } from "drizzle-orm";
import type { RunOrigin } from "../config/final_run.ts";
import type { LayerStats } from "../engine/layer_stats.ts";
import type { RunConfig } from "../engine/spec.ts";
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
  "pruned",
  "interrupted",
  "diverged",
] as const;
export type RunStatus = typeof RUN_STATUSES[number];
export const FINAL_STATUSES: readonly RunStatus[] = [
  "completed",
  "failed",
  "cancelled",
  "pruned",
  "interrupted",
  "diverged",
];

export type RunRow = typeof runs.$inferSelect;
/**
 * An epoch as stored; `lr` and `layers` may be left out where they are not known (views take
 * either).
 */
export type EpochRow = Omit<typeof runEpochs.$inferSelect, "runId" | "lr" | "layers"> & {
  lr?: number | null;
  layers?: LayerStats[] | null;
};
export type RunWithEpochs = RunRow & { epochs: EpochRow[] };

/**
 * Stores a run as queued (`db/jobs.ts` claims it). A study trial's run is reserved for
 * `reservedFor`, the worker that holds the trial: no other process ever claims it. A study's
 * final model names its `origin`, the study and trial it retrains.
 */
export async function insertRun(
  db: Db,
  config: RunConfig,
  trial?: { studyId: number; trialNumber: number },
  reservedFor?: string,
  origin?: RunOrigin,
): Promise<number> {
  const [row] = await withWriteLock(() =>
    db.insert(runs).values({
      name: config.name,
      config,
      dataset: config.data.dataset,
      epochsPlanned: config.epochs,
      studyId: trial?.studyId,
      trialNumber: trial?.trialNumber,
      originStudyId: origin?.studyId,
      originTrialNumber: origin?.trialNumber,
      reservedFor,
    }).returning({ id: runs.id })
  );
  return row.id;
}

/** Which runs of study trials a list takes: with the others, none, or only them. */
export const TRIAL_FILTERS = ["include", "exclude", "only"] as const;
export type TrialFilter = typeof TRIAL_FILTERS[number];

export interface RunFilter {
  status?: RunStatus;
  dataset?: string;
  /** Runs of study trials: listed with the others unless told. */
  trials?: TrialFilter;
  sort?: "created" | "devAccuracy";
  limit?: number;
  /** Rows to skip, for paging. */
  offset?: number;
}

function filterConditions(filter: RunFilter) {
  const conditions = [
    filter.status ? eq(runs.status, filter.status) : undefined,
    filter.dataset ? eq(runs.dataset, filter.dataset) : undefined,
    filter.trials === "exclude"
      ? isNull(runs.studyId)
      : filter.trials === "only"
      ? isNotNull(runs.studyId)
      : undefined,
  ].filter((c) => c !== undefined);
  return conditions.length ? and(...conditions) : undefined;
}

/**
 * Runs with their best dev accuracy, last epoch and study's name (a trial's), newest first (or
 * best first).
 */
export async function listRuns(db: Db, filter: RunFilter = {}) {
  // Drizzle leaves columns unqualified in a one-table select, so correlated subqueries name
  // the outer table's columns in full.
  const best = sql<
    number | null
  >`(select max(e.dev_accuracy) from run_epochs e where e.run_id = "runs"."id")`;
  const lastEpoch = sql<
    number
  >`(select coalesce(max(e.epoch), 0) from run_epochs e where e.run_id = "runs"."id")`;
  const studyName = sql<
    string | null
  >`(select s.name from studies s where s.id = "runs"."study_id")`;
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
    studyName,
    trialNumber: runs.trialNumber,
    createdAt: runs.createdAt,
    finishedAt: runs.finishedAt,
  }).from(runs)
    .where(filterConditions(filter))
    // The id breaks ties, so pages of equal accuracies neither repeat nor skip a run.
    .orderBy(
      filter.sort === "devAccuracy" ? sql`${best} desc nulls last` : desc(runs.id),
      desc(runs.id),
    )
    .limit(filter.limit ?? 100)
    .offset(filter.offset ?? 0);
}

/** How many runs `filter` matches, over all pages (its limit and offset are ignored). */
export async function countRuns(db: Db, filter: RunFilter = {}): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)` }).from(runs)
    .where(filterConditions(filter));
  return Number(row.n);
}

/** Runs of study trials, and how many studies they belong to. */
export async function countTrialRuns(db: Db): Promise<{ runs: number; studies: number }> {
  const [row] = await db.select({
    runs: sql<number>`count(*)`,
    studies: sql<number>`count(distinct ${runs.studyId})`,
  }).from(runs).where(isNotNull(runs.studyId));
  return { runs: Number(row.runs), studies: Number(row.studies) };
}

/** Every dataset some run trained on, in name order. */
export async function runDatasets(db: Db): Promise<string[]> {
  const rows = await db.selectDistinct({ dataset: runs.dataset }).from(runs)
    .orderBy(asc(runs.dataset));
  return rows.map((row) => row.dataset);
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
    lr: runEpochs.lr,
    layers: runEpochs.layers,
  }).from(runEpochs)
    .where(and(eq(runEpochs.runId, id), sql`${runEpochs.epoch} > ${afterEpoch}`))
    .orderBy(asc(runEpochs.epoch));
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
