import assert from "node:assert/strict";
import { findPython, runPython } from "../../tests/python_helpers.ts";
import { trialRng } from "../samplers/trial_rng.ts";
import { hypervolume, solveHssp } from "./hypervolume.ts";

const close = (a: number, b: number) =>
  assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, b), `${a} vs ${b}`);

Deno.test("hypervolume: a 2-D staircase by hand", () => {
  // Rectangles 3×1 + 2×1 + 1×1 under the reference (4, 4).
  close(hypervolume([[1, 3], [2, 2], [3, 1]], [4, 4]), 6);
  // A dominated point and one outside the reference change nothing.
  close(hypervolume([[1, 3], [2, 2], [3, 1], [3, 3], [5, 0]], [4, 4]), 6);
  assert.equal(hypervolume([], [1, 1]), 0);
});

Deno.test("hypervolume: 3-D by inclusion–exclusion, and 4-D boxes", () => {
  // Three boxes of 6, pairwise overlaps of 2, a triple overlap of 1: 18 − 6 + 1.
  close(hypervolume([[1, 2, 3], [2, 3, 1], [3, 1, 2]], [4, 4, 4]), 13);
  close(hypervolume([[0, 0, 0, 0]], [1, 2, 3, 4]), 24);
  // Two 4-D boxes of 2·2·1·1 = 4 overlapping in one of 1.
  close(hypervolume([[0, 0, 1, 1], [1, 1, 0, 0]], [2, 2, 2, 2]), 4 + 4 - 1);
});

Deno.test("solveHssp picks the points adding the most hypervolume first", () => {
  // (1, 3), (2, 2), (3, 1) under (4, 4): alone each adds 3, 4, 3; (2, 2) goes first, then an end.
  const chosen = solveHssp([[1, 3], [2, 2], [3, 1]], 2, [4, 4]);
  assert.equal(chosen[0], 1);
  assert.equal(chosen.length, 2);
});

const optunaPython = await findPython(["optuna"]);

Deno.test({
  name: "hypervolume matches Optuna 3.1's WFG on random 3-D and 4-D fronts",
  ignore: optunaPython === null,
  fn: async () => {
    const rng = trialRng(7, 0, "hv-test");
    const sets = [3, 4].flatMap((d) =>
      [5, 12].map((n) =>
        Array.from({ length: n }, () => Array.from({ length: d }, () => rng.uniform()))
      )
    );
    const script = `
import json, sys, numpy as np
from optuna._hypervolume import WFG
for s in json.load(sys.stdin):
    p = np.array(s)
    print(WFG().compute(p, np.ones(p.shape[1]) * 1.1))
`;
    const result = await runPython(optunaPython!, ["-c", script], { stdin: JSON.stringify(sets) });
    assert.equal(result.code, 0, result.stderr);
    const expected = result.stdout.trim().split("\n").map(Number);
    sets.forEach((points, i) => close(hypervolume(points, points[0].map(() => 1.1)), expected[i]));
  },
});
