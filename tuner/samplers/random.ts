/**
 * Independent uniform sampling, as Optuna 3.1's `RandomSampler` (`optuna/samplers/_random.py`):
 * uniform in the range, in log space for log ranges, uniform over the grid points of stepped
 * ranges, uniform over categorical choices. Draws from the seeded {@linkcode Rng}.
 *
 * @module
 */

import { Rng } from "../../engine/random.ts";
import { CategoricalDistribution, type Distribution, FloatDistribution } from "../distributions.ts";
import type { ParamValue } from "../frozen_trial.ts";
import type { Sampler } from "./base.ts";

export interface RandomSamplerOptions {
  /** Seed of the generator; without one, a random seed. */
  seed?: number;
}

export class RandomSampler implements Sampler {
  #rng: Rng;

  constructor(options: RandomSamplerOptions = {}) {
    this.#rng = new Rng(options.seed ?? randomSeed());
  }

  inferRelativeSearchSpace(): Record<string, Distribution> {
    return {};
  }

  sampleRelative(): Record<string, ParamValue> {
    return {};
  }

  sampleIndependent(
    _study: unknown,
    _trial: unknown,
    _name: string,
    distribution: Distribution,
  ): ParamValue {
    return sampleUniform(this.#rng, distribution);
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

/** A seed for samplers created without one. */
export function randomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0] | 0;
}
