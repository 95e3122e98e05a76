/**
 * Gaussian-process Bayesian optimisation, as Optuna 4's `GPSampler`
 * (`optuna/samplers/_gp/sampler.py`, Optuna 4.5–4.9; Optuna 3.1 has none) for single-objective
 * studies:
 *
 * - after `nStartupTrials` COMPLETE trials (before them, and for parameters outside the space all
 *   finished trials share, the random sampler with the same seed draws), the parameters of the
 *   COMPLETE trials are normalised to [0, 1] (`search_space.ts`) and their values standardised
 *   (sign-flipped to maximise, infinities clipped to the finite extremes);
 * - a GP with a Matérn-5/2 ARD kernel (`kernel.ts`, categorical parameters by Hamming distance) is
 *   fitted by maximising the marginal likelihood plus Optuna's priors (`fit.ts`), warm-started
 *   from this sampler's previous fit as Optuna's is;
 * - the next point maximises log expected improvement over the best value (`log_ei.ts`), found
 *   by random preliminary points and local searches from the best of them and the best trial
 *   (`optimise.ts`);
 * - trials running on other workers enter the posterior as if they had reached the best value,
 *   as Optuna ≥ 4.6 does, so that parallel workers spread out.
 *
 * Deterministic for a seed: trial n's random choices come from a generator keyed by (seed, n).
 * The warm start makes a fit depend on the fits this instance made before, as in Optuna.
 * Multi-objective studies and constraints are refused: Optuna's LogEHVI and constrained LogEI
 * are not here.
 *
 * @module
 */

import type { Distribution } from "../../distributions.ts";
import { type FrozenTrial, type ParamValue, TrialState, trialValues } from "../../frozen_trial.ts";
import type { Study } from "../../study.ts";
import type { Sampler, SearchSpace } from "../base.ts";
import { intersectionSearchSpace } from "../intersection_search_space.ts";
import { RandomSampler, randomSeed } from "../random.ts";
import { trialRng } from "../trial_rng.ts";
import { LogEiAcquisition } from "./acquisition.ts";
import { fitKernelParams } from "./fit.ts";
import { GpRegressor } from "./gp.ts";
import type { KernelParams } from "./kernel.ts";
import { optimiseAcquisition } from "./optimise.ts";
import { GpSearchSpace } from "./search_space.ts";

export interface GpSamplerOptions {
  /** Seed of every random choice; same seed, same objective → same search. */
  seed?: number;
  /** COMPLETE trials drawn at random before the GP takes over (Optuna: 10). */
  nStartupTrials?: number;
  /** Fix the noise variance at its minimum, for objectives without noise (Optuna: false). */
  deterministicObjective?: boolean;
  /** Random points scored before the local searches (Optuna: 2048). */
  nPreliminarySamples?: number;
  /** Local searches per trial (Optuna: 10). */
  nLocalSearch?: number;
}

/** Below this, standard deviations count as zero when standardising (Optuna's EPS). */
const EPS = 1e-10;

export class GpSampler implements Sampler {
  #seed: number;
  #randomSampler: RandomSampler;
  #nStartupTrials: number;
  #deterministic: boolean;
  #nPreliminarySamples: number;
  #nLocalSearch: number;
  /** The last fit, the next one's starting point (Optuna's `_gprs_cache_list`). */
  #cache: KernelParams | null = null;

  constructor(options: GpSamplerOptions = {}) {
    this.#seed = options.seed ?? randomSeed();
    this.#randomSampler = new RandomSampler({ seed: this.#seed });
    this.#nStartupTrials = options.nStartupTrials ?? 10;
    this.#deterministic = options.deterministicObjective ?? false;
    this.#nPreliminarySamples = options.nPreliminarySamples ?? 2048;
    this.#nLocalSearch = options.nLocalSearch ?? 10;
    const counts = {
      nStartupTrials: [this.#nStartupTrials, 0],
      nPreliminarySamples: [this.#nPreliminarySamples, 1],
      nLocalSearch: [this.#nLocalSearch, 2],
    } as const;
    for (const [name, [value, min]] of Object.entries(counts)) {
      if (!(Number.isInteger(value) && value >= min)) {
        throw new RangeError(`GP sampler ${name} must be an integer ≥ ${min}, got ${value}`);
      }
    }
  }

  inferRelativeSearchSpace(study: Study): SearchSpace {
    if (study.isMultiObjective) {
      throw new RangeError(
        `The GP sampler handles single-objective studies only; study "${study.name}" has ` +
          `${study.directions.length} objectives: use "tpe" (MOTPE) or "nsga2"`,
      );
    }
    const space = intersectionSearchSpace(study.trials);
    return Object.fromEntries(Object.entries(space).filter(([, d]) => !d.single()));
  }

  sampleRelative(
    study: Study,
    trial: FrozenTrial,
    searchSpace: SearchSpace,
  ): Record<string, ParamValue> {
    if (Object.keys(searchSpace).length === 0) return {};
    const trials = study.trials.filter((t) => t.state === TrialState.COMPLETE);
    if (trials.length < this.#nStartupTrials) return {};
    const space = new GpSearchSpace(searchSpace);
    const points = trials.map((t) => space.normalize(t.params));
    const sign = study.direction === "minimize" ? -1 : 1;
    const values = standardize(trials.map((t) => sign * trialValues(t)![0]));

    if (this.#cache && this.#cache.inverseSquaredLengthscales.length !== space.dim) {
      this.#cache = null;
    }
    const params = fitKernelParams(points, values, space.isCategorical, {
      deterministic: this.#deterministic,
      initial: this.#cache,
    });
    this.#cache = params;
    let best = 0;
    for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
    // Trials running elsewhere count as if they had reached the best value (Optuna ≥ 4.6's
    // "best" constant liar, with the kernel fitted to the complete trials only): the posterior
    // is certain there, so parallel workers do not sample the same point.
    const running = study.trials.filter((t) =>
      t.state === TrialState.RUNNING && t.number !== trial.number &&
      space.names.every((name, i) =>
        name in t.params && t.distributions[name]?.equals(space.distributions[i])
      )
    ).map((t) => space.normalize(t.params));
    const gp = new GpRegressor(
      [...points, ...running],
      [...values, ...running.map(() => values[best])],
      space.isCategorical,
      params,
    );
    const acquisition = new LogEiAcquisition(gp, space, values[best]);
    const { x } = optimiseAcquisition(acquisition, {
      rng: trialRng(this.#seed, trial.number, `gp:${JSON.stringify(space.names)}`),
      warmStarts: [points[best]],
      nPreliminarySamples: this.#nPreliminarySamples,
      nLocalSearch: this.#nLocalSearch,
    });
    return space.unnormalize(x);
  }

  sampleIndependent(
    study: Study,
    trial: FrozenTrial,
    name: string,
    distribution: Distribution,
  ): ParamValue {
    return this.#randomSampler.sampleIndependent(study, trial, name, distribution);
  }
}

/**
 * (v − mean) / std with the population std, as Optuna's `_standardize_values`; non-finite values
 * are first clipped to the finite extremes (0 when none is finite).
 */
export function standardize(raw: readonly number[]): Float64Array {
  const finite = raw.filter(Number.isFinite);
  const low = finite.length ? Math.min(...finite) : 0;
  const high = finite.length ? Math.max(...finite) : 0;
  const clipped = raw.map((v) => Number.isFinite(v) ? v : v > 0 ? high : low);
  const mean = clipped.reduce((sum, v) => sum + v, 0) / clipped.length;
  const variance = clipped.reduce((sum, v) => sum + (v - mean) ** 2, 0) / clipped.length;
  const std = Math.max(Math.sqrt(variance), EPS);
  return Float64Array.from(clipped, (v) => (v - mean) / std);
}
