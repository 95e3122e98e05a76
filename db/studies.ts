/**
 * Studies as the service sees them: the study file stored with the study, so any worker that
 * joins by name (`deno task tune --study NAME`) runs the same search.
 *
 * @module
 */

import { asc, desc, eq, sql } from "drizzle-orm";
import type { StudySpec } from "../config/study_schema.ts";
import type { Db } from "./client.ts";
import { runs, studies } from "./schema.ts";
import { withWriteLock } from "./write_lock.ts";

export interface StudyRow {
  id: number;
  name: string;
  direction: "minimize" | "maximize";
  spec: StudySpec;
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

/**
 * The study named `spec.name`: created from `spec` when new. An existing study keeps its own
 * spec; giving a different search space for the same name is refused rather than mixed in.
 */
export async function openStudy(db: Db, spec: StudySpec): Promise<StudyRow> {
  const existing = await getStudyByName(db, spec.name);
  if (existing) {
    if (JSON.stringify(existing.spec.space) !== JSON.stringify(spec.space)) {
      throw new Error(
        `Study "${spec.name}" already exists with another search space; give a new name ` +
          `(--study NAME) or join it without a study file (deno task tune --study ${spec.name})`,
      );
    }
    return existing;
  }
  await withWriteLock(() =>
    db.insert(studies).values({ name: spec.name, direction: spec.direction, spec })
      .onConflictDoNothing()
  );
  return (await getStudyByName(db, spec.name))!;
}

export async function listStudies(db: Db) {
  // Drizzle leaves columns unqualified in a one-table select, so correlated subqueries name
  // the outer table's columns in full.
  const count = (state: string) =>
    sql<
      number
    >`(select count(*) from trials t where t.study_id = "studies"."id" and t.state = ${state})`;
  const best = sql<number | null>`(select case when "studies"."direction" = 'maximize'
    then max(t.value) else min(t.value) end
    from trials t where t.study_id = "studies"."id" and t.state = 'COMPLETE')`;
  return await db.select({
    id: studies.id,
    name: studies.name,
    direction: studies.direction,
    spec: studies.spec,
    createdAt: studies.createdAt,
    complete: count("COMPLETE"),
    pruned: count("PRUNED"),
    failed: count("FAIL"),
    running: count("RUNNING"),
    bestValue: best,
  }).from(studies).orderBy(desc(studies.id));
}

/** The run each trial trained, by trial number. */
export async function trialRuns(db: Db, studyId: number): Promise<Map<number, number>> {
  const rows = await db.select({ id: runs.id, trialNumber: runs.trialNumber }).from(runs)
    .where(eq(runs.studyId, studyId)).orderBy(asc(runs.id));
  return new Map(rows.map((r) => [r.trialNumber!, r.id]));
}
