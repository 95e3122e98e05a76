/**
 * The live trial an objective receives: `suggest*` draws parameters, `report` and `shouldPrune`
 * drive early stopping. Follows Optuna 3.1's `optuna/trial/_trial.py`.
 *
 * Suggestions are synchronous: the sampler works on the study's snapshot, and the writes to the
 * storage are queued in order and awaited by `shouldPrune()` and `study.tell()` (a failed write
 * surfaces there).
 *
 * @module
 */

import {
  CategoricalDistribution,
  type Distribution,
  FloatDistribution,
  IntDistribution,
  singleValue,
} from "./distributions.ts";
import { type FrozenTrial, type ParamValue, TrialState } from "./frozen_trial.ts";
import { samplerView } from "./pruners/bracket_view.ts";
import type { SearchSpace } from "./samplers/base.ts";
import type { Study } from "./study.ts";

/** Options of `suggestFloat` and `suggestInt`. */
export interface SuggestOptions {
  /** Sample on a log scale. */
  log?: boolean;
  /** Only values low, low + step, …; not with log. */
  step?: number;
}

export class Trial {
  readonly study: Study;
  /** Storage-wide identity. */
  readonly id: number;
  /** Position within the study. */
  readonly number: number;
  readonly datetimeStart: Date | null;
  #params: Record<string, ParamValue> = {};
  #distributions: Record<string, Distribution> = {};
  #intermediateValues = new Map<number, number>();
  #userAttrs: Record<string, unknown>;
  #systemAttrs: Readonly<Record<string, unknown>>;
  #relativeSearchSpace: SearchSpace;
  #relativeParams: Record<string, ParamValue>;
  #pendingWrites: Promise<void> = Promise.resolve();
  #writeError: unknown = null;

  /** Made by `study.ask()`; not meant to be constructed directly. */
  constructor(
    study: Study,
    frozen: FrozenTrial,
    relativeSearchSpace: SearchSpace,
    relativeParams: Record<string, ParamValue>,
  ) {
    this.study = study;
    this.id = frozen.id;
    this.number = frozen.number;
    this.datetimeStart = frozen.datetimeStart;
    this.#params = { ...frozen.params };
    this.#distributions = { ...frozen.distributions };
    this.#userAttrs = { ...frozen.userAttrs };
    this.#systemAttrs = frozen.systemAttrs;
    this.#relativeSearchSpace = relativeSearchSpace;
    this.#relativeParams = relativeParams;
  }

  /** The parameters suggested so far. */
  get params(): Record<string, ParamValue> {
    return { ...this.#params };
  }

  get distributions(): Record<string, Distribution> {
    return { ...this.#distributions };
  }

  get userAttrs(): Record<string, unknown> {
    return { ...this.#userAttrs };
  }

  /** A float in [low, high]; `log` samples its logarithm uniformly, `step` keeps to a grid. */
  suggestFloat(name: string, low: number, high: number, options: SuggestOptions = {}): number {
    const distribution = new FloatDistribution(low, high, { ...options, name });
    return this.suggest(name, distribution) as number;
  }

  /** An integer in [low, high]. */
  suggestInt(name: string, low: number, high: number, options: SuggestOptions = {}): number {
    const distribution = new IntDistribution(low, high, { ...options, name });
    return this.suggest(name, distribution) as number;
  }

  /** One of `choices` (strings, numbers, booleans or null). */
  suggestCategorical<T extends ParamValue>(name: string, choices: readonly T[]): T {
    return this.suggest(name, new CategoricalDistribution(choices, { name })) as T;
  }

  /**
   * Records an intermediate objective value (say, dev accuracy after an epoch) at a step ≥ 0.
   * As in Optuna, the first report for a step wins and later ones for it are ignored.
   */
  report(value: number, step: number): void {
    this.#refuseMultiObjective("report()");
    if (typeof value !== "number") {
      throw new TypeError(`Trial ${this.number}: report() needs a number, got ${String(value)}`);
    }
    if (!Number.isInteger(step) || step < 0) {
      throw new RangeError(
        `Trial ${this.number}: report() step must be an integer ≥ 0, got ${step}`,
      );
    }
    if (this.#intermediateValues.has(step)) return;
    this.#intermediateValues.set(step, value);
    this.#write((storage) => storage.setTrialIntermediateValue(this.id, step, value));
  }

  /** Asks the study's pruner whether to stop; if so, throw `TrialPruned` from the objective. */
  async shouldPrune(): Promise<boolean> {
    this.#refuseMultiObjective("shouldPrune()");
    await this.flush();
    const frozen = await this.study.storage.getTrial(this.id);
    return await this.study.pruner.prune(this.study, frozen);
  }

  setUserAttr(key: string, value: unknown): void {
    this.#userAttrs[key] = value;
    this.#write((storage) => storage.setTrialUserAttr(this.id, key, value));
  }

  /** Waits for the queued storage writes; rejects with the first one that failed. */
  async flush(): Promise<void> {
    await this.#pendingWrites;
    if (this.#writeError !== null) throw this.#writeError;
  }

  /** This trial as samplers see it: RUNNING, with what was suggested and reported so far. */
  toFrozen(): FrozenTrial {
    return {
      id: this.id,
      number: this.number,
      state: TrialState.RUNNING,
      value: null,
      params: { ...this.#params },
      distributions: { ...this.#distributions },
      intermediateValues: new Map(this.#intermediateValues),
      datetimeStart: this.datetimeStart,
      datetimeComplete: null,
      userAttrs: { ...this.#userAttrs },
      systemAttrs: this.#systemAttrs,
    };
  }

  /** A value from any distribution (what the `suggest*` shorthands and `study.ask()` call). */
  suggest(name: string, distribution: Distribution): ParamValue {
    const previous = this.#distributions[name];
    if (previous !== undefined) {
      if (!previous.equals(distribution)) {
        throw new Error(
          `Parameter "${name}" was suggested as ${JSON.stringify(previous)} and now as ` +
            `${JSON.stringify(distribution)}; a name keeps one distribution within a trial`,
        );
      }
      return this.#params[name];
    }
    const value = this.#choose(name, distribution);
    this.#params[name] = value;
    this.#distributions[name] = distribution;
    this.#write((storage) => storage.setTrialParam(this.id, name, value, distribution));
    return value;
  }

  #choose(name: string, distribution: Distribution): ParamValue {
    const fixed = this.#systemAttrs.fixed_params as Record<string, ParamValue> | undefined;
    if (fixed && name in fixed) {
      // Enqueued values are taken as given, even outside the range (Optuna does the same);
      // toInternal() still rejects a value of the wrong kind or an unknown choice.
      distribution.toInternal(fixed[name]);
      return fixed[name];
    }
    if (distribution.single()) return singleValue(distribution);
    const relative = this.#relativeSearchSpace[name];
    if (relative !== undefined && name in this.#relativeParams && relative.equals(distribution)) {
      const value = this.#relativeParams[name];
      if (distribution.contains(distribution.toInternal(value))) return value;
    }
    const frozen = this.toFrozen();
    const view = samplerView(this.study, frozen);
    return this.study.sampler.sampleIndependent(view, frozen, name, distribution);
  }

  /** Optuna raises NotImplementedError for these in multi-objective studies; so does this. */
  #refuseMultiObjective(what: string): void {
    if (this.study.directions.length > 1) {
      throw new Error(
        `Trial ${this.number}: ${what} is not supported for multi-objective optimization ` +
          "(pruning needs one objective)",
      );
    }
  }

  #write(operation: (storage: Study["storage"]) => Promise<void>): void {
    this.#pendingWrites = this.#pendingWrites
      .then(() => operation(this.study.storage))
      .catch((error) => {
        this.#writeError ??= error;
      });
  }
}
