/**
 * A study: one objective and its direction (or several, a multi-objective study), its trials, the
 * sampler that proposes parameters and the pruner that stops hopeless trials. The ask-and-tell core of Optuna 3.1's
 * `optuna/study/study.py` and `_tell.py`; `optimize()` runs the loop in `optimize.ts`.
 *
 * The study keeps a snapshot of its trials, refreshed from the storage at every `ask()` and
 * updated by its own writes: samplers read it, and so do `trials` and the `best*` getters.
 * `getTrials()` reads the storage afresh (what pruners use).
 *
 * @module
 */

import type { Distribution } from "./distributions.ts";
import {
  type FrozenTrial,
  lastStep,
  type ParamValue,
  type StudyDirection,
  TrialState,
} from "./frozen_trial.ts";
import { paretoFront } from "./multi_objective/dominance.ts";
import { type Objective, optimize, type OptimizeOptions } from "./optimize.ts";
import type { Pruner } from "./pruners/base.ts";
import { samplerView } from "./pruners/bracket_view.ts";
import type { Sampler } from "./samplers/base.ts";
import { type Storage, studyDirections, type StudyRecord, type TrialTemplate } from "./storage.ts";
import { Trial } from "./trial.ts";

export class Study {
  readonly id: number;
  readonly name: string;
  /** The first objective's direction. */
  readonly direction: StudyDirection;
  /** One direction per objective (one entry unless the study is multi-objective). */
  readonly directions: readonly StudyDirection[];
  readonly storage: Storage;
  readonly sampler: Sampler;
  readonly pruner: Pruner;
  #trials: FrozenTrial[] = [];
  #stopRequested = false;
  #optimizing = false;

  /** Made by `createStudy()`; not meant to be constructed directly. */
  constructor(record: StudyRecord, storage: Storage, sampler: Sampler, pruner: Pruner) {
    this.id = record.id;
    this.name = record.name;
    this.direction = record.direction;
    this.directions = studyDirections(record);
    this.storage = storage;
    this.sampler = sampler;
    this.pruner = pruner;
  }

  /** All trials as of the last `ask()`, `tell()` or `getTrials()`, ordered by number. */
  get trials(): readonly FrozenTrial[] {
    return this.#trials;
  }

  /** Whether the study has several objectives. */
  get isMultiObjective(): boolean {
    return this.directions.length > 1;
  }

  /**
   * The Pareto front: COMPLETE trials no other COMPLETE trial beats in every objective (Optuna's
   * `best_trials`); for a single objective, the trials sharing the best value.
   */
  get bestTrials(): FrozenTrial[] {
    return paretoFront(this.#trials, this.directions);
  }

  /** The COMPLETE trial with the best value (the earliest among ties); single objective only. */
  get bestTrial(): FrozenTrial {
    if (this.isMultiObjective) {
      throw new Error(
        `Study "${this.name}" has ${this.directions.length} objectives: it has no single best ` +
          "trial; read bestTrials (the Pareto front)",
      );
    }
    let best: FrozenTrial | null = null;
    for (const trial of this.#trials) {
      if (trial.state !== TrialState.COMPLETE) continue;
      if (best === null || this.#isBetter(trial.value!, best.value!)) best = trial;
    }
    if (best === null) throw new Error(`Study "${this.name}" has no COMPLETE trial yet`);
    return best;
  }

  get bestValue(): number {
    return this.bestTrial.value!;
  }

  get bestParams(): Record<string, ParamValue> {
    return { ...this.bestTrial.params };
  }

  /** Reads the trials from the storage; without `states` this also refreshes `trials`. */
  async getTrials(states?: readonly TrialState[]): Promise<FrozenTrial[]> {
    const trials = await this.storage.getAllTrials(this.id, states);
    if (states === undefined) this.#trials = [...trials];
    return trials;
  }

  /**
   * Starts a trial (the oldest enqueued one if any) and samples its relative search space.
   * `fixedDistributions` are suggested right away, so they appear in `trial.params`.
   */
  async ask(fixedDistributions: Record<string, Distribution> = {}): Promise<Trial> {
    const created = await this.storage.createTrial(this.id);
    await this.getTrials();
    // Under Hyperband the sampler sees only the trial's bracket, as in Optuna.
    const view = samplerView(this, created);
    await this.sampler.beforeTrial?.(view, created);
    const frozen = this.#trials[created.number] ?? created;
    const searchSpace = this.sampler.inferRelativeSearchSpace(view, frozen);
    const relativeParams = this.sampler.sampleRelative(view, frozen, searchSpace);
    const trial = new Trial(this, frozen, searchSpace, relativeParams);
    for (const [name, distribution] of Object.entries(fixedDistributions)) {
      trial.suggest(name, distribution);
    }
    return trial;
  }

  /**
   * Finishes a RUNNING trial: a number completes it (NaN or a non-number fails it, as in
   * Optuna), "PRUNED" records its last intermediate value, "FAIL" records none. A
   * multi-objective trial is told one number per direction; a wrong count or a NaN fails it.
   */
  async tell(
    trial: Trial | number,
    valueOrState: number | readonly number[] | "PRUNED" | "FAIL",
  ): Promise<FrozenTrial> {
    if (trial instanceof Trial) await trial.flush();
    const frozen = await this.storage.getTrial(await this.#trialId(trial));
    if (frozen.state !== TrialState.RUNNING) {
      throw new Error(
        `Trial ${frozen.number} is ${frozen.state}; only a RUNNING trial can be told`,
      );
    }
    let state: TrialState;
    let value: number | null = null;
    let values: readonly number[] | null = null;
    const nObjectives = this.directions.length;
    if (Array.isArray(valueOrState) || (nObjectives > 1 && typeof valueOrState === "number")) {
      const told: readonly unknown[] = Array.isArray(valueOrState) ? valueOrState : [valueOrState];
      const problem = told.length !== nObjectives
        ? `The objective returned ${told.length} value(s) for ${nObjectives} objective(s)`
        : told.some((v) => typeof v !== "number" || Number.isNaN(v))
        ? `The objective returned ${JSON.stringify(told)}; every value must be a number`
        : null;
      if (problem === null) {
        state = TrialState.COMPLETE;
        values = told as number[];
        value = values[0];
      } else {
        state = TrialState.FAIL;
        await this.storage.setTrialSystemAttr(frozen.id, "fail_reason", problem);
      }
    } else if (valueOrState === TrialState.PRUNED) {
      state = TrialState.PRUNED;
      const step = lastStep(frozen);
      const last = step === null ? NaN : frozen.intermediateValues.get(step)!;
      if (!Number.isNaN(last)) value = last;
    } else if (valueOrState === TrialState.FAIL) {
      state = TrialState.FAIL;
    } else if (typeof valueOrState === "number" && !Number.isNaN(valueOrState)) {
      state = TrialState.COMPLETE;
      value = valueOrState;
    } else if (typeof valueOrState === "string") {
      throw new RangeError(
        `Cannot tell trial ${frozen.number} "${valueOrState}"; tell a number, "PRUNED" or "FAIL"`,
      );
    } else {
      state = TrialState.FAIL;
      const reason = `The objective returned ${String(valueOrState)}; it must return a number`;
      await this.storage.setTrialSystemAttr(frozen.id, "fail_reason", reason);
    }
    try {
      await this.sampler.afterTrial?.(samplerView(this, frozen), frozen, state, value);
    } finally {
      await this.storage.setTrialState(frozen.id, state, nObjectives > 1 ? values : value);
    }
    return this.#remember(await this.storage.getTrial(frozen.id));
  }

  /**
   * Queues a trial whose parameters are fixed (a known good configuration, say); the next
   * `ask()` picks it up. Parameters it does not name are sampled as usual.
   */
  async enqueueTrial(
    params: Record<string, ParamValue>,
    userAttrs: Record<string, unknown> = {},
  ): Promise<void> {
    const trial = await this.storage.createTrial(this.id, {
      state: TrialState.WAITING,
      systemAttrs: { fixed_params: { ...params } },
      userAttrs,
    });
    this.#remember(trial);
  }

  /** Inserts a finished trial as given (imported results, hand-built histories). */
  async addTrial(template: TrialTemplate): Promise<FrozenTrial> {
    if (this.isMultiObjective && template.state === TrialState.COMPLETE) {
      if (template.values?.length !== this.directions.length) {
        throw new RangeError(
          `A COMPLETE trial needs ${this.directions.length} values, got ` +
            JSON.stringify(template.values ?? null),
        );
      }
    } else if (template.state === TrialState.COMPLETE && typeof template.value !== "number") {
      throw new RangeError(`A COMPLETE trial needs a numeric value, got ${template.value}`);
    }
    for (const [name, value] of Object.entries(template.params ?? {})) {
      const distribution = template.distributions?.[name];
      if (!distribution) throw new RangeError(`Parameter "${name}" has no distribution`);
      if (!distribution.contains(distribution.toInternal(value))) {
        throw new RangeError(`Parameter "${name}" = ${JSON.stringify(value)} is outside its range`);
      }
    }
    return this.#remember(await this.storage.createTrial(this.id, template));
  }

  /** Runs the objective on new trials until `nTrials`, `timeout` or `stop()`. */
  async optimize(objective: Objective, options: OptimizeOptions = {}): Promise<void> {
    if (this.#optimizing) throw new Error(`Study "${this.name}" is already optimizing`);
    this.#optimizing = true;
    this.#stopRequested = false;
    try {
      await optimize(this, objective, options, () => this.#stopRequested);
    } finally {
      this.#optimizing = false;
    }
  }

  /** Lets the running `optimize()` finish its current trial and return. */
  stop(): void {
    this.#stopRequested = true;
  }

  /** Bookkeeping for samplers and pruners (a grid point, a rung reached). */
  async setTrialSystemAttr(trialId: number, key: string, value: unknown): Promise<void> {
    await this.storage.setTrialSystemAttr(trialId, key, value);
    this.#remember(await this.storage.getTrial(trialId));
  }

  #isBetter(a: number, b: number): boolean {
    return this.direction === "minimize" ? a < b : a > b;
  }

  async #trialId(trial: Trial | number): Promise<number> {
    if (trial instanceof Trial) return trial.id;
    const known = Number.isInteger(trial)
      ? this.#trials[trial] ?? (await this.getTrials())[trial]
      : undefined;
    if (known === undefined) {
      throw new RangeError(`Study "${this.name}" has no trial number ${trial}`);
    }
    return known.id;
  }

  #remember(trial: FrozenTrial): FrozenTrial {
    if (trial.number <= this.#trials.length) this.#trials[trial.number] = trial;
    return trial;
  }
}
