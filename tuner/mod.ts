/**
 * ajuste's hyperparameter tuner: Optuna's study/trial API in TypeScript, with no dependencies
 * beyond the Deno runtime.
 *
 * - Studies: {@linkcode createStudy}, `study.optimize()`, `ask()`/`tell()`, `enqueueTrial()`,
 *   `bestParams`/`bestValue`/`bestTrial`/`trials`.
 * - Samplers: {@linkcode TpeSampler} (default), {@linkcode RandomSampler}, {@linkcode GridSampler},
 *   {@linkcode NsgaIISampler} (multi-objective), {@linkcode CmaEsSampler}, {@linkcode QmcSampler}.
 * - Multi-objective studies: `createStudy({ directions })`, `study.bestTrials` (the Pareto
 *   front), {@linkcode hypervolume}; constraints through a sampler's `constraintsFunc`.
 * - Pruners: {@linkcode MedianPruner} (default), {@linkcode PercentilePruner},
 *   {@linkcode SuccessiveHalvingPruner} (ASHA), {@linkcode HyperbandPruner},
 *   {@linkcode ThresholdPruner}, {@linkcode PatientPruner}, {@linkcode NopPruner}.
 * - Storages: the {@linkcode Storage} interface and {@linkcode InMemoryStorage}.
 * - {@linkcode paramImportances} (fANOVA) and the plain-JSON builders of `from_spec.ts`.
 *
 * @example
 * ```ts
 * import { createStudy } from "./mod.ts";
 *
 * const study = await createStudy({ direction: "minimize", seed: 0 });
 * await study.optimize((trial) => {
 *   const x = trial.suggestFloat("x", -10, 10);
 *   return (x - 2) ** 2;
 * }, { nTrials: 50 });
 * console.log(study.bestParams, study.bestValue);
 * ```
 *
 * @module
 */

export { createStudy, type CreateStudyOptions } from "./create_study.ts";
export { Study } from "./study.ts";
export { type SuggestOptions, Trial } from "./trial.ts";
export { TrialPruned } from "./errors.ts";
export type { Objective, OptimizeOptions } from "./optimize.ts";
export {
  type FrozenTrial,
  isFinished,
  lastStep,
  type ParamValue,
  type StudyDirection,
  TrialState,
} from "./frozen_trial.ts";
export {
  CategoricalDistribution,
  type Distribution,
  distributionFromJson,
  type DistributionJson,
  FloatDistribution,
  IntDistribution,
} from "./distributions.ts";
export type { Storage, StudyRecord, TrialTemplate } from "./storage.ts";
export { InMemoryStorage } from "./in_memory_storage.ts";
export type { Sampler, SearchSpace } from "./samplers/base.ts";
export { RandomSampler, type RandomSamplerOptions } from "./samplers/random.ts";
export { GridSampler, type GridSamplerOptions } from "./samplers/grid.ts";
export { NsgaIISampler, type NsgaIISamplerOptions } from "./samplers/nsga2/sampler.ts";
export { CmaEsSampler, type CmaEsSamplerOptions } from "./samplers/cmaes/sampler.ts";
export { QmcSampler, type QmcSamplerOptions } from "./samplers/qmc/sampler.ts";
export type { ConstraintsFunc } from "./multi_objective/constraints.ts";
export { hypervolume } from "./multi_objective/hypervolume.ts";
export { paretoFront } from "./multi_objective/dominance.ts";
export {
  defaultGamma,
  defaultWeights,
  TpeSampler,
  type TpeSamplerOptions,
} from "./samplers/tpe/sampler.ts";
export type { Pruner } from "./pruners/base.ts";
export { NopPruner } from "./pruners/nop.ts";
export { PercentilePruner, type PercentilePrunerOptions } from "./pruners/percentile.ts";
export { MedianPruner } from "./pruners/median.ts";
export {
  SuccessiveHalvingPruner,
  type SuccessiveHalvingPrunerOptions,
} from "./pruners/successive_halving.ts";
export { HyperbandPruner, type HyperbandPrunerOptions } from "./pruners/hyperband.ts";
export { ThresholdPruner, type ThresholdPrunerOptions } from "./pruners/threshold.ts";
export { PatientPruner, type PatientPrunerOptions } from "./pruners/patient.ts";
export { type ImportanceOptions, type ParamImportance, paramImportances } from "./importance.ts";
export {
  gridFromSpace,
  type ParamSpec,
  prunerFromSpec,
  type PrunerSpec,
  samplerFromSpec,
  type SamplerSpec,
  suggestFromSpace,
} from "./from_spec.ts";
