/**
 * A random forest of regression trees, enough of scikit-learn's `RandomForestRegressor` for
 * fANOVA: bootstrap samples, CART splits minimising the squared error over all features (sklearn's
 * default `max_features=1.0` for regression), thresholds halfway between neighbouring values,
 * `max_depth`, `min_samples_split` and `min_samples_leaf` as sklearn defines them.
 *
 * Trees are flat arrays in pre-order, so every child comes after its parent.
 *
 * @module
 */

import { Rng } from "../../engine/random.ts";

export interface ForestOptions {
  nTrees: number;
  maxDepth: number;
  minSamplesSplit: number;
  minSamplesLeaf: number;
  seed: number;
}

/** One fitted tree; `feature[node]` is −1 at leaves. */
export interface RegressionTree {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  /** Weighted mean of the training targets in the node. */
  value: number[];
}

/** Smallest gap between two values that a split may fall into (sklearn's FEATURE_THRESHOLD). */
const FEATURE_THRESHOLD = 1e-7;

export function fitForest(
  x: readonly (readonly number[])[],
  y: readonly number[],
  options: ForestOptions,
): RegressionTree[] {
  const rng = new Rng(options.seed);
  return Array.from({ length: options.nTrees }, () => {
    const counts = new Array<number>(y.length).fill(0);
    for (let i = 0; i < y.length; i++) counts[rng.int(y.length)]++;
    const samples = counts.flatMap((count, i) => count > 0 ? [i] : []);
    return fitTree(x, y, counts, samples, options, rng.fork());
  });
}

function fitTree(
  x: readonly (readonly number[])[],
  y: readonly number[],
  weights: readonly number[],
  rootSamples: number[],
  options: ForestOptions,
  rng: Rng,
): RegressionTree {
  const tree: RegressionTree = { feature: [], threshold: [], left: [], right: [], value: [] };
  const nFeatures = x[0]?.length ?? 0;

  const grow = (samples: number[], depth: number): number => {
    const node = tree.feature.length;
    let w = 0, sum = 0, sumSquares = 0;
    for (const i of samples) {
      w += weights[i];
      sum += weights[i] * y[i];
      sumSquares += weights[i] * y[i] * y[i];
    }
    tree.feature.push(-1);
    tree.threshold.push(NaN);
    tree.left.push(-1);
    tree.right.push(-1);
    tree.value.push(sum / w);
    const impurity = sumSquares / w - (sum / w) ** 2;
    if (
      depth >= options.maxDepth || samples.length < options.minSamplesSplit ||
      samples.length < 2 * options.minSamplesLeaf || impurity <= 1e-7
    ) return node;
    const split = bestSplit(x, y, weights, samples, nFeatures, options.minSamplesLeaf, rng);
    if (split === null) return node;
    const leftSamples = samples.filter((i) => x[i][split.feature] <= split.threshold);
    const rightSamples = samples.filter((i) => x[i][split.feature] > split.threshold);
    tree.feature[node] = split.feature;
    tree.threshold[node] = split.threshold;
    tree.left[node] = grow(leftSamples, depth + 1);
    tree.right[node] = grow(rightSamples, depth + 1);
    return node;
  };

  grow(rootSamples, 0);
  return tree;
}

/** The split maximising the drop in weighted squared error; features tried in random order. */
function bestSplit(
  x: readonly (readonly number[])[],
  y: readonly number[],
  weights: readonly number[],
  samples: number[],
  nFeatures: number,
  minSamplesLeaf: number,
  rng: Rng,
): { feature: number; threshold: number } | null {
  let totalW = 0, totalSum = 0;
  for (const i of samples) {
    totalW += weights[i];
    totalSum += weights[i] * y[i];
  }
  let best: { feature: number; threshold: number } | null = null;
  let bestProxy = -Infinity;
  const features = rng.shuffle(Array.from({ length: nFeatures }, (_, f) => f));
  for (const feature of features) {
    const sorted = [...samples].sort((a, b) => x[a][feature] - x[b][feature]);
    let leftW = 0, leftSum = 0;
    for (let k = 0; k < sorted.length - 1; k++) {
      const i = sorted[k];
      leftW += weights[i];
      leftSum += weights[i] * y[i];
      const here = x[i][feature], next = x[sorted[k + 1]][feature];
      if (next <= here + FEATURE_THRESHOLD) continue;
      if (k + 1 < minSamplesLeaf || sorted.length - k - 1 < minSamplesLeaf) continue;
      const rightW = totalW - leftW, rightSum = totalSum - leftSum;
      // Maximising Σ_left²/w_left + Σ_right²/w_right minimises the children's squared error.
      const proxy = (leftSum * leftSum) / leftW + (rightSum * rightSum) / rightW;
      if (proxy > bestProxy) {
        bestProxy = proxy;
        let threshold = (here + next) / 2;
        if (threshold === next) threshold = here;
        best = { feature, threshold };
      }
    }
  }
  return best;
}

/** The tree's prediction at a point. */
export function predict(tree: RegressionTree, point: readonly number[]): number {
  let node = 0;
  while (tree.feature[node] >= 0) {
    node = point[tree.feature[node]] <= tree.threshold[node] ? tree.left[node] : tree.right[node];
  }
  return tree.value[node];
}
