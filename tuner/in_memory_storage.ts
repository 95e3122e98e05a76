/**
 * {@linkcode Storage} in process memory: the default, lost when the process ends. Like Optuna's
 * `InMemoryStorage`, but every change replaces the trial object instead of mutating it, so that
 * snapshots already handed to samplers stay as they were.
 *
 * @module
 */

import type { Distribution } from "./distributions.ts";
import {
  type FrozenTrial,
  isFinished,
  type ParamValue,
  type StudyDirection,
  TrialState,
} from "./frozen_trial.ts";
import type { Storage, StudyRecord, TrialTemplate } from "./storage.ts";

export class InMemoryStorage implements Storage {
  #studies: StudyRecord[] = [];
  #trialsByStudy = new Map<number, FrozenTrial[]>();
  /** trial id → [study id, trial number] */
  #locations = new Map<number, [number, number]>();
  #nextTrialId = 0;

  createStudy(
    name: string,
    direction: StudyDirection | readonly StudyDirection[],
  ): Promise<StudyRecord> {
    return settle(() => {
      if (this.#studies.some((study) => study.name === name)) {
        throw new Error(`Study "${name}" already exists in this storage`);
      }
      const directions = typeof direction === "string" ? [direction] : [...direction];
      const study: StudyRecord = {
        id: this.#studies.length,
        name,
        direction: directions[0],
        ...(directions.length > 1 ? { directions } : {}),
      };
      this.#studies.push(study);
      this.#trialsByStudy.set(study.id, []);
      return study;
    });
  }

  getStudy(name: string): Promise<StudyRecord | null> {
    return Promise.resolve(this.#studies.find((study) => study.name === name) ?? null);
  }

  createTrial(studyId: number, template?: TrialTemplate): Promise<FrozenTrial> {
    return settle(() => this.#createTrial(studyId, template));
  }

  #createTrial(studyId: number, template?: TrialTemplate): FrozenTrial {
    const trials = this.#trials(studyId);
    const now = new Date();
    if (template === undefined) {
      const waiting = trials.find((trial) => trial.state === TrialState.WAITING);
      if (waiting) return this.#replace(waiting, { state: TrialState.RUNNING, datetimeStart: now });
    }
    const state = template?.state ?? TrialState.RUNNING;
    const trial: FrozenTrial = {
      id: this.#nextTrialId++,
      number: trials.length,
      state,
      value: template?.values?.[0] ?? template?.value ?? null,
      ...(template?.values ? { values: [...template.values] } : {}),
      params: { ...template?.params },
      distributions: { ...template?.distributions },
      intermediateValues: new Map(template?.intermediateValues),
      datetimeStart: state === TrialState.WAITING ? null : now,
      datetimeComplete: isFinished(state) ? now : null,
      userAttrs: { ...template?.userAttrs },
      systemAttrs: { ...template?.systemAttrs },
    };
    trials.push(trial);
    this.#locations.set(trial.id, [studyId, trial.number]);
    return trial;
  }

  getTrial(trialId: number): Promise<FrozenTrial> {
    return settle(() => this.#trial(trialId));
  }

  getAllTrials(studyId: number, states?: readonly TrialState[]): Promise<FrozenTrial[]> {
    return settle(() => {
      const trials = this.#trials(studyId);
      return states === undefined
        ? [...trials]
        : trials.filter((trial) => states.includes(trial.state));
    });
  }

  setTrialParam(
    trialId: number,
    name: string,
    value: ParamValue,
    distribution: Distribution,
  ): Promise<void> {
    return this.#update(trialId, (trial) => ({
      params: { ...trial.params, [name]: value },
      distributions: { ...trial.distributions, [name]: distribution },
    }));
  }

  setTrialState(
    trialId: number,
    state: TrialState,
    value: number | readonly number[] | null = null,
  ): Promise<void> {
    return this.#update(trialId, (trial) => {
      if (state === TrialState.RUNNING) {
        if (trial.state !== TrialState.WAITING) {
          throw new Error(
            `Trial ${trial.number} is ${trial.state}; only a WAITING trial can start`,
          );
        }
        return { state, datetimeStart: new Date() };
      }
      const finished = isFinished(state);
      const several = Array.isArray(value) ? [...value as readonly number[]] : null;
      return {
        state,
        value: finished ? (several ? several[0] ?? null : value as number | null) : trial.value,
        ...(finished && several ? { values: several } : {}),
        datetimeComplete: finished ? new Date() : null,
      };
    });
  }

  setTrialIntermediateValue(trialId: number, step: number, value: number): Promise<void> {
    return this.#update(trialId, (trial) => ({
      intermediateValues: new Map(trial.intermediateValues).set(step, value),
    }));
  }

  setTrialUserAttr(trialId: number, key: string, value: unknown): Promise<void> {
    return this.#update(trialId, (trial) => ({ userAttrs: { ...trial.userAttrs, [key]: value } }));
  }

  setTrialSystemAttr(trialId: number, key: string, value: unknown): Promise<void> {
    return this.#update(trialId, (trial) => ({
      systemAttrs: { ...trial.systemAttrs, [key]: value },
    }));
  }

  #trials(studyId: number): FrozenTrial[] {
    const trials = this.#trialsByStudy.get(studyId);
    if (!trials) throw new RangeError(`No study with id ${studyId} in this storage`);
    return trials;
  }

  #trial(trialId: number): FrozenTrial {
    const location = this.#locations.get(trialId);
    if (!location) throw new RangeError(`No trial with id ${trialId} in this storage`);
    return this.#trials(location[0])[location[1]];
  }

  /** Applies a change to an unfinished trial; the callback may throw to refuse it. */
  #update(trialId: number, change: (trial: FrozenTrial) => Partial<FrozenTrial>): Promise<void> {
    return settle(() => {
      const trial = this.#trial(trialId);
      if (isFinished(trial.state)) {
        throw new Error(`Trial ${trial.number} is already ${trial.state} and cannot change`);
      }
      this.#replace(trial, change(trial));
    });
  }

  #replace(trial: FrozenTrial, change: Partial<FrozenTrial>): FrozenTrial {
    const next = { ...trial, ...change };
    this.#trials(this.#locations.get(trial.id)![0])[trial.number] = next;
    return next;
  }
}

/** Runs synchronous work and reports its result or its error the way an async storage would. */
function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error);
  }
}
