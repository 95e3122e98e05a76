/**
 * Where studies and trials live. Every method is async so that a database (libSQL, shared by
 * many tuning workers) can stand behind the same interface as {@linkcode InMemoryStorage}.
 * Modelled on Optuna 3.1's `optuna/storages/_base.py` (`BaseStorage`), trimmed to what the
 * tuner uses.
 *
 * Trials are addressed by their storage-wide `id`; `number` is their position in the study.
 * A storage hands out {@linkcode FrozenTrial} objects that it never mutates afterwards.
 *
 * @module
 */

import type { Distribution } from "./distributions.ts";
import type { FrozenTrial, ParamValue, StudyDirection, TrialState } from "./frozen_trial.ts";

/** A study as a storage records it. */
export interface StudyRecord {
  readonly id: number;
  readonly name: string;
  readonly direction: StudyDirection;
  /** A multi-objective study's directions, one per objective (`direction` is the first). */
  readonly directions?: readonly StudyDirection[];
}

/** The study's directions: `directions` when it has several objectives, else `[direction]`. */
export function studyDirections(record: StudyRecord): readonly StudyDirection[] {
  return record.directions && record.directions.length > 0 ? record.directions : [record.direction];
}

/**
 * A trial to insert as given: a WAITING one (an enqueued parameter set) or an already finished one
 * (imported results, hand-built histories). Missing fields start empty.
 */
export interface TrialTemplate {
  state: TrialState;
  value?: number | null;
  /** Several objective values (multi-objective studies); `value` is then their first. */
  values?: readonly number[] | null;
  params?: Record<string, ParamValue>;
  distributions?: Record<string, Distribution>;
  intermediateValues?: ReadonlyMap<number, number>;
  userAttrs?: Record<string, unknown>;
  systemAttrs?: Record<string, unknown>;
}

export interface Storage {
  /**
   * Creates a study; rejects when the name is taken. Several directions make a multi-objective
   * study (its trials then finish with one value per direction).
   */
  createStudy(
    name: string,
    direction: StudyDirection | readonly StudyDirection[],
  ): Promise<StudyRecord>;
  /** The study of that name, or null. */
  getStudy(name: string): Promise<StudyRecord | null>;

  /**
   * Without a template, starts a trial: atomically claims the oldest WAITING trial (setting it
   * RUNNING) or, when none waits, numbers a new RUNNING one. With a template, inserts it as given
   * under the next number.
   */
  createTrial(studyId: number, template?: TrialTemplate): Promise<FrozenTrial>;
  getTrial(trialId: number): Promise<FrozenTrial>;
  /** The study's trials ordered by number, optionally only those in the given states. */
  getAllTrials(studyId: number, states?: readonly TrialState[]): Promise<FrozenTrial[]>;

  /** Records a sampled parameter of an unfinished trial. */
  setTrialParam(
    trialId: number,
    name: string,
    value: ParamValue,
    distribution: Distribution,
  ): Promise<void>;
  /**
   * Moves an unfinished trial to `state`, recording `value` when finishing it (an array: the
   * values of a multi-objective trial). Rejects when the trial is already finished, or when
   * asked to run a trial that is not WAITING.
   */
  setTrialState(
    trialId: number,
    state: TrialState,
    value?: number | readonly number[] | null,
  ): Promise<void>;
  setTrialIntermediateValue(trialId: number, step: number, value: number): Promise<void>;
  setTrialUserAttr(trialId: number, key: string, value: unknown): Promise<void>;
  setTrialSystemAttr(trialId: number, key: string, value: unknown): Promise<void>;

  /**
   * Optional liveness for storages shared by several processes (Optuna's RDB heartbeat): the
   * optimize loop calls {@linkcode Storage.recordHeartbeat} every `heartbeatIntervalSeconds`
   * while a trial runs, and {@linkcode Storage.failStaleTrials} before it asks for a new trial.
   */
  readonly heartbeatIntervalSeconds?: number;
  recordHeartbeat?(trialId: number): Promise<void>;
  /** Fails (and may re-queue) RUNNING trials whose heartbeat stopped; returns the failed trials. */
  failStaleTrials?(studyId: number): Promise<FrozenTrial[]>;
  /**
   * Queues an unfinished trial's params again as a WAITING trial and marks the trial with
   * `requeued_as`, atomically; returns the new number. Storages without it are re-queued in two
   * steps (see `jobs/study_worker.ts`).
   */
  requeueTrial?(trialId: number): Promise<number>;
}
