/**
 * Functional ANOVA over one regression tree (Hutter, Hoos & Leyton-Brown, "An Efficient Approach
 * for Assessing Hyperparameter Importance", ICML 2014): the variance of the tree's prediction
 * over the whole search box, and the variance of its marginal over a subset of features (the
 * prediction averaged over every other feature). Port of Optuna 3.1's
 * `optuna/importance/_fanova/_tree.py`.
 *
 * @module
 */

import type { RegressionTree } from "./random_forest.ts";

/** Per feature: [low, high]. */
export type Box = [number, number][];

function volume(box: Box): number {
  return box.reduce((product, [low, high]) => product * (high - low), 1);
}

function narrowed(box: Box, feature: number, side: 0 | 1, threshold: number): Box {
  const next = box.map(([low, high]) => [low, high] as [number, number]);
  next[feature][side] = threshold;
  return next;
}

function weightedVariance(values: number[], weights: number[]): number {
  const total = weights.reduce((s, w) => s + w, 0);
  const mean = values.reduce((s, v, i) => s + v * weights[i], 0) / total;
  return values.reduce((s, v, i) => s + weights[i] * (v - mean) ** 2, 0) / total;
}

export class FanovaTree {
  #tree: RegressionTree;
  #box: Box;
  /** Per node: [mean prediction over its box, volume of its box]. */
  #statistics: [number, number][];
  #midpoints: number[][];
  #sizes: number[][];
  /** Per node: the features split on anywhere in its subtree. */
  #subtreeFeatures: Set<number>[];
  /** Variance of the prediction over the whole box. */
  readonly variance: number;

  constructor(tree: RegressionTree, box: Box) {
    this.#tree = tree;
    this.#box = box;
    this.#statistics = this.#precomputeStatistics();
    [this.#midpoints, this.#sizes] = this.#precomputeMidpointsAndSizes();
    this.#subtreeFeatures = this.#precomputeSubtreeFeatures();
    const leaves = tree.feature.flatMap((f, node) => f < 0 ? [node] : []);
    this.variance = weightedVariance(
      leaves.map((node) => this.#statistics[node][0]),
      leaves.map((node) => this.#statistics[node][1]),
    );
  }

  /** Variance of the marginal prediction over `features` (one parameter's encoded columns). */
  marginalVariance(features: readonly number[]): number {
    const values: number[] = [], weights: number[] = [];
    const visit = (depth: number, point: Map<number, number>, size: number): void => {
      if (depth === features.length) {
        const [value, weight] = this.#marginalizedStatistics(point);
        values.push(value);
        weights.push(weight * size);
        return;
      }
      const feature = features[depth];
      this.#midpoints[feature].forEach((midpoint, k) => {
        point.set(feature, midpoint);
        visit(depth + 1, point, size * this.#sizes[feature][k]);
      });
      point.delete(feature);
    };
    visit(0, new Map(), 1);
    return Math.max(weightedVariance(values, weights), 0);
  }

  /** Mean prediction (and weight) at `point`, averaged over the features it leaves out. */
  #marginalizedStatistics(point: Map<number, number>): [number, number] {
    const { feature, threshold, left, right } = this.#tree;
    // Left-out features count with width 1, so only the fixed features' widths divide below.
    const start: Box = this.#box.map((range, f) => point.has(f) ? range : [0, 1]);
    const stack: [number, Box][] = [[0, start]];
    let valueSum = 0, weightSum = 0;
    while (stack.length > 0) {
      const [node, box] = stack.pop()!;
      const f = feature[node];
      if (f >= 0) {
        const x = point.get(f);
        if (x !== undefined) {
          stack.push(
            x <= threshold[node]
              ? [left[node], narrowed(box, f, 1, threshold[node])]
              : [right[node], narrowed(box, f, 0, threshold[node])],
          );
          continue;
        }
        if ([...point.keys()].some((active) => this.#subtreeFeatures[node].has(active))) {
          stack.push([left[node], box], [right[node], box]);
          continue;
        }
      }
      const [value, nodeVolume] = this.#statistics[node];
      const weight = nodeVolume / volume(box);
      valueSum += value * weight;
      weightSum += weight;
    }
    return [valueSum / weightSum, weightSum];
  }

  #precomputeStatistics(): [number, number][] {
    const { feature, threshold, left, right, value } = this.#tree;
    const n = feature.length;
    const boxes: Box[] = new Array(n);
    boxes[0] = this.#box;
    const statistics: [number, number][] = new Array(n);
    for (let node = 0; node < n; node++) {
      const f = feature[node];
      if (f < 0) {
        statistics[node] = [value[node], volume(boxes[node])];
      } else {
        boxes[left[node]] = narrowed(boxes[node], f, 1, threshold[node]);
        boxes[right[node]] = narrowed(boxes[node], f, 0, threshold[node]);
      }
    }
    // Children come after their parent, so a reverse sweep sees them first.
    for (let node = n - 1; node >= 0; node--) {
      if (feature[node] < 0) continue;
      const [leftValue, leftWeight] = statistics[left[node]];
      const [rightValue, rightWeight] = statistics[right[node]];
      const weight = leftWeight + rightWeight;
      statistics[node] = [(leftValue * leftWeight + rightValue * rightWeight) / weight, weight];
    }
    return statistics;
  }

  /** Per feature: midpoints and widths of the intervals the tree's thresholds cut its range into. */
  #precomputeMidpointsAndSizes(): [number[][], number[][]] {
    const splits = this.#box.map(() => new Set<number>());
    this.#tree.feature.forEach((f, node) => {
      if (f >= 0) splits[f].add(this.#tree.threshold[node]);
    });
    const midpoints: number[][] = [], sizes: number[][] = [];
    this.#box.forEach(([low, high], f) => {
      const edges = [low, ...[...splits[f]].sort((a, b) => a - b), high];
      midpoints.push(edges.slice(1).map((edge, i) => (edges[i] + edge) / 2));
      sizes.push(edges.slice(1).map((edge, i) => edge - edges[i]));
    });
    return [midpoints, sizes];
  }

  #precomputeSubtreeFeatures(): Set<number>[] {
    const { feature, left, right } = this.#tree;
    const sets = feature.map(() => new Set<number>());
    for (let node = feature.length - 1; node >= 0; node--) {
      if (feature[node] < 0) continue;
      sets[node].add(feature[node]);
      for (const f of sets[left[node]]) sets[node].add(f);
      for (const f of sets[right[node]]) sets[node].add(f);
    }
    return sets;
  }
}
