import assert from "node:assert/strict";
import { FanovaTree } from "./fanova_tree.ts";
import { fitForest, predict, type RegressionTree } from "./random_forest.ts";

Deno.test("FanovaTree splits a tree's variance between the features it depends on", () => {
  // f(x0, x1) = 0 left of x0 = 0.25, else 4 if x1 ≤ 0.5, else 0; over the unit square.
  const tree: RegressionTree = {
    feature: [0, -1, 1, -1, -1],
    threshold: [0.25, NaN, 0.5, NaN, NaN],
    left: [1, -1, 3, -1, -1],
    right: [2, -1, 4, -1, -1],
    value: [NaN, 0, NaN, 4, 0],
  };
  const fanova = new FanovaTree(tree, [[0, 1], [0, 1]]);
  // Mean 1.5 (4 on 3/8 of the square); E[f²] = 6, so the variance is 6 − 2.25.
  assert.ok(Math.abs(fanova.variance - 3.75) < 1e-12);
  // Marginal over x0: 0 on [0, 0.25], 2 on (0.25, 1] → variance 0.75. Over x1: 3 or 0 → 2.25.
  assert.ok(Math.abs(fanova.marginalVariance([0]) - 0.75) < 1e-12);
  assert.ok(Math.abs(fanova.marginalVariance([1]) - 2.25) < 1e-12);
  assert.ok(Math.abs(fanova.marginalVariance([0, 1]) - 3.75) < 1e-12);
});

Deno.test("fitForest() trees find a step in the feature that carries it", () => {
  const x = Array.from({ length: 40 }, (_, i) => [i / 40, (i * 7 % 40) / 40]);
  const y = x.map(([a]) => a > 0.5 ? 1 : 0);
  const forest = fitForest(x, y, {
    nTrees: 8,
    maxDepth: 64,
    minSamplesSplit: 2,
    minSamplesLeaf: 1,
    seed: 0,
  });
  for (const tree of forest) {
    assert.equal(tree.feature[0], 0);
    assert.equal(predict(tree, [0.2, 0.9]), 0);
    assert.equal(predict(tree, [0.8, 0.1]), 1);
  }
});
