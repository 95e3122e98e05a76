/**
 * NSGA-II's generations, as Optuna 3.1's `NSGAIISampler` tracks them
 * (`optuna/samplers/nsgaii/_sampler.py`): every trial records the generation it was born into in
 * the system attribute `nsga2:generation`, so that any number of workers sharing a study agree on
 * the populations. Generation g is complete once `populationSize` of its trials are COMPLETE; its
 * parents for generation g + 1 are the elite of those trials and generation g − 1's parents,
 * chosen by non-dominated rank, then crowding distance.
 *
 * @module
 */

import { type FrozenTrial, type StudyDirection, TrialState } from "../../frozen_trial.ts";
import {
  crowdingDistanceSort,
  type DominatesFn,
  fastNonDominatedSort,
} from "../../multi_objective/dominance.ts";

/** The system attribute holding a trial's generation (Optuna's `_GENERATION_KEY`). */
export const GENERATION_KEY = "nsga2:generation";

/**
 * Optuna's `_select_elite_population`: whole ranks while they fit, then the most isolated
 * (largest crowding distance) of the rank that does not.
 */
export function selectElitePopulation(
  population: readonly FrozenTrial[],
  directions: readonly StudyDirection[],
  populationSize: number,
  dominatesFn: DominatesFn,
): FrozenTrial[] {
  const elite: FrozenTrial[] = [];
  for (const rank of fastNonDominatedSort(population, directions, dominatesFn)) {
    if (elite.length + rank.length < populationSize) {
      elite.push(...rank);
    } else {
      crowdingDistanceSort(rank);
      elite.push(...rank.slice(0, populationSize - elite.length));
      break;
    }
  }
  return elite;
}

/**
 * Optuna's `_collect_parent_population`: the last complete generation and its parent
 * population (−1 and none before the first generation completes). `memo` keeps the elite of
 * each generation already worked out, keyed by its members and parents, across calls of one sampler.
 */
export function collectParentPopulation(
  trials: readonly FrozenTrial[],
  directions: readonly StudyDirection[],
  populationSize: number,
  dominatesFn: DominatesFn,
  memo: Map<string, FrozenTrial[]>,
): { generation: number; parents: FrozenTrial[] } {
  const byGeneration = new Map<number, FrozenTrial[]>();
  for (const trial of trials) {
    const generation = trial.systemAttrs[GENERATION_KEY];
    if (typeof generation !== "number" || trial.state !== TrialState.COMPLETE) continue;
    const members = byGeneration.get(generation);
    if (members) members.push(trial);
    else byGeneration.set(generation, [trial]);
  }
  let parents: FrozenTrial[] = [];
  let parentGeneration = -1;
  for (;;) {
    const generation = parentGeneration + 1;
    const members = byGeneration.get(generation) ?? [];
    if (members.length < populationSize) break;
    const key = `${generation}:${members.map((t) => t.number).join(",")}:` +
      parents.map((t) => t.number).join(",");
    let elite = memo.get(key);
    if (elite === undefined) {
      elite = selectElitePopulation(
        [...members, ...parents],
        directions,
        populationSize,
        dominatesFn,
      );
      memo.set(key, elite);
    }
    parentGeneration = generation;
    parents = elite;
  }
  return { generation: parentGeneration, parents };
}
