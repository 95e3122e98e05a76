/**
 * Hyperparameter importances by fANOVA, as Optuna 3.1's default `FanovaImportanceEvaluator`
 * (`optuna/importance/_fanova/`): fit a random forest (64 trees, max depth 64, min samples split
 * 2, min samples leaf 1) to the COMPLETE trials' values, then average, over the trees, the share
 * of the prediction's variance explained by each parameter alone; normalise to sum to 1.
 *
 * Encoding, as Optuna's: numbers as they are (log ranges are not log-transformed), categorical
 * choices one-hot, each column in [0, 1].
 *
 * @module
 */

import { CategoricalDistribution, type Distribution } from "./distributions.ts";
import { type FrozenTrial, TrialState } from "./frozen_trial.ts";
import { type Box, FanovaTree } from "./importance/fanova_tree.ts";
import { fitForest } from "./importance/random_forest.ts";
import { intersectionSearchSpace } from "./samplers/intersection_search_space.ts";

export interface ImportanceOptions {
  /** Parameters to rank (default: every parameter all COMPLETE trials share). */
  params?: string[];
  /** Default 64. */
  nTrees?: number;
  /** Default 64. */
  maxDepth?: number;
  /** Seed of the forest; default 0, so the same trials give the same importances. */
  seed?: number;
}

export interface ParamImportance {
  name: string;
  /** Share of the explained variance; all importances sum to 1. */
  importance: number;
}

/** Importances of the parameters over `trials` (e.g. `study.trials`), most important first. */
export function paramImportances(
  trials: readonly FrozenTrial[],
  options: ImportanceOptions = {},
): ParamImportance[] {
  const completed = trials.filter((t) => t.state === TrialState.COMPLETE && t.value !== null);
  const space = intersectionSearchSpace(completed);
  const names = options.params ?? Object.keys(space);
  for (const name of names) {
    if (!(name in space)) {
      throw new RangeError(
        `Parameter "${name}" is not in every COMPLETE trial with one distribution; ` +
          `rankable parameters are ${JSON.stringify(Object.keys(space))}`,
      );
    }
  }
  const varying = names.filter((name) => !space[name].single());
  const constant = names.filter((name) => space[name].single());
  if (varying.length === 0) return constant.map((name) => ({ name, importance: 0 }));

  const columns = varying.map((name) => encodedWidth(space[name]));
  const box: Box = varying.flatMap((name) => bounds(space[name]));
  const x = completed.map((trial) =>
    varying.flatMap((name) => encode(space[name], trial.params[name]))
  );
  const y = completed.map((trial) => trial.value!);
  const forest = fitForest(x, y, {
    nTrees: options.nTrees ?? 64,
    maxDepth: options.maxDepth ?? 64,
    minSamplesSplit: 2,
    minSamplesLeaf: 1,
    seed: options.seed ?? 0,
  });
  const trees = forest.map((tree) => new FanovaTree(tree, box)).filter((t) => t.variance > 0);
  if (trees.length === 0) {
    throw new RangeError(
      `Parameter importances need COMPLETE trials with differing values; got ${completed.length}`,
    );
  }
  let offset = 0;
  const raw = varying.map((_, p) => {
    const features = Array.from({ length: columns[p] }, (_, k) => offset + k);
    offset += columns[p];
    const fractions = trees.map((tree) => tree.marginalVariance(features) / tree.variance);
    return fractions.reduce((s, f) => s + f, 0) / fractions.length;
  });
  const total = raw.reduce((s, v) => s + v, 0);
  return [
    ...varying
      .map((name, p) => ({ name, importance: total > 0 ? raw[p] / total : 1 / varying.length }))
      .sort((a, b) => b.importance - a.importance),
    ...constant.map((name) => ({ name, importance: 0 })),
  ];
}

function encodedWidth(distribution: Distribution): number {
  return distribution instanceof CategoricalDistribution ? distribution.choices.length : 1;
}

function bounds(distribution: Distribution): [number, number][] {
  if (distribution instanceof CategoricalDistribution) {
    return distribution.choices.map(() => [0, 1]);
  }
  return [[distribution.low, distribution.high]];
}

function encode(distribution: Distribution, value: FrozenTrial["params"][string]): number[] {
  const internal = distribution.toInternal(value);
  if (distribution instanceof CategoricalDistribution) {
    return distribution.choices.map((_, k) => k === internal ? 1 : 0);
  }
  return [internal];
}
