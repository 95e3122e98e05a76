/**
 * Reading trial rows back as the tuner's `FrozenTrial`s, and the reads the libSQL storage
 * (`tuner_storage.ts`) makes before a conditional write: whether a trial may change, its run.
 *
 * @module
 */

import { and, desc, eq } from "drizzle-orm";
import {
  type Distribution,
  distributionFromJson,
  type DistributionJson,
} from "../tuner/distributions.ts";
import { type FrozenTrial, isFinished, type ParamValue } from "../tuner/frozen_trial.ts";
import type { Db } from "./client.ts";
import {
  runEpochs,
  runs,
  studies,
  trialIntermediateValues,
  trialParams,
  trials,
} from "./schema.ts";

export type TrialRow = typeof trials.$inferSelect;

/** The numbers of the earlier tries of a trial's params, itself last. */
export function retryHistory(trial: FrozenTrial): number[] {
  return [...((trial.systemAttrs.retry_history as number[] | undefined) ?? []), trial.number];
}

export async function unfinishedTrial(db: Db, trialId: number): Promise<TrialRow> {
  const [row] = await db.select().from(trials).where(eq(trials.id, trialId));
  if (!row) throw new RangeError(`No trial with id ${trialId} in this storage`);
  if (isFinished(row.state)) {
    throw new Error(`Trial ${row.number} is already ${row.state} and cannot change`);
  }
  return row;
}

export async function readTrial(db: Db, trialId: number): Promise<FrozenTrial> {
  const rows = await db.select().from(trials).where(eq(trials.id, trialId));
  if (rows.length === 0) throw new RangeError(`No trial with id ${trialId} in this storage`);
  const params = await db.select().from(trialParams).where(eq(trialParams.trialId, trialId));
  const values = await db.select().from(trialIntermediateValues).where(
    eq(trialIntermediateValues.trialId, trialId),
  );
  return assemble(rows, params, values)[0];
}

export function assemble(
  rows: TrialRow[],
  params: (typeof trialParams.$inferSelect)[],
  values: (typeof trialIntermediateValues.$inferSelect)[],
): FrozenTrial[] {
  const byTrial = new Map(rows.map((row) => [row.id, {
    params: {} as Record<string, ParamValue>,
    distributions: {} as Record<string, Distribution>,
    intermediateValues: new Map<number, number>(),
  }]));
  for (const p of params) {
    const entry = byTrial.get(p.trialId)!;
    const distribution = distributionFromJson(p.distribution as DistributionJson, p.name);
    entry.distributions[p.name] = distribution;
    entry.params[p.name] = distribution.toExternal(p.internalValue);
  }
  for (const v of values.sort((a, b) => a.step - b.step)) {
    byTrial.get(v.trialId)!.intermediateValues.set(v.step, v.value);
  }
  return rows.map((row) => ({
    id: row.id,
    number: row.number,
    state: row.state,
    value: row.value,
    ...(row.values ? { values: row.values } : {}),
    ...byTrial.get(row.id)!,
    datetimeStart: row.datetimeStart,
    datetimeComplete: row.datetimeComplete,
    userAttrs: row.userAttrs as Record<string, unknown>,
    systemAttrs: {
      ...(row.systemAttrs as Record<string, unknown>),
      worker: row.worker ?? undefined,
      grace_seconds: row.graceSeconds ?? undefined,
    },
  }));
}

/**
 * The run of trial `number`: the one its worker noted, or the one stored for it (a worker may
 * die between storing the run and noting it).
 */
export async function trialRunId(
  db: Db,
  studyId: number,
  number: number,
  noted: unknown,
): Promise<number | null> {
  if (typeof noted === "number") return noted;
  const [run] = await db.select({ id: runs.id }).from(runs)
    .where(and(eq(runs.studyId, studyId), eq(runs.trialNumber, number)))
    .orderBy(desc(runs.id)).limit(1);
  return run?.id ?? null;
}

/**
 * The value of a completed trial run — the study's metric at its last epoch — or null when the
 * run did not complete or has no such value.
 */
export async function completedRunValue(
  db: Db,
  studyId: number,
  runId: number | null,
): Promise<number | null> {
  if (runId === null) return null;
  const [run] = await db.select({ status: runs.status }).from(runs).where(eq(runs.id, runId));
  if (run?.status !== "completed") return null;
  const [study] = await db.select({ spec: studies.spec }).from(studies)
    .where(eq(studies.id, studyId));
  const spec = study?.spec as { metric?: string; metrics?: string[] } | undefined;
  // A multi-objective trial needs all its values (measured by its worker): it is run again.
  if ((spec?.metrics?.length ?? 0) > 1) return null;
  const metric = spec?.metric ?? "devAccuracy";
  const [last] = await db.select().from(runEpochs).where(eq(runEpochs.runId, runId))
    .orderBy(desc(runEpochs.epoch)).limit(1);
  const value = last?.[metric as keyof typeof last];
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}
