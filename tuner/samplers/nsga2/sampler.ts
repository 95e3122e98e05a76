/**
 * NSGA-II (Deb et al., "A fast and elitist multiobjective genetic algorithm: NSGA-II", IEEE TEVC
 * 2002) with the defaults and behaviour of Optuna 3.1's `NSGAIISampler`
 * (`optuna/samplers/nsgaii/_sampler.py`, `_crossover.py`): populations of 50; a child of
 * generation g + 1 takes, with probability 0.9, a uniform crossover of two parents (each picked
 * by a binary tournament on domination among generation g's elite, each parameter swapped with
 * probability 0.5), else a random parent's parameters; each parameter then mutates (is drawn
 * afresh, uniformly) with probability 1 / (number of parameters). The first generation is
 * random. With `constraintsFunc`, domination is constrained domination (feasible first, then
 * smaller total violation).
 *
 * Generations are recorded on the trials (`nsga2:generation`), so workers sharing a study evolve
 * one population. Randomness is per trial ({@linkcode trialRng}), as the other samplers here.
 *
 * @module
 */

import type { Distribution } from "../../distributions.ts";
import type { FrozenTrial, ParamValue, TrialState } from "../../frozen_trial.ts";
import {
  type ConstraintsFunc,
  processConstraintsAfterTrial,
} from "../../multi_objective/constraints.ts";
import {
  constrainedDominates,
  dominates,
  type DominatesFn,
} from "../../multi_objective/dominance.ts";
import type { Study } from "../../study.ts";
import type { Sampler, SearchSpace } from "../base.ts";
import { intersectionSearchSpace } from "../intersection_search_space.ts";
import { RandomSampler, randomSeed } from "../random.ts";
import { trialRng } from "../trial_rng.ts";
import { collectParentPopulation, GENERATION_KEY } from "./population.ts";

export interface NsgaIISamplerOptions {
  /** Trials per generation (Optuna: 50); at least 2. */
  populationSize?: number;
  /** Chance that a parameter mutates; default 1 / (number of parameters). */
  mutationProb?: number;
  /** Chance that a child is a crossover of two parents rather than a copy of one (0.9). */
  crossoverProb?: number;
  /** Chance that uniform crossover takes a parameter from the second parent (0.5). */
  swappingProb?: number;
  seed?: number;
  /** Constraint values of a finished trial, each ≤ 0 when satisfied. */
  constraintsFunc?: ConstraintsFunc;
  /**
   * Rank by constrained domination on the `constraints` system attribute even without a
   * `constraintsFunc` (when something else, such as a study worker, stores the values).
   */
  constrained?: boolean;
}

export class NsgaIISampler implements Sampler {
  readonly populationSize: number;
  #mutationProb: number | null;
  #crossoverProb: number;
  #swappingProb: number;
  #seed: number;
  #random: RandomSampler;
  #constraintsFunc: ConstraintsFunc | null;
  #dominates: DominatesFn;
  #memo = new Map<string, FrozenTrial[]>();
  /** Parent populations chosen in `beforeTrial`, by trial number, for `sampleRelative`. */
  #parentsOf = new Map<number, FrozenTrial[]>();

  constructor(options: NsgaIISamplerOptions = {}) {
    this.populationSize = options.populationSize ?? 50;
    this.#mutationProb = options.mutationProb ?? null;
    this.#crossoverProb = options.crossoverProb ?? 0.9;
    this.#swappingProb = options.swappingProb ?? 0.5;
    if (!(Number.isInteger(this.populationSize) && this.populationSize >= 2)) {
      throw new RangeError(
        `NSGA-II populationSize must be an integer ≥ 2, got ${this.populationSize}`,
      );
    }
    const probability = (name: string, p: number | null) => {
      if (p !== null && !(p >= 0 && p <= 1)) {
        throw new RangeError(`NSGA-II ${name} must be within [0, 1], got ${p}`);
      }
    };
    probability("mutationProb", this.#mutationProb);
    probability("crossoverProb", this.#crossoverProb);
    probability("swappingProb", this.#swappingProb);
    this.#seed = options.seed ?? randomSeed();
    this.#random = new RandomSampler({ seed: this.#seed });
    this.#constraintsFunc = options.constraintsFunc ?? null;
    this.#dominates = this.#constraintsFunc !== null || options.constrained
      ? constrainedDominates
      : dominates;
  }

  /** Records the trial's generation: one past the last complete one. */
  async beforeTrial(study: Study, trial: FrozenTrial): Promise<void> {
    const { generation, parents } = collectParentPopulation(
      study.trials,
      study.directions,
      this.populationSize,
      this.#dominates,
      this.#memo,
    );
    await study.setTrialSystemAttr(trial.id, GENERATION_KEY, generation + 1);
    if (generation >= 0) this.#parentsOf.set(trial.number, parents);
  }

  inferRelativeSearchSpace(study: Study): SearchSpace {
    const space = intersectionSearchSpace(study.trials);
    return Object.fromEntries(Object.entries(space).filter(([, d]) => !d.single()));
  }

  sampleRelative(
    study: Study,
    trial: FrozenTrial,
    searchSpace: SearchSpace,
  ): Record<string, ParamValue> {
    const parents = this.#parentsOf.get(trial.number);
    this.#parentsOf.delete(trial.number);
    if (parents === undefined || parents.length === 0) return {};
    const names = Object.keys(searchSpace);
    const rng = trialRng(this.#seed, trial.number, "nsga2");
    let child: Record<string, ParamValue>;
    if (rng.uniform() < this.#crossoverProb && parents.length >= 2) {
      // Optuna draws the categorical parameters' swaps, then the numeric ones'.
      const categorical = names.filter((n) => searchSpace[n].type === "categorical");
      const numeric = names.filter((n) => searchSpace[n].type !== "categorical");
      const first = this.#tournament(study, parents, rng);
      const second = this.#tournament(study, parents.filter((t) => t !== first), rng);
      child = {};
      for (const group of [categorical, numeric]) {
        for (const name of group) {
          const from = rng.uniform() >= this.#swappingProb ? second : first;
          child[name] = from.params[name];
        }
      }
    } else {
      const parent = parents[rng.int(parents.length)];
      child = Object.fromEntries(names.map((name) => [name, parent.params[name]]));
    }
    const mutationProb = this.#mutationProb ?? 1 / Math.max(1, names.length);
    const params: Record<string, ParamValue> = {};
    for (const name of names) {
      if (rng.uniform() >= mutationProb && name in child) params[name] = child[name];
    }
    return params;
  }

  sampleIndependent(
    study: Study,
    trial: FrozenTrial,
    name: string,
    distribution: Distribution,
  ): ParamValue {
    return this.#random.sampleIndependent(study, trial, name, distribution);
  }

  async afterTrial(study: Study, trial: FrozenTrial, state: TrialState): Promise<void> {
    this.#parentsOf.delete(trial.number);
    if (this.#constraintsFunc !== null) {
      await processConstraintsAfterTrial(this.#constraintsFunc, study, trial, state);
    }
  }

  /** Binary tournament: of two random candidates, the first if it dominates, else the second. */
  #tournament(
    study: Study,
    population: readonly FrozenTrial[],
    rng: { int(n: number): number },
  ): FrozenTrial {
    const a = population[rng.int(population.length)];
    const b = population[rng.int(population.length)];
    return this.#dominates(a, b, study.directions) ? a : b;
  }
}
