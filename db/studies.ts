/**
 * Studies as the service sees them: the study file stored with the study, so any worker that
 * joins by name (`deno task tune --study NAME`) runs the same search.
 *
 * @module
 */

import { asc, desc, eq, sql } from "drizzle-orm";
import { parseStudySpec, type StudySpec } from "../config/study_schema.ts";
import type { TestRecord } from "../engine/train.ts";
import type { Db } from "./client.ts";
import type { RunRow } from "./runs.ts";
import { runs, studies } from "./schema.ts";
import { withWriteLock } from "./write_lock.ts";

export interface StudyRow {
  id: number;
  name: string;
  direction: "minimize" | "maximize";
  spec: StudySpec;
  /** Started from the dashboard or the API and not stopped or finished since. */
  active: boolean;
  createdAt: Date;
}

export async function getStudyByName(db: Db, name: string): Promise<StudyRow | undefined> {
  const [row] = await db.select().from(studies).where(eq(studies.name, name));
  return row as StudyRow | undefined;
}

export async function getStudyById(db: Db, id: number): Promise<StudyRow | undefined> {
  const [row] = await db.select().from(studies).where(eq(studies.id, id));
  return row as StudyRow | undefined;
}

/** The study fields a joining study file is compared on, as `parseStudySpec` gives them. */
const STUDY_FIELDS = [
  "direction",
  "metric",
  "metrics",
  "directions",
  "constraints",
  "trials",
  "sampler",
  "pruner",
  "base",
  "space",
] as const;

/**
 * Thrown by {@linkcode openStudy} when a study of that name exists with another study file: the
 * top-level fields that differ, in study file order.
 */
export class StudyConflict extends Error {
  constructor(readonly study: StudyRow, readonly fields: string[]) {
    super(
      `Study "${study.name}" already exists with a different ${fields.join(", ")}; ` +
        `choose another name or send the same file`,
    );
    this.name = "StudyConflict";
  }
}

/**
 * The top-level fields in which two study files differ, after parsing (defaults filled in). Key
 * order does not count; the base is compared as written, since a field written in the base and
 * one left to its default can make different trials (see `applyParams`).
 */
export function studySpecDifferences(stored: StudySpec, wanted: StudySpec): string[] {
  // A study stored by an older version lacks newer defaults, and a resumed one passes its stored
  // file back: parse both again, as a new file would be.
  const normal = (spec: StudySpec) => {
    const reparsed = parseStudySpec(spec);
    return reparsed.ok ? reparsed.spec : spec;
  };
  const [old, now] = [normal(stored), normal(wanted)];
  return STUDY_FIELDS.filter((field) => canonical(old[field]) !== canonical(now[field]));
}

/** JSON with object keys sorted, so `{"a":1,"b":2}` and `{"b":2,"a":1}` compare equal. */
function canonical(value: unknown): string {
  return JSON.stringify(
    value,
    (_, item) =>
      item && typeof item === "object" && !Array.isArray(item)
        ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0))
        : item,
  );
}

export interface OpenedStudy {
  study: StudyRow;
  /** False when a study of that name with the same study file was there already (joined). */
  created: boolean;
}

/**
 * The study named `spec.name`: created from `spec` when new, joined when it exists with the same
 * study file. A study file that differs (another direction, base, space…) is refused with a
 * {@linkcode StudyConflict} rather than silently ignored or mixed in.
 */
export async function openStudy(db: Db, spec: StudySpec): Promise<OpenedStudy> {
  const join = (existing: StudyRow): OpenedStudy => {
    const fields = studySpecDifferences(existing.spec, spec);
    if (fields.length > 0) throw new StudyConflict(existing, fields);
    return { study: existing, created: false };
  };
  const existing = await getStudyByName(db, spec.name);
  if (existing) return join(existing);
  const inserted = await withWriteLock(() =>
    db.insert(studies).values({
      name: spec.name,
      direction: spec.direction,
      directions: spec.metrics && spec.metrics.length > 1 ? spec.directions : null,
      spec,
    })
      .onConflictDoNothing().returning({ id: studies.id })
  );
  const study = (await getStudyByName(db, spec.name))!;
  // Another process created it first: join it as if it had been there.
  return inserted.length > 0 ? { study, created: true } : join(study);
}

export async function listStudies(db: Db) {
  // Drizzle leaves columns unqualified in a one-table select, so correlated subqueries name
  // the outer table's columns in full.
  const count = (state: string) =>
    sql<
      number
    >`(select count(*) from trials t where t.study_id = "studies"."id" and t.state = ${state})`;
  // A multi-objective study has no single best value; a trial outside the constraints is never
  // best (a constraint value above 0 is violated).
  const best = sql<number | null>`(select case when "studies"."directions" is not null then null
    when "studies"."direction" = 'maximize' then max(t.value) else min(t.value) end
    from trials t where t.study_id = "studies"."id" and t.state = 'COMPLETE'
      and not exists (select 1 from json_each(t.system_attrs, '$.constraints') c
        where c.value > 0))`;
  return await db.select({
    id: studies.id,
    name: studies.name,
    direction: studies.direction,
    spec: studies.spec,
    active: studies.active,
    createdAt: studies.createdAt,
    complete: count("COMPLETE"),
    pruned: count("PRUNED"),
    failed: count("FAIL"),
    running: count("RUNNING"),
    waiting: count("WAITING"),
    requeued: sql<
      number
    >`(select count(*) from trials t where t.study_id = "studies"."id" and json_extract(t.system_attrs, '$.requeued_as') is not null)`,
    trials: sql<number>`(select count(*) from trials t where t.study_id = "studies"."id")`,
    bestValue: best,
  }).from(studies).orderBy(desc(studies.id));
}

/** Marks study `id` as worked on (or not) by servers and `deno task work` processes. */
export async function setStudyActive(db: Db, id: number, active: boolean): Promise<void> {
  await withWriteLock(() => db.update(studies).set({ active }).where(eq(studies.id, id)));
}

/** The studies marked active, oldest first. */
export async function activeStudies(db: Db): Promise<StudyRow[]> {
  const rows = await db.select().from(studies).where(eq(studies.active, true))
    .orderBy(asc(studies.id));
  return rows as StudyRow[];
}

/** The run each trial trained, by trial number. */
export async function trialRuns(db: Db, studyId: number): Promise<Map<number, number>> {
  const rows = await db.select({ id: runs.id, trialNumber: runs.trialNumber }).from(runs)
    .where(eq(runs.studyId, studyId)).orderBy(asc(runs.id));
  return new Map(rows.map((r) => [r.trialNumber!, r.id]));
}

/** A final model of a study (`config/final_run.ts`), as the study page lists it. */
export interface FinalRunItem {
  id: number;
  name: string;
  status: RunRow["status"];
  trialNumber: number;
  epochsPlanned: number;
  test: TestRecord | null;
  createdAt: Date;
}

/** The final runs trained from study `studyId`'s trials, newest first. */
export async function finalRuns(db: Db, studyId: number): Promise<FinalRunItem[]> {
  const rows = await db.select({
    id: runs.id,
    name: runs.name,
    status: runs.status,
    trialNumber: runs.originTrialNumber,
    epochsPlanned: runs.epochsPlanned,
    test: runs.test,
    createdAt: runs.createdAt,
  }).from(runs).where(eq(runs.originStudyId, studyId)).orderBy(desc(runs.id));
  return rows.map((row) => ({
    ...row,
    trialNumber: row.trialNumber!,
    test: row.test as TestRecord | null,
  }));
}
