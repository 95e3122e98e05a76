/**
 * The sampler plug-in interface, after Optuna 3.1's `BaseSampler`
 * (`optuna/samplers/_base.py`). When a trial starts, the study asks the sampler for a relative
 * search space and samples it jointly; every parameter outside it is then drawn one at a time by
 * `sampleIndependent` when the objective suggests it.
 *
 * Samplers run synchronously over `study.trials`, the snapshot the study took when the trial
 * started, so `suggest*` stays synchronous even over an async storage.
 *
 * @module
 */

import type { Distribution } from "../distributions.ts";
import type { FrozenTrial, ParamValue, TrialState } from "../frozen_trial.ts";
import type { Study } from "../study.ts";

/** Parameter name → distribution. */
export type SearchSpace = Record<string, Distribution>;

export interface Sampler {
  /** The parameters to sample jointly for `trial` (empty for independent samplers). */
  inferRelativeSearchSpace(study: Study, trial: FrozenTrial): SearchSpace;
  /** Values for some or all of `searchSpace`, chosen together; may be empty. */
  sampleRelative(
    study: Study,
    trial: FrozenTrial,
    searchSpace: SearchSpace,
  ): Record<string, ParamValue>;
  /** One value for a parameter outside the relative search space. */
  sampleIndependent(
    study: Study,
    trial: FrozenTrial,
    name: string,
    distribution: Distribution,
  ): ParamValue;
  /** Called once a trial is claimed, before any sampling (may write system attributes). */
  beforeTrial?(study: Study, trial: FrozenTrial): void | Promise<void>;
  /** Called when a trial finishes, before its final state is stored. */
  afterTrial?(
    study: Study,
    trial: FrozenTrial,
    state: TrialState,
    value: number | null,
  ): void | Promise<void>;
}
