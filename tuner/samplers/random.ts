/**
 * Independent uniform sampling, as Optuna 3.1's `RandomSampler` (`optuna/samplers/_random.py`):
 * uniform in the range, in log space for log ranges, uniform over the grid points of stepped
 * ranges, uniform over categorical choices. Each parameter of each trial draws from its own
 * generator, keyed by (seed, trial number, parameter name) ({@linkcode trialRng}): the same seed
 * gives the same parameters for the same trial number whichever sampler instance (worker process)
 * samples it, and instances sharing a study never repeat each other's draws.
 *
 * @module
 */

import type { Rng } from "../../engine/random.ts";
import { CategoricalDistribution, type Distribution, FloatDistribution } from "../distributions.ts";
import type { FrozenTrial, ParamValue } from "../frozen_trial.ts";
import type { Sampler } from "./base.ts";
import { trialRng } from "./trial_rng.ts";

export interface RandomSamplerOptions {
  /** Seed of the per-trial generators; without one, a random seed (from crypto randomness). */
  seed?: number;
}

export class RandomSampler implements Sampler {
  #seed: number;

  constructor(options: RandomSamplerOptions = {}) {
    this.#seed = options.seed ?? randomSeed();
  }

  inferRelativeSearchSpace(): Record<string, Distribution> {
    return {};
  }

  sampleRelative(): Record<string, ParamValue> {
    return {};
  }

  sampleIndependent(
    _study: unknown,
    trial: FrozenTrial,
    name: string,
    distribution: Distribution,
  ): ParamValue {
    return sampleUniform(trialRng(this.#seed, trial.number, `random:${name}`), distribution);
  }
}

/** One uniform draw from `distribution` (also TPE's draw before it has enough trials). */
export function sampleUniform(rng: Rng, distribution: Distribution): ParamValue {
  if (distribution instanceof CategoricalDistribution) {
    return distribution.choices[rng.int(distribution.choices.length)];
  }
  const { low, high, log } = distribution;
  if (log) {
    // Integers: log-uniform over [low − ½, high + ½], then rounded, as Optuna's transform does.
    const pad = distribution instanceof FloatDistribution ? 0 : 0.5;
    const logLow = Math.log(low - pad), logHigh = Math.log(high + pad);
    const value = Math.exp(logLow + rng.uniform() * (logHigh - logLow));
    const rounded = distribution instanceof FloatDistribution ? value : Math.round(value);
    return Math.min(Math.max(rounded, low), high);
  }
  const step = distribution.step;
  if (step === null) return low + rng.uniform() * (high - low);
  const points = Math.round((high - low) / step) + 1;
  return Math.min(low + rng.int(points) * step, high);
}

/**
 * A seed for samplers created without one, from the system's cryptographic randomness, so that
 * unseeded samplers in different processes draw different streams.
 */
export function randomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0];
}
