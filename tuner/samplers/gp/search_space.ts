/**
 * The GP's view of a search space, as Optuna 4's `optuna/_gp/search_space.py`: every numeric
 * parameter maps to [0, 1] — linearly, or linearly in its logarithm for a log range — over
 * [low − step/2, high + step/2], so each point of a stepped or integer range owns an equal slice;
 * a categorical parameter keeps its choice index (the kernel compares indices only for
 * equality). Stepped and integer parameters are discrete: the optimiser keeps them on the
 * normalised images of their grid points. Optuna draws its preliminary points by scrambled Sobol
 * sampling; here they are uniform draws from the trial's generator.
 *
 * @module
 */

import type { Rng } from "../../../engine/random.ts";
import {
  CategoricalDistribution,
  type Distribution,
  IntDistribution,
} from "../../distributions.ts";
import type { ParamValue } from "../../frozen_trial.ts";
import type { SearchSpace } from "../base.ts";

export class GpSearchSpace {
  readonly names: readonly string[];
  readonly distributions: readonly Distribution[];
  readonly dim: number;
  readonly isCategorical: readonly boolean[];
  /** Indices of stepped, integer and categorical parameters. */
  readonly discreteIndices: readonly number[];
  readonly continuousIndices: readonly number[];
  /** Per parameter: the step (0 for a continuous range, 1 for choices). */
  readonly #steps: readonly number[];

  constructor(space: SearchSpace) {
    this.names = Object.keys(space);
    this.distributions = this.names.map((name) => space[name]);
    this.dim = this.names.length;
    this.isCategorical = this.distributions.map((d) => d instanceof CategoricalDistribution);
    this.#steps = this.distributions.map((d) =>
      d instanceof CategoricalDistribution ? 1 : d.step ?? 0
    );
    this.discreteIndices = this.#steps.flatMap((step, i) => step > 0 ? [i] : []);
    this.continuousIndices = this.#steps.flatMap((step, i) => step === 0 ? [i] : []);
  }

  /** The normalised point of one trial's parameters. */
  normalize(params: Readonly<Record<string, ParamValue>>): Float64Array {
    return Float64Array.from(this.distributions, (distribution, i) => {
      const internal = distribution.toInternal(params[this.names[i]]);
      return this.isCategorical[i] ? internal : this.#toUnit(i, internal);
    });
  }

  /** The parameters of a normalised point: clipped to the range, integers and steps rounded. */
  unnormalize(x: ArrayLike<number>): Record<string, ParamValue> {
    const params: Record<string, ParamValue> = {};
    this.distributions.forEach((distribution, i) => {
      if (distribution instanceof CategoricalDistribution) {
        params[this.names[i]] = distribution.toExternal(x[i]);
        return;
      }
      const { low, high } = distribution;
      const value = Math.min(Math.max(this.#fromUnit(i, x[i]), low), high);
      const step = this.#steps[i];
      const onGrid = step > 0
        ? Number((low + Math.round((value - low) / step) * step).toPrecision(15))
        : value;
      params[this.names[i]] = distribution instanceof IntDistribution
        ? Math.round(onGrid)
        : Math.min(onGrid, high);
    });
    return params;
  }

  /** `n` uniform points, discrete parameters on their grids. */
  sample(n: number, rng: Rng): Float64Array[] {
    return Array.from(
      { length: n },
      () =>
        Float64Array.from(this.distributions, (distribution, i) => {
          const u = rng.uniform();
          if (distribution instanceof CategoricalDistribution) {
            return Math.floor(u * distribution.choices.length);
          }
          return this.#steps[i] > 0 ? this.round(i, u) : u;
        }),
    );
  }

  /** Parameter i's normalised value moved to the nearest grid point, as Optuna rounds. */
  round(i: number, unit: number): number {
    const distribution = this.distributions[i], step = this.#steps[i];
    if (step === 0 || distribution instanceof CategoricalDistribution) return unit;
    const { low, high } = distribution;
    const value = this.#fromUnit(i, unit);
    const rounded = Math.min(
      Math.max(Math.floor((value - low + 0.5 * step) / step) * step + low, low),
      high,
    );
    return this.#toUnit(i, rounded);
  }

  /** The normalised values each discrete parameter may take, ascending, by discrete index. */
  discreteChoices(): Float64Array[] {
    return this.discreteIndices.map((i) => {
      const distribution = this.distributions[i];
      if (distribution instanceof CategoricalDistribution) {
        return Float64Array.from(distribution.choices, (_, k) => k);
      }
      const step = this.#steps[i];
      const count = Math.round((distribution.high - distribution.low) / step) + 1;
      return Float64Array.from(
        { length: count },
        (_, k) => this.#toUnit(i, distribution.low + k * step),
      );
    });
  }

  #bounds(i: number): [number, number] {
    const distribution = this.distributions[i] as Exclude<Distribution, CategoricalDistribution>;
    const half = 0.5 * this.#steps[i];
    const low = distribution.low - half, high = distribution.high + half;
    return distribution.log ? [Math.log(low), Math.log(high)] : [low, high];
  }

  #toUnit(i: number, value: number): number {
    const [low, high] = this.#bounds(i);
    if (high === low) return 0.5;
    const scaled = (this.distributions[i] as { log: boolean }).log ? Math.log(value) : value;
    return (scaled - low) / (high - low);
  }

  #fromUnit(i: number, unit: number): number {
    const [low, high] = this.#bounds(i);
    const scaled = unit * (high - low) + low;
    return (this.distributions[i] as { log: boolean }).log ? Math.exp(scaled) : scaled;
  }
}
