/**
 * Quasi-Monte Carlo sampling as Optuna 3.1's `QMCSampler` (`optuna/samplers/_qmc.py`): the
 * first trial is sampled independently (random) and fixes the search space, its float and int
 * parameters (categorical ones stay random, as do parameters that trial did not have); each
 * later trial takes the next point of a Sobol' or Halton sequence, scaled into the transformed
 * box (log ranges in log space, steps and integers padded half a step, then rounded back).
 * `scramble` (off by default, as in Optuna) randomises the sequence by `seed`.
 *
 * Optuna counts samples in a study system attribute; here the point's index is the trial's
 * number less the first trial's number less one, the same as Optuna's count when trials run one
 * after another and, without a shared counter, still distinct for workers sharing a study.
 *
 * @module
 */

import type { Distribution } from "../../distributions.ts";
import { type FrozenTrial, type ParamValue, TrialState } from "../../frozen_trial.ts";
import type { Study } from "../../study.ts";
import type { Sampler, SearchSpace } from "../base.ts";
import { SearchSpaceTransform } from "../cmaes/transform.ts";
import { RandomSampler, randomSeed } from "../random.ts";
import { Halton, Sobol } from "./sequences.ts";

export const QMC_TYPES = ["sobol", "halton"] as const;
export type QmcType = typeof QMC_TYPES[number];

export interface QmcSamplerOptions {
  /** "sobol" (the default) or "halton". */
  qmcType?: QmcType;
  /** Randomise the sequence (Optuna: off, so that every worker draws the same points). */
  scramble?: boolean;
  seed?: number;
}

export class QmcSampler implements Sampler {
  readonly qmcType: QmcType;
  #scramble: boolean;
  #seed: number;
  #random: RandomSampler;
  #initial: { firstNumber: number; space: SearchSpace } | null = null;
  #engines = new Map<number, Sobol | Halton>();

  constructor(options: QmcSamplerOptions = {}) {
    this.qmcType = options.qmcType ?? "sobol";
    if (!QMC_TYPES.includes(this.qmcType)) {
      throw new RangeError(
        `QMC type is ${JSON.stringify(this.qmcType)}; use "sobol" or "halton"`,
      );
    }
    this.#scramble = options.scramble ?? false;
    this.#seed = options.seed ?? randomSeed();
    this.#random = new RandomSampler({ seed: this.#seed });
  }

  inferRelativeSearchSpace(study: Study): SearchSpace {
    if (this.#initial !== null) return this.#initial.space;
    let first: FrozenTrial | null = null;
    for (const t of study.trials) {
      if (t.state !== TrialState.COMPLETE && t.state !== TrialState.PRUNED) continue;
      if (first === null || t.number < first.number) first = t;
    }
    if (first === null) return {};
    const space = Object.fromEntries(
      Object.entries(first.distributions).filter(([, d]) => d.type !== "categorical"),
    );
    this.#initial = { firstNumber: first.number, space };
    return space;
  }

  sampleRelative(
    _study: Study,
    trial: FrozenTrial,
    searchSpace: SearchSpace,
  ): Record<string, ParamValue> {
    const names = Object.keys(searchSpace);
    if (names.length === 0 || this.#initial === null) return {};
    const index = trial.number - this.#initial.firstNumber - 1;
    if (index < 0) return {};
    const trans = new SearchSpaceTransform(searchSpace);
    const u = this.#engine(names.length).point(index);
    return trans.untransform(u.map((ui, i) => {
      const [low, high] = trans.bounds[i];
      return low + ui * (high - low);
    }));
  }

  sampleIndependent(
    study: Study,
    trial: FrozenTrial,
    name: string,
    distribution: Distribution,
  ): ParamValue {
    return this.#random.sampleIndependent(study, trial, name, distribution);
  }

  #engine(dim: number): Sobol | Halton {
    let engine = this.#engines.get(dim);
    if (engine === undefined) {
      const options = { scramble: this.#scramble, seed: this.#seed };
      engine = this.qmcType === "sobol" ? new Sobol(dim, options) : new Halton(dim, options);
      this.#engines.set(dim, engine);
    }
    return engine;
  }
}
