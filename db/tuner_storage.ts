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
 * @module
 */

import { and, asc, eq, inArray, type SQL, sql } from "drizzle-orm";
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
import {
  assemble,
  completedRunValue,
  readTrial,
  retryHistory,
  type TrialRow,
  trialRunId,
  unfinishedTrial,
} from "./trial_rows.ts";
import { runs, studies, trialIntermediateValues, trialParams, trials } from "./schema.ts";

/** Thrown by `createTrial` when the study's trial budget is spent. */
export class TrialBudgetExhausted extends Error {
  constructor(readonly studyId: number, readonly budget: number) {
    super(`Study ${studyId} has started all of its ${budget} trials`);
  }
}

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
    const id = template === undefined
      ? await this.#startTrial(studyId)
      : await this.#insertTrial(studyId, template);
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
      }).where(open(trialId)).returning({ id: trials.id })
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
    return this.#setAttr(trialId, "userAttrs", key, value);
  }

  setTrialSystemAttr(trialId: number, key: string, value: unknown): Promise<void> {
    return this.#setAttr(trialId, "systemAttrs", key, value);
  }

  async recordHeartbeat(trialId: number): Promise<void> {
    await withWriteLock(() =>
      this.#db.update(trials).set({ heartbeatAt: this.#now() })
        .where(and(eq(trials.id, trialId), eq(trials.state, "RUNNING")))
    );
  }

  /**
   * Queues an unfinished trial's params again as a new WAITING trial and marks the trial
   * `requeued_as` it, in one batch, so a crash cannot leave the retry without its mark (which
   * would count both against the budget). The mark takes the study's next number; the retry is
   * inserted under it only if the mark was written (`changes()`). The params are read before:
   * only the trial's own worker sets them, and that is who re-queues it. Returns the new number.
   */
  async requeueTrial(trialId: number): Promise<number> {
    await unfinishedTrial(this.#db, trialId);
    const trial = await readTrial(this.#db, trialId);
    const next = nextNumber(trials.studyId);
    const [, queued] = await withWriteLock(() =>
      this.#db.batch([
        this.#db.update(trials).set({
          systemAttrs: sql`json_set(${trials.systemAttrs}, '$.requeued_as', ${next})`,
        }).where(open(trialId)),
        this.#db.run(sql`
          insert into ${trials} (study_id, number, state, system_attrs)
          select ${trials.studyId}, json_extract(${trials.systemAttrs}, '$.requeued_as'), 'WAITING',
            ${JSON.stringify(retryAttrs(trial))}
          from ${trials} where ${trials.id} = ${trialId} and changes() = 1
          returning number`),
      ])
    );
    const [retry] = queued.rows;
    if (!retry) throw await refusal(this.#db, trialId);
    return Number(retry.number);
  }

  /**
   * Fails RUNNING trials — of study `studyId`, or of every study — whose worker was silent for
   * longer than its grace period, and re-queues their params. A trial whose run had completed
   * (its worker died before recording it) is completed instead, with the study's metric at the
   * run's last epoch. A read finds them first, so a sweep with nothing to do writes nothing; each
   * trial is then settled by one statement or batch that holds only while it is still silent, so
   * two sweepers never settle it twice.
   */
  async failStaleTrials(studyId?: number): Promise<FrozenTrial[]> {
    const now = this.#now();
    const silent = and(
      studyId === undefined ? undefined : eq(trials.studyId, studyId),
      eq(trials.state, "RUNNING"),
      sql`${trials.heartbeatAt} < ${now.getTime()} - coalesce(${trials.graceSeconds}, ${this.gracePeriodSeconds}) * 1000`,
    )!;
    const stale = await this.#db.select({ id: trials.id, studyId: trials.studyId }).from(trials)
      .where(silent);
    const failed: FrozenTrial[] = [];
    for (const { id, studyId } of stale) {
      const stillSilent = and(eq(trials.id, id), silent)!;
      const trial = await readTrial(this.#db, id);
      // Its worker died after the run completed but before it recorded the trial: the result is
      // there, in the run, and is kept rather than trained again.
      const runId = await trialRunId(this.#db, studyId, trial.number, trial.userAttrs.runId);
      const value = await completedRunValue(this.#db, studyId, runId);
      if (value !== null) {
        await withWriteLock(() =>
          this.#db.update(trials).set({
            state: "COMPLETE",
            value,
            datetimeComplete: now,
            systemAttrs: sql`json_set(${trials.systemAttrs}, '$.completed_from_run', ${runId})`,
          }).where(stillSilent)
        );
        continue;
      }
      if (await this.#failAndRequeue(trial, stillSilent, runId, now)) {
        failed.push(await readTrial(this.#db, id));
      }
    }
    return failed;
  }

  /**
   * Claims the study's oldest WAITING trial or, when none waits and the budget allows, numbers a
   * new RUNNING one. One batch: the insert happens only if the claim changed nothing
   * (`changes()`), and counts the budget and the next number inside itself.
   */
  async #startTrial(studyId: number): Promise<number> {
    const now = this.#now();
    const oldestWaiting = this.#db.select({ id: trials.id }).from(trials)
      .where(and(eq(trials.studyId, studyId), eq(trials.state, "WAITING")))
      .orderBy(asc(trials.number)).limit(1);
    const [claimed, created] = await withWriteLock(() =>
      this.#db.batch([
        this.#db.update(trials).set({
          state: "RUNNING",
          datetimeStart: now,
          heartbeatAt: now,
          worker: this.worker,
          graceSeconds: this.gracePeriodSeconds,
        }).where(and(inArray(trials.id, oldestWaiting), eq(trials.state, "WAITING")))
          .returning({ id: trials.id }),
        this.#db.run(sql`
          insert into ${trials}
            (study_id, number, state, worker, heartbeat_at, grace_seconds, datetime_start)
          select s.id, ${nextNumber(sql`s.id`)}, 'RUNNING', ${this.worker}, ${now.getTime()},
            ${this.gracePeriodSeconds}, ${now.getTime()}
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
    const [study] = await this.#db.select({ spec: studies.spec }).from(studies)
      .where(eq(studies.id, studyId));
    if (!study) throw new RangeError(`No study with id ${studyId} in this storage`);
    throw new TrialBudgetExhausted(studyId, (study.spec as { trials: number }).trials);
  }

  /** Inserts `template` under the study's next number, with its params and values, in one batch. */
  async #insertTrial(studyId: number, template: TrialTemplate): Promise<number> {
    const params = Object.entries(template.params ?? {}).map(([name, value]) => {
      const distribution = template.distributions?.[name];
      if (!distribution) throw new Error(`Template parameter "${name}" has no distribution`);
      return { name, internalValue: distribution.toInternal(value), distribution };
    });
    const now = this.#now();
    const { state } = template;
    const running = state === TrialState.RUNNING;
    // The batch's later statements find the trial as the study's newest: nothing else can insert
    // while the batch runs.
    const inserted = sql`(select ${trials.id} from ${trials} where ${trials.studyId} = ${studyId}
      order by ${trials.number} desc limit 1)`;
    const [[row]] = await withWriteLock(() =>
      this.#db.batch([
        this.#db.insert(trials).values({
          studyId,
          number: nextNumber(sql`${studyId}`),
          state,
          value: template.values?.[0] ?? template.value ?? null,
          values: template.values ? [...template.values] : null,
          userAttrs: template.userAttrs ?? {},
          systemAttrs: template.systemAttrs ?? {},
          worker: running ? this.worker : null,
          heartbeatAt: running ? now : null,
          graceSeconds: running ? this.gracePeriodSeconds : null,
          datetimeStart: state === TrialState.WAITING ? null : now,
          datetimeComplete: isFinished(state) ? now : null,
        }).returning({ id: trials.id }),
        ...params.map(({ name, internalValue, distribution }) =>
          this.#db.insert(trialParams).values({
            trialId: inserted,
            name,
            internalValue,
            distribution: distribution.toJSON(),
          })
        ),
        ...[...template.intermediateValues ?? []].map(([step, value]) =>
          this.#db.insert(trialIntermediateValues).values({ trialId: inserted, step, value })
        ),
      ])
    );
    return row.id;
  }

  /**
   * Fails a silent trial, re-queues its params, and interrupts its run, in one batch; false when
   * the trial was no longer `stillSilent`. The retry is inserted first, under the study's next
   * number, unless the trial was already re-queued (by its worker, stopped and then gone before
   * failing it); the failure then records the retry's number either way.
   */
  async #failAndRequeue(
    trial: FrozenTrial,
    stillSilent: SQL,
    runId: number | null,
    now: Date,
  ): Promise<boolean> {
    const grace = (trial.systemAttrs.grace_seconds as number | undefined) ??
      this.gracePeriodSeconds;
    const reason = `Worker ${trial.systemAttrs.worker ?? "(unknown)"} sent no heartbeat for ` +
      `${grace} s; re-queued as trial `;
    // After the insert, a retry made here is the study's newest trial.
    const requeuedAs = sql`coalesce(json_extract(${trials.systemAttrs}, '$.requeued_as'),
      (select max(n.number) from ${trials} n where n.study_id = ${trials.studyId}))`;
    const retry = this.#db.run(sql`
      insert into ${trials} (study_id, number, state, system_attrs)
      select ${trials.studyId}, ${nextNumber(trials.studyId)}, 'WAITING',
        ${JSON.stringify(retryAttrs(trial))}
      from ${trials}
      where ${stillSilent} and json_extract(${trials.systemAttrs}, '$.requeued_as') is null`);
    const fail = this.#db.update(trials).set({
      state: "FAIL",
      datetimeComplete: now,
      systemAttrs: sql`json_set(${trials.systemAttrs},
        '$.fail_reason', ${reason} || ${requeuedAs}, '$.requeued_as', ${requeuedAs})`,
    }).where(stillSilent).returning({ id: trials.id });
    // The dead worker's run can't finish either (queued too: reserved for that worker); it is
    // interrupted only if the failure was written just before (`changes()`).
    const interrupt = runId === null ? [] : [
      this.#db.update(runs).set({
        status: "interrupted",
        error: sql`(select json_extract(f.system_attrs, '$.fail_reason') from ${trials} f
          where f.id = ${trial.id})`,
        finishedAt: now,
      }).where(and(
        eq(runs.id, runId),
        inArray(runs.status, ["queued", "running"]),
        sql`changes() = 1`,
      )),
    ];
    const [, failed] = await withWriteLock(() => this.#db.batch([retry, fail, ...interrupt]));
    return failed.length > 0;
  }

  async #setAttr(
    trialId: number,
    column: "userAttrs" | "systemAttrs",
    key: string,
    value: unknown,
  ): Promise<void> {
    const json = value === undefined ? undefined : JSON.stringify(value);
    const name = column === "userAttrs" ? sql`user_attrs` : sql`system_attrs`;
    if (json === undefined || /["\\]/.test(key)) {
      // What json_set cannot say (a key SQLite's JSON path cannot quote, a value JSON drops):
      // merged here and written only if the column still holds the text that was read (compare
      // and set), so a write that came between is read again rather than lost.
      for (;;) {
        const [row] = await this.#db.select({ attrs: sql<string>`${name}` }).from(trials)
          .where(open(trialId));
        if (!row) throw await refusal(this.#db, trialId);
        const merged = JSON.stringify({ ...JSON.parse(row.attrs), [key]: value });
        const written = await withWriteLock(() =>
          this.#db.run(sql`update ${trials} set ${name} = ${merged}
            where ${open(trialId)} and ${name} = ${row.attrs}`)
        );
        if (written.rowsAffected > 0) return;
      }
    }
    // One statement, as setTrialIntermediateValue: no sqld lock held across round trips.
    const path = `$."${key}"`;
    const written = await withWriteLock(() =>
      this.#db.run(sql`
        update ${trials} set ${name} = json_set(${name}, ${path}, json(${json}))
        where ${open(trialId)}`)
    );
    if (written.rowsAffected === 0) throw await refusal(this.#db, trialId);
  }
}

function studyRecord(row: typeof studies.$inferSelect): StudyRecord {
  const { id, name, direction, directions } = row;
  return directions && directions.length > 1
    ? { id, name, direction, directions }
    : { id, name, direction };
}

/** The trial `trialId` while it may still change (RUNNING or WAITING). */
function open(trialId: number) {
  return and(eq(trials.id, trialId), inArray(trials.state, ["RUNNING", "WAITING"]))!;
}

/** The trial `trialId` while it may still change, for `where exists (…)`. */
function unfinishedRow(trialId: number) {
  return sql`select 1 from ${trials} where ${open(trialId)}`;
}

/**
 * Why a write conditioned on the trial `trialId` changed nothing: {@linkcode unfinishedTrial}
 * throws when it is gone or finished; otherwise `unchanged` says what else stopped it.
 */
async function refusal(
  db: Db,
  trialId: number,
  unchanged = (trial: TrialRow) => `Trial ${trial.number} is ${trial.state} and did not change`,
): Promise<Error> {
  return new Error(unchanged(await unfinishedTrial(db, trialId)));
}

/** The next trial number of the study whose id `studyId` gives, as a scalar subquery. */
function nextNumber(studyId: SQL | typeof trials.studyId) {
  return sql`(select coalesce(max(n.number), -1) + 1 from ${trials} n where n.study_id = ${studyId})`;
}

/** A new WAITING trial's system attributes: `trial`'s params, fixed, and where they came from. */
function retryAttrs(trial: FrozenTrial) {
  return {
    fixed_params: { ...trial.params },
    retry_of: trial.number,
    retry_history: retryHistory(trial),
  };
}
