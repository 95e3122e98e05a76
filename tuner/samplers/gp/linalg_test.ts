import assert from "node:assert/strict";
import { Rng } from "../../../engine/random.ts";
import {
  cholesky,
  choleskyWithJitter,
  inverseFromCholesky,
  solveLower,
  solveUpperTransposed,
} from "./linalg.ts";

/** B·Bᵀ + n·I for a random B: symmetric positive definite. */
function spd(n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const b = Float64Array.from({ length: n * n }, () => rng.uniform() - 0.5);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sum = i === j ? n : 0;
      for (let k = 0; k < n; k++) sum += b[i * n + k] * b[j * n + k];
      a[i * n + j] = sum;
    }
  }
  return a;
}

Deno.test("inverseFromCholesky() and the triangular solves invert a positive definite matrix", () => {
  const n = 25, a = spd(n, 1);
  const l = cholesky(a, n)!;
  const inverse = inverseFromCholesky(l, n);
  const y = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
  const solved = solveUpperTransposed(l, n, solveLower(l, n, y));
  for (let i = 0; i < n; i++) {
    let back = 0;
    for (let k = 0; k < n; k++) back += a[i * n + k] * solved[k];
    assert.ok(Math.abs(back - y[i]) < 1e-12, `A·x row ${i}`);
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let k = 0; k < n; k++) sum += a[i * n + k] * inverse[k * n + j];
      assert.ok(Math.abs(sum - (i === j ? 1 : 0)) < 1e-12, `(A·A⁻¹)_${i}${j} = ${sum}`);
    }
  }
});

Deno.test("choleskyWithJitter() factors a kernel matrix that rounding left singular", () => {
  // Two identical points with no noise: [[1, 1], [1, 1]] has no Cholesky factor.
  const a = Float64Array.from([1, 1, 1, 1]);
  assert.equal(cholesky(a, 2), null);
  const l = choleskyWithJitter(a, 2);
  assert.ok(l.every(Number.isFinite));
  assert.ok(Math.abs(l[0] * l[2] - 1) < 1e-6, "L·Lᵀ stays close to A");
});
