/**
 * Tables only (drizzle, libSQL). camelCase in TypeScript, snake_case in SQL. Migrations in
 * `db/migrations/` are generated from this file by drizzle-kit (`deno task db:generate`) and never
 * edited by hand.
 *
 * @module
 */

import { sql } from "drizzle-orm";
import {
  blob,
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";
import type { LayerStats } from "../engine/layer_stats.ts";

const createdAt = () =>
  integer("created_at", { mode: "timestamp_ms" }).notNull().default(
    sql`(unixepoch('subsec') * 1000)`,
  );

export const runs = sqliteTable("runs", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  name: text("name").notNull(),
  status: text("status", {
    enum: [
      "queued",
      "running",
      "completed",
      "failed",
      "cancelled",
      "pruned",
      "interrupted",
      "diverged",
    ],
  }).notNull().default("queued"),
  /** The validated run config (JSON, defaults applied). */
  config: text("config", { mode: "json" }).notNull(),
  dataset: text("dataset").notNull(),
  epochsPlanned: integer("epochs_planned").notNull(),
  /** `{ backend, description, bytesAllocated }` once started. */
  device: text("device", { mode: "json" }),
  /** `{ loss, accuracy, count, classes, confusion }` once completed. */
  test: text("test", { mode: "json" }),
  /** Why it did not complete: a failure, a divergence, a cancel's or a pruner's reason. */
  error: text("error"),
  /** `{ epoch, step, message }` for a diverged run. */
  divergedAt: text("diverged_at", { mode: "json" }),
  /** `{ stoppedEpoch, bestEpoch, message }` for a run with early stopping (engine/train.ts). */
  earlyStop: text("early_stop", { mode: "json" }),
  studyId: integer("study_id"),
  trialNumber: integer("trial_number"),
  /**
   * A study's final model (see `config/final_run.ts`): the study and trial whose parameters it
   * retrained. Not a trial run, which has `studyId` set instead.
   */
  originStudyId: integer("origin_study_id"),
  originTrialNumber: integer("origin_trial_number"),
  /** "Continue training": the finished run whose last checkpoint this run goes on from. */
  continuedFrom: integer("continued_from"),
  /**
   * The job's lease (see `db/jobs.ts`): the process training it (`host:pid:token`), which claim
   * this is (1 for the first), until when the claim holds unless renewed, and when it was last
   * renewed. Every write of the training process names owner and attempt, and needs the lease
   * to hold: a process that outlived its lease writes nothing.
   */
  owner: text("owner"),
  attempt: integer("attempt").notNull().default(0),
  leaseExpiresAt: integer("lease_expires_at", { mode: "timestamp_ms" }),
  heartbeatAt: integer("heartbeat_at", { mode: "timestamp_ms" }),
  /** A queued study trial's run: only this worker (the trial's) may claim it. */
  reservedFor: text("reserved_for"),
  /** Set when a cancel reaches a run that another process trains: its owner stops at once. */
  cancelRequested: integer("cancel_requested", { mode: "boolean" }).notNull().default(false),
  createdAt: createdAt(),
  startedAt: integer("started_at", { mode: "timestamp_ms" }),
  finishedAt: integer("finished_at", { mode: "timestamp_ms" }),
}, (t) => [
  index("runs_status_idx").on(t.status),
  index("runs_study_idx").on(t.studyId),
  index("runs_origin_study_idx").on(t.originStudyId),
]);

export const runEpochs = sqliteTable("run_epochs", {
  runId: integer("run_id").notNull().references(() => runs.id, { onDelete: "cascade" }),
  epoch: integer("epoch").notNull(),
  trainLoss: real("train_loss").notNull(),
  trainAccuracy: real("train_accuracy").notNull(),
  devLoss: real("dev_loss"),
  devAccuracy: real("dev_accuracy"),
  seconds: real("seconds").notNull(),
  /** The learning rate of the epoch's last step; null for epochs stored before it was kept. */
  lr: real("lr"),
  /**
   * Each hidden layer's statistics at the epoch's end (`engine/layer_stats.ts`); null when the
   * run turned them off or the epoch was stored before they were kept.
   */
  layers: text("layers", { mode: "json" }).$type<LayerStats[]>(),
}, (t) => [primaryKey({ columns: [t.runId, t.epoch] })]);

/** Final weights as a safetensors file. */
export const runWeights = sqliteTable("run_weights", {
  runId: integer("run_id").primaryKey().references(() => runs.id, { onDelete: "cascade" }),
  safetensors: blob("safetensors", { mode: "buffer" }).notNull(),
  createdAt: createdAt(),
});

/**
 * A run's latest training state (`engine/checkpoint.ts`), replaced at each save: what a run
 * queued again after its trainer died resumes from, and what "Continue training" goes on from.
 * Kept after the run ends only for a completed plain run that trained every epoch.
 */
export const runCheckpoints = sqliteTable("run_checkpoints", {
  runId: integer("run_id").primaryKey().references(() => runs.id, { onDelete: "cascade" }),
  /** The last epoch the state is after (1-based). */
  epoch: integer("epoch").notNull(),
  safetensors: blob("safetensors", { mode: "buffer" }).notNull(),
  createdAt: createdAt(),
});

/** Test-set predictions of a completed run, in test order: u8 classes and f32 confidences. */
export const runPredictions = sqliteTable("run_predictions", {
  runId: integer("run_id").primaryKey().references(() => runs.id, { onDelete: "cascade" }),
  predicted: blob("predicted", { mode: "buffer" }).notNull(),
  confidence: blob("confidence", { mode: "buffer" }).notNull(),
});

export const studies = sqliteTable("studies", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  name: text("name").notNull(),
  direction: text("direction", { enum: ["minimize", "maximize"] }).notNull(),
  /**
   * A multi-objective study's directions, one per objective (`direction` holds the first); null
   * for a single-objective study.
   */
  directions: text("directions", { mode: "json" }).$type<("minimize" | "maximize")[]>(),
  /** The study file (base config, space, sampler, pruner, trials, metric), JSON. */
  spec: text("spec", { mode: "json" }).notNull(),
  /**
   * Started from the dashboard or the API and not stopped since: servers with an engine and
   * `deno task work` processes work on it (after a restart too) until its trials are done.
   */
  active: integer("active", { mode: "boolean" }).notNull().default(false),
  createdAt: createdAt(),
}, (t) => [uniqueIndex("studies_name_idx").on(t.name)]);

export const trials = sqliteTable("trials", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  studyId: integer("study_id").notNull().references(() => studies.id, { onDelete: "cascade" }),
  number: integer("number").notNull(),
  state: text("state", { enum: ["WAITING", "RUNNING", "COMPLETE", "PRUNED", "FAIL"] }).notNull(),
  value: real("value"),
  /** A multi-objective trial's values, one per objective (`value` holds the first); else null. */
  values: text("values", { mode: "json" }).$type<number[]>(),
  /** Why a trial failed, or which trial it retries. */
  userAttrs: text("user_attrs", { mode: "json" }).notNull().default(sql`'{}'`),
  systemAttrs: text("system_attrs", { mode: "json" }).notNull().default(sql`'{}'`),
  runId: integer("run_id"),
  /** Who claimed it (host:pid:token), for heartbeats across workers. */
  worker: text("worker"),
  heartbeatAt: integer("heartbeat_at", { mode: "timestamp_ms" }),
  /** Seconds its worker may stay silent before any process fails it (the worker's grace). */
  graceSeconds: integer("grace_seconds"),
  datetimeStart: integer("datetime_start", { mode: "timestamp_ms" }),
  datetimeComplete: integer("datetime_complete", { mode: "timestamp_ms" }),
}, (t) => [
  uniqueIndex("trials_study_number_idx").on(t.studyId, t.number),
  index("trials_state_idx").on(t.studyId, t.state),
]);

export const trialParams = sqliteTable("trial_params", {
  trialId: integer("trial_id").notNull().references(() => trials.id, { onDelete: "cascade" }),
  name: text("name").notNull(),
  /** The value in the distribution's internal representation (categorical index, float). */
  internalValue: real("internal_value").notNull(),
  /** The distribution, JSON (type, bounds, log, step, choices). */
  distribution: text("distribution", { mode: "json" }).notNull(),
}, (t) => [primaryKey({ columns: [t.trialId, t.name] })]);

export const trialIntermediateValues = sqliteTable("trial_intermediate_values", {
  trialId: integer("trial_id").notNull().references(() => trials.id, { onDelete: "cascade" }),
  step: integer("step").notNull(),
  value: real("value").notNull(),
}, (t) => [primaryKey({ columns: [t.trialId, t.step] })]);
