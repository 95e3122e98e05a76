/**
 * Creating a trial in the libSQL storage (`tuner_storage.ts`'s `createTrial`), each in one batch:
 * claiming the study's oldest WAITING trial or numbering a new RUNNING one within the study's
 * budget, or inserting a template with its params and values under the study's next number.
 *
 * @module
 */

import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { isFinished, TrialState } from "../tuner/frozen_trial.ts";
import type { TrialTemplate } from "../tuner/storage.ts";
import type { Db } from "./client.ts";
import { withWriteLock } from "./write_lock.ts";
import { nextNumber } from "./trial_conditions.ts";
import { studies, trialIntermediateValues, trialParams, trials } from "./schema.ts";

/** Thrown by `createTrial` when the study's trial budget is spent. */
export class TrialBudgetExhausted extends Error {
  constructor(readonly studyId: number, readonly budget: number) {
    super(`Study ${studyId} has started all of its ${budget} trials`);
  }
}

/** The worker a trial is started by, recorded on it with the grace period its heartbeats get. */
export interface TrialClaimant {
  readonly worker: string;
  readonly gracePeriodSeconds: number;
}

/**
 * Claims the study's oldest WAITING trial or, when none waits and the budget allows, numbers a
 * new RUNNING one. One batch: the insert happens only if the claim changed nothing
 * (`changes()`), and counts the budget and the next number inside itself.
 */
export async function startTrial(
  db: Db,
  studyId: number,
  claimant: TrialClaimant,
  now: Date,
): Promise<number> {
  const oldestWaiting = db.select({ id: trials.id }).from(trials)
    .where(and(eq(trials.studyId, studyId), eq(trials.state, "WAITING")))
    .orderBy(asc(trials.number)).limit(1);
  const [claimed, created] = await withWriteLock(() =>
    db.batch([
      db.update(trials).set({
        state: "RUNNING",
        datetimeStart: now,
        heartbeatAt: now,
        worker: claimant.worker,
        graceSeconds: claimant.gracePeriodSeconds,
      }).where(and(inArray(trials.id, oldestWaiting), eq(trials.state, "WAITING")))
        .returning({ id: trials.id }),
      db.run(sql`
        insert into ${trials}
          (study_id, number, state, worker, heartbeat_at, grace_seconds, datetime_start)
        select s.id, ${nextNumber(sql`s.id`)}, 'RUNNING', ${claimant.worker}, ${now.getTime()},
          ${claimant.gracePeriodSeconds}, ${now.getTime()}
        from ${studies} s
        where s.id = ${studyId} and changes() = 0 and (
          json_type(s.spec, '$.trials') is null
          or (select count(*) from ${trials} t where t.study_id = s.id
              and json_extract(t.system_attrs, '$.requeued_as') is null)
            < json_extract(s.spec, '$.trials'))
        returning id`),
    ])
  );
  const id = claimed[0]?.id ?? created.rows[0]?.id;
  if (id !== undefined && id !== null) return Number(id);
  const [study] = await db.select({ spec: studies.spec }).from(studies)
    .where(eq(studies.id, studyId));
  if (!study) throw new RangeError(`No study with id ${studyId} in this storage`);
  throw new TrialBudgetExhausted(studyId, (study.spec as { trials: number }).trials);
}

/** Inserts `template` under the study's next number, with its params and values, in one batch. */
export async function insertTrial(
  db: Db,
  studyId: number,
  template: TrialTemplate,
  claimant: TrialClaimant,
  now: Date,
): Promise<number> {
  const params = Object.entries(template.params ?? {}).map(([name, value]) => {
    const distribution = template.distributions?.[name];
    if (!distribution) throw new Error(`Template parameter "${name}" has no distribution`);
    return { name, internalValue: distribution.toInternal(value), distribution };
  });
  const { state } = template;
  const running = state === TrialState.RUNNING;
  // The batch's later statements find the trial as the study's newest: nothing else can insert
  // while the batch runs.
  const inserted = sql`(select ${trials.id} from ${trials} where ${trials.studyId} = ${studyId}
    order by ${trials.number} desc limit 1)`;
  const [[row]] = await withWriteLock(() =>
    db.batch([
      db.insert(trials).values({
        studyId,
        number: nextNumber(sql`${studyId}`),
        state,
        value: template.values?.[0] ?? template.value ?? null,
        values: template.values ? [...template.values] : null,
        userAttrs: template.userAttrs ?? {},
        systemAttrs: template.systemAttrs ?? {},
        worker: running ? claimant.worker : null,
        heartbeatAt: running ? now : null,
        graceSeconds: running ? claimant.gracePeriodSeconds : null,
        datetimeStart: state === TrialState.WAITING ? null : now,
        datetimeComplete: isFinished(state) ? now : null,
      }).returning({ id: trials.id }),
      ...params.map(({ name, internalValue, distribution }) =>
        db.insert(trialParams).values({
          trialId: inserted,
          name,
          internalValue,
          distribution: distribution.toJSON(),
        })
      ),
      ...[...template.intermediateValues ?? []].map(([step, value]) =>
        db.insert(trialIntermediateValues).values({ trialId: inserted, step, value })
      ),
    ])
  );
  return row.id;
}
