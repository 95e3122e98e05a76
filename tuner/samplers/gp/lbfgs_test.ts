import assert from "node:assert/strict";
import { minimizeLbfgs } from "./lbfgs.ts";

Deno.test("minimizeLbfgs() finds Rosenbrock's minimum from (−1.2, 1)", () => {
  const result = minimizeLbfgs(
    ([x, y]) => ({
      value: (1 - x) ** 2 + 100 * (y - x * x) ** 2,
      gradient: Float64Array.from([
        -2 * (1 - x) - 400 * x * (y - x * x),
        200 * (y - x * x),
      ]),
    }),
    [-1.2, 1],
    { gradientTolerance: 1e-8 },
  );
  assert.ok(result.converged);
  assert.ok(Math.abs(result.x[0] - 1) < 1e-4 && Math.abs(result.x[1] - 1) < 1e-4, `${result.x}`);
});

Deno.test("minimizeLbfgs() stops on the box where the unconstrained minimum lies outside it", () => {
  // min (x − 2)² + (y + 1)² + (z − 0.5)² over [0, 1]³ is (1, 0, 0.5).
  const result = minimizeLbfgs(
    ([x, y, z]) => ({
      value: (x - 2) ** 2 + (y + 1) ** 2 + (z - 0.5) ** 2,
      gradient: Float64Array.from([2 * (x - 2), 2 * (y + 1), 2 * (z - 0.5)]),
    }),
    [0.3, 0.7, 0.9],
    { lower: [0, 0, 0], upper: [1, 1, 1], gradientTolerance: 1e-9 },
  );
  assert.ok(result.converged);
  assert.deepEqual(Array.from(result.x, (v) => Number(v.toFixed(6))), [1, 0, 0.5]);
});

Deno.test("minimizeLbfgs() backs off where the objective is not finite", () => {
  // log barrier: undefined for x ≤ 0, minimum at x = 1.
  const result = minimizeLbfgs(
    ([x]) => ({
      value: x > 0 ? x - Math.log(x) : Infinity,
      gradient: Float64Array.from([x > 0 ? 1 - 1 / x : 0]),
    }),
    [5],
    { gradientTolerance: 1e-8 },
  );
  assert.ok(Math.abs(result.x[0] - 1) < 1e-5, `${result.x}`);
});
