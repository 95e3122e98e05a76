/**
 * The tuner's {@linkcode Storage} on libSQL, shared by every `deno task tune` worker that points at
 * the same database (a file, or a sqld server for several machines). As Optuna's RDBStorage:
 * trials are claimed by conditional writes (no number handed out twice, no WAITING trial run
 * twice), running trials send heartbeats, and a RUNNING trial whose heartbeat stopped is failed
 * and re-queued with its parameters after a grace period.
 *
 * As in `jobs.ts`, no write here holds a transaction open across round trips: each is one
 * conditional statement, or a batch the database runs whole, that reads the trial's state, the
 * next trial number and the budget inside itself. A worker frozen or killed between an
 * interactive transaction's BEGIN and COMMIT would hold the write lock for every other process
 * (sqld keeps a dead client's transaction open). What only shapes a write (a trial's params, its
 * run) is read before it; the write's own condition says whether the trial is still as read.
 *
 * A study whose spec sets `trials` has a global budget: however many workers join, no more trials
 * start than that (failed trials that were re-queued do not count; their retry does).
 *
 * The class answers the {@linkcode Storage} interface; the longer writes live beside it, one focus
 * each: creating a trial (`trial_create.ts`), re-queueing and the sweep of silent trials
 * (`trial_requeue.ts`), attributes (`trial_attrs.ts`), on the shared conditions of
 * `trial_conditions.ts`.
 *
 * @module
 */

import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Distribution } from "../tuner/distributions.ts";
import {
  type FrozenTrial,
  isFinished,
  type ParamValue,
  type StudyDirection,
  TrialState,
} from "../tuner/frozen_trial.ts";
import type { Storage, StudyRecord, TrialTemplate } from "../tuner/storage.ts";
import type { Db } from "./client.ts";
import { withWriteLock } from "./write_lock.ts";
import { assemble, readTrial } from "./trial_rows.ts";
import { refusal, unfinishedRow, whileOpen } from "./trial_conditions.ts";
import { insertTrial, startTrial } from "./trial_create.ts";
import * as requeue from "./trial_requeue.ts";
import { setTrialAttr } from "./trial_attrs.ts";
import { studies, trialIntermediateValues, trialParams, trials } from "./schema.ts";

export { TrialBudgetExhausted } from "./trial_create.ts";

export interface LibsqlStorageOptions {
  /** Seconds between heartbeats of a running trial (Optuna's heartbeat_interval); default 10. */
  heartbeatIntervalSeconds?: number;
  /** Seconds without a heartbeat before a RUNNING trial is failed; default 2 × the interval. */
  gracePeriodSeconds?: number;
  /** Who claims trials (host:pid), recorded on each trial. */
  worker?: string;
  /** The clock heartbeats and staleness are judged by; the system's unless a test says. */
  now?: () => Date;
}

export class LibsqlStorage implements Storage {
  readonly heartbeatIntervalSeconds: number;
  readonly gracePeriodSeconds: number;
  readonly worker: string;
  #db: Db;
  #now: () => Date;

  constructor(db: Db, options: LibsqlStorageOptions = {}) {
    this.#db = db;
    this.heartbeatIntervalSeconds = options.heartbeatIntervalSeconds ?? 10;
    this.gracePeriodSeconds = options.gracePeriodSeconds ?? 2 * this.heartbeatIntervalSeconds;
    this.worker = options.worker ?? `${Deno.hostname()}:${Deno.pid}`;
    this.#now = options.now ?? (() => new Date());
  }

  async createStudy(
    name: string,
    direction: StudyDirection | readonly StudyDirection[],
    spec: unknown = {},
  ): Promise<StudyRecord> {
    const existing = await this.getStudy(name);
    if (existing) throw new Error(`Study "${name}" already exists in this storage`);
    const all = typeof direction === "string" ? [direction] : [...direction];
    const directions = all.length > 1 ? all : null;
    const [row] = await withWriteLock(() =>
      this.#db.insert(studies).values({ name, direction: all[0], directions, spec }).returning()
    );
    return studyRecord(row);
  }

  async getStudy(name: string): Promise<StudyRecord | null> {
    const [row] = await this.#db.select().from(studies).where(eq(studies.name, name));
    return row ? studyRecord(row) : null;
  }

  async createTrial(studyId: number, template?: TrialTemplate): Promise<FrozenTrial> {
    const now = this.#now();
    const id = template === undefined
      ? await startTrial(this.#db, studyId, this, now)
      : await insertTrial(this.#db, studyId, template, this, now);
    return await readTrial(this.#db, id);
  }

  async getTrial(trialId: number): Promise<FrozenTrial> {
    return await readTrial(this.#db, trialId);
  }

  async getAllTrials(studyId: number, states?: readonly TrialState[]): Promise<FrozenTrial[]> {
    const rows = await this.#db.select().from(trials)
      .where(
        and(eq(trials.studyId, studyId), states ? inArray(trials.state, [...states]) : undefined),
      )
      .orderBy(asc(trials.number));
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const params = await this.#db.select().from(trialParams).where(
      inArray(trialParams.trialId, ids),
    );
    const values = await this.#db.select().from(trialIntermediateValues)
      .where(inArray(trialIntermediateValues.trialId, ids));
    return assemble(rows, params, values);
  }

  async setTrialParam(
    trialId: number,
    name: string,
    value: ParamValue,
    distribution: Distribution,
  ): Promise<void> {
    // One statement, as setTrialIntermediateValue: no sqld lock held across round trips.
    const internalValue = distribution.toInternal(value);
    const json = JSON.stringify(distribution.toJSON());
    const written = await withWriteLock(() =>
      this.#db.run(sql`
        insert into ${trialParams} (trial_id, name, internal_value, distribution)
        select ${trialId}, ${name}, ${internalValue}, ${json}
        where exists (${unfinishedRow(trialId)})
        on conflict (trial_id, name) do update
          set internal_value = excluded.internal_value, distribution = excluded.distribution`)
    );
    if (written.rowsAffected === 0) throw await refusal(this.#db, trialId);
  }

  /**
   * One statement, conditioned on the trial's state: only a WAITING trial starts (two workers
   * starting one trial: one wins), and a finished trial is never overwritten.
   */
  async setTrialState(
    trialId: number,
    state: TrialState,
    value: number | readonly number[] | null = null,
  ): Promise<void> {
    const now = this.#now();
    const several = Array.isArray(value) ? [...value as readonly number[]] : null;
    const first = several ? several[0] ?? null : value as number | null;
    if (state === TrialState.RUNNING) {
      const started = await withWriteLock(() =>
        this.#db.update(trials).set({
          state,
          datetimeStart: now,
          heartbeatAt: now,
          worker: this.worker,
          graceSeconds: this.gracePeriodSeconds,
        }).where(and(eq(trials.id, trialId), eq(trials.state, "WAITING")))
          .returning({ id: trials.id })
      );
      if (started.length === 0) {
        throw await refusal(
          this.#db,
          trialId,
          (trial) => `Trial ${trial.number} is ${trial.state}; only a WAITING trial can start`,
        );
      }
      return;
    }
    const finished = isFinished(state);
    const moved = await withWriteLock(() =>
      this.#db.update(trials).set({
        state,
        ...(finished ? { value: first, values: several } : {}),
        datetimeComplete: finished ? now : null,
      }).where(whileOpen(trialId)).returning({ id: trials.id })
    );
    if (moved.length === 0) throw await refusal(this.#db, trialId);
  }

  /**
   * One statement, like every write here (this one comes every epoch): the insert happens only
   * while the trial is unfinished; when it did not, the trial is read to say why.
   */
  async setTrialIntermediateValue(trialId: number, step: number, value: number): Promise<void> {
    const written = await withWriteLock(() =>
      this.#db.run(sql`
        insert into ${trialIntermediateValues} (trial_id, step, value)
        select ${trialId}, ${step}, ${value}
        where exists (${unfinishedRow(trialId)})
        on conflict (trial_id, step) do update set value = excluded.value`)
    );
    if (written.rowsAffected === 0) throw await refusal(this.#db, trialId);
  }

  setTrialUserAttr(trialId: number, key: string, value: unknown): Promise<void> {
    return setTrialAttr(this.#db, trialId, "userAttrs", key, value);
  }

  setTrialSystemAttr(trialId: number, key: string, value: unknown): Promise<void> {
    return setTrialAttr(this.#db, trialId, "systemAttrs", key, value);
  }

  async recordHeartbeat(trialId: number): Promise<void> {
    await withWriteLock(() =>
      this.#db.update(trials).set({ heartbeatAt: this.#now() })
        .where(and(eq(trials.id, trialId), eq(trials.state, "RUNNING")))
    );
  }

  /** Queues the trial's params again as a WAITING trial; see `trial_requeue.ts`. */
  requeueTrial(trialId: number): Promise<number> {
    return requeue.requeueTrial(this.#db, trialId);
  }

  /** Fails and re-queues RUNNING trials whose worker went silent; see `trial_requeue.ts`. */
  failStaleTrials(studyId?: number): Promise<FrozenTrial[]> {
    const sweep = { now: this.#now(), gracePeriodSeconds: this.gracePeriodSeconds };
    return requeue.failStaleTrials(this.#db, sweep, studyId);
  }
}

function studyRecord(row: typeof studies.$inferSelect): StudyRecord {
  const { id, name, direction, directions } = row;
  return directions && directions.length > 1
    ? { id, name, direction, directions }
    : { id, name, direction };
}
