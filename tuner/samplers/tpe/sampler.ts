/**
 * Tree-structured Parzen Estimator sampling (Bergstra et al., "Algorithms for Hyper-Parameter
 * Optimization", NeurIPS 2011; https://papers.nips.cc/paper/4443), with the defaults and
 * behaviour of Optuna 3.1's `TPESampler` (`optuna/samplers/_tpe/sampler.py`).
 *
 * After `nStartupTrials` random trials, the finished trials are split into the best γ(n) (the
 * "below" group) and the rest; a Parzen estimator l(x) is fitted to the first, g(x) to the second,
 * `nEiCandidates` candidates are drawn from l(x), and the one with the largest l(x)/g(x) wins,
 * which maximises expected improvement. Univariate by default: each parameter on its own; with
 * `multivariate`, the parameters every finished trial shares are sampled jointly (Falkner et al.,
 * BOHB, ICML 2018).
 *
 * In a multi-objective study it is Optuna 3.1's MOTPE: COMPLETE trials only, split by
 * non-domination rank and hypervolume subset selection, the good group weighted by hypervolume
 * contribution (`multi_objective.ts`). With constraints (`constraintsFunc`), feasible trials rank
 * above infeasible ones, which rank by total violation.
 *
 * Randomness is per trial: the start-up draws and the EI candidates of trial n come from
 * generators keyed by (seed, n, parameter) ({@linkcode trialRng}), so workers sharing a study with
 * one seed do not repeat each other's draws, and a resumed study carries on from where it stopped.
 *
 * @module
 */

import type { Distribution } from "../../distributions.ts";
import type { FrozenTrial, ParamValue, TrialState } from "../../frozen_trial.ts";
import type { Study } from "../../study.ts";
import type { Sampler, SearchSpace } from "../base.ts";
import { intersectionSearchSpace } from "../intersection_search_space.ts";
import { RandomSampler, randomSeed } from "../random.ts";
import { trialRng } from "../trial_rng.ts";
import { countFinished, getObservations, splitObservations } from "./observations.ts";
import { weightsBelow } from "./multi_objective.ts";
import {
  type ConstraintsFunc,
  processConstraintsAfterTrial,
} from "../../multi_objective/constraints.ts";
import { ParzenEstimator, type ParzenEstimatorParameters } from "./parzen_estimator.ts";

export interface TpeSamplerOptions {
  /** Seed of every random choice the sampler makes; same seed, same objective → same search. */
  seed?: number;
  /** Random trials before TPE takes over (Optuna: 10). */
  nStartupTrials?: number;
  /** Candidates drawn from l(x) per sample (Optuna: 24). */
  nEiCandidates?: number;
  /** Size of the "below" group for n finished trials (Optuna: min(⌈0.1·n⌉, 25)). */
  gamma?: (n: number) => number;
  /** Weights of n observations, oldest first (Optuna: {@linkcode defaultWeights}). */
  weights?: (n: number) => number[];
  /** Add the prior N((low + high)/2, (high − low)²) as a component (Optuna: true). */
  considerPrior?: boolean;
  priorWeight?: number;
  considerMagicClip?: boolean;
  considerEndpoints?: boolean;
  /** Sample the shared parameters jointly. */
  multivariate?: boolean;
  /** Treat RUNNING trials as the worst ones, so that parallel workers spread out. */
  constantLiar?: boolean;
  /**
   * Constraint values of a finished trial, each ≤ 0 when satisfied (Optuna's
   * `constraints_func`): feasible trials rank above infeasible ones.
   */
  constraintsFunc?: ConstraintsFunc;
  /** Rank by the `constraints` system attribute even without a `constraintsFunc`. */
  constrained?: boolean;
}

/** γ(n) = min(⌈0.1·n⌉, 25), Optuna's `default_gamma`. */
export function defaultGamma(n: number): number {
  return Math.min(Math.ceil(0.1 * n), 25);
}

/**
 * Optuna's `default_weights`: equal weights below 25 observations; beyond, the 25 most recent
 * keep weight 1 and older ones ramp linearly from 1/n up to 1 (Bergstra et al., ICML 2013).
 */
export function defaultWeights(n: number): number[] {
  if (n < 25) return new Array(n).fill(1);
  const rampLength = n - 25;
  const ramp = Array.from(
    { length: rampLength },
    (_, i) => rampLength === 1 ? 1 / n : 1 / n + (i * (1 - 1 / n)) / (rampLength - 1),
  );
  return [...ramp, ...new Array(25).fill(1)];
}

export class TpeSampler implements Sampler {
  #seed: number;
  #randomSampler: RandomSampler;
  #nStartupTrials: number;
  #nEiCandidates: number;
  #gamma: (n: number) => number;
  #multivariate: boolean;
  #constantLiar: boolean;
  #parzen: ParzenEstimatorParameters;
  #constraintsFunc: ConstraintsFunc | null;
  #constrained: boolean;
  /**
   * The last multi-objective split and its weights, by study, trial and observation count: each
   * parameter of a trial samples from the same split, which costs a sort and a subset selection.
   */
  #moSplit: { key: string; below: number[]; above: number[]; weights: number[] } | null = null;

  constructor(options: TpeSamplerOptions = {}) {
    this.#seed = options.seed ?? randomSeed();
    // Start-up trials are the random sampler's with the same seed.
    this.#randomSampler = new RandomSampler({ seed: this.#seed });
    this.#nStartupTrials = options.nStartupTrials ?? 10;
    this.#nEiCandidates = options.nEiCandidates ?? 24;
    this.#gamma = options.gamma ?? defaultGamma;
    this.#multivariate = options.multivariate ?? false;
    this.#constantLiar = options.constantLiar ?? false;
    this.#constraintsFunc = options.constraintsFunc ?? null;
    this.#constrained = this.#constraintsFunc !== null || (options.constrained ?? false);
    this.#parzen = {
      considerPrior: options.considerPrior ?? true,
      priorWeight: options.priorWeight ?? 1,
      considerMagicClip: options.considerMagicClip ?? true,
      considerEndpoints: options.considerEndpoints ?? false,
      weights: options.weights ?? defaultWeights,
      multivariate: this.#multivariate,
    };
    if (!(Number.isInteger(this.#nStartupTrials) && this.#nStartupTrials >= 0)) {
      throw new RangeError(
        `TPE nStartupTrials must be an integer ≥ 0, got ${this.#nStartupTrials}`,
      );
    }
    if (!(Number.isInteger(this.#nEiCandidates) && this.#nEiCandidates >= 1)) {
      throw new RangeError(`TPE nEiCandidates must be an integer ≥ 1, got ${this.#nEiCandidates}`);
    }
    if (!(this.#parzen.priorWeight > 0)) {
      throw new RangeError(`TPE priorWeight must be positive, got ${this.#parzen.priorWeight}`);
    }
  }

  inferRelativeSearchSpace(study: Study): SearchSpace {
    if (!this.#multivariate) return {};
    const space = intersectionSearchSpace(study.trials, { includePruned: true });
    return Object.fromEntries(Object.entries(space).filter(([, d]) => !d.single()));
  }

  sampleRelative(
    study: Study,
    trial: FrozenTrial,
    searchSpace: SearchSpace,
  ): Record<string, ParamValue> {
    const names = Object.keys(searchSpace);
    if (names.length === 0) return {};
    const internal = this.#sample(study, trial, searchSpace);
    if (internal === null) return {};
    return Object.fromEntries(names.map((name) => [
      name,
      searchSpace[name].toExternal(internal[name]),
    ]));
  }

  sampleIndependent(
    study: Study,
    trial: FrozenTrial,
    name: string,
    distribution: Distribution,
  ): ParamValue {
    const internal = this.#sample(study, trial, { [name]: distribution });
    if (internal === null) {
      return this.#randomSampler.sampleIndependent(study, trial, name, distribution);
    }
    return distribution.toExternal(internal[name]);
  }

  async afterTrial(study: Study, trial: FrozenTrial, state: TrialState): Promise<void> {
    if (this.#constraintsFunc !== null) {
      await processConstraintsAfterTrial(this.#constraintsFunc, study, trial, state);
    }
  }

  /** The good and bad groups (and MOTPE's weights of the good one), memoised across a trial. */
  #split(
    study: Study,
    trial: FrozenTrial,
    scores: Parameters<typeof splitObservations>[0],
    n: number,
    losses: number[][] | null,
    violations: number[] | null,
  ): { below: number[]; above: number[]; weights: number[] | null } {
    const nBelow = this.#gamma(n);
    if (losses === null) {
      return { ...splitObservations(scores, nBelow, { violations }), weights: null };
    }
    const key = `${study.id}:${trial.number}:${scores.length}:${nBelow}`;
    if (this.#moSplit?.key !== key) {
      const { below, above } = splitObservations(scores, nBelow, { losses, violations });
      this.#moSplit = { key, below, above, weights: weightsBelow(losses, below, violations) };
    }
    const { below, above, weights } = this.#moSplit;
    return { below, above, weights };
  }

  /** The TPE choice for `searchSpace`, or null while there are fewer than nStartupTrials. */
  #sample(
    study: Study,
    trial: FrozenTrial,
    searchSpace: SearchSpace,
  ): Record<string, number> | null {
    const names = Object.keys(searchSpace);
    const { values, scores, losses, violations } = getObservations(
      study.trials,
      names,
      study.directions,
      this.#constantLiar,
      this.#constrained,
    );
    const n = countFinished(scores);
    if (n < this.#nStartupTrials) return null;
    const { below, above, weights } = this.#split(study, trial, scores, n, losses, violations);
    // Trials without the (first) parameter are left out of both groups, as in Optuna.
    const present = (index: number) => values[names[0]][index] !== null;
    const pick = (indices: number[]) =>
      Object.fromEntries(names.map((name) => [
        name,
        indices.filter(present).map((i) => values[name][i]!),
      ]));
    // MOTPE weighs the good group by hypervolume contribution instead of recency.
    let parzenBelow = this.#parzen;
    if (losses !== null) {
      const kept = weights!.filter((_, j) => present(below[j]));
      parzenBelow = { ...this.#parzen, weights: () => kept };
    }
    const l = new ParzenEstimator(pick(below), searchSpace, parzenBelow);
    const g = new ParzenEstimator(pick(above), searchSpace, this.#parzen);
    const rng = trialRng(this.#seed, trial.number, `tpe:${JSON.stringify(names)}`);
    const candidates = l.sample(rng, this.#nEiCandidates);
    const logL = l.logPdf(candidates), logG = g.logPdf(candidates);
    let best = 0;
    for (let i = 1; i < logL.length; i++) {
      if (logL[i] - logG[i] > logL[best] - logG[best]) best = i;
    }
    return Object.fromEntries(names.map((name) => [name, candidates[name][best]]));
  }
}
