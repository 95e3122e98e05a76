/**
 * Test helpers: finite-difference gradients of f32 ops, summed in f64, for the `*_test.ts` files
 * beside each op. Not used by the engine itself.
 *
 * @module
 */

import assert from "node:assert/strict";

/** Deterministic test values in [−scale, scale) from a small LCG, so tests need no Rng state. */
export function testValues(count: number, seed: number, scale = 1): Float32Array {
  const out = new Float32Array(count);
  let state = seed >>> 0;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = scale * (2 * (state / 4294967296) - 1);
  }
  return out;
}

/** Σ weights[i]·values[i] in f64: a scalar objective whose gradient in `values` is `weights`. */
export function weightedSum(values: ArrayLike<number>, weights: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] * weights[i];
  return sum;
}

/**
 * Central-difference gradient of `objective` with respect to every element of `input`, which is
 * perturbed in place and restored. The step is measured after f32 rounding of the perturbed value.
 */
export function numericGradient(
  input: Float32Array,
  objective: () => number,
  step = 1e-2,
): Float64Array {
  const grad = new Float64Array(input.length);
  for (let i = 0; i < input.length; i++) {
    const saved = input[i];
    input[i] = saved + step;
    const up = objective();
    const upStep = input[i] - saved;
    input[i] = saved - step;
    const down = objective();
    const downStep = saved - input[i];
    input[i] = saved;
    grad[i] = (up - down) / (upStep + downStep);
  }
  return grad;
}

/** Asserts |analytic − numeric| ≤ tolerance·(1 + |numeric|) element-wise. */
export function assertGradient(
  analytic: ArrayLike<number>,
  numeric: ArrayLike<number>,
  what: string,
  tolerance = 2e-3,
): void {
  assert.equal(analytic.length, numeric.length, `${what}: length`);
  for (let i = 0; i < numeric.length; i++) {
    const error = Math.abs(analytic[i] - numeric[i]);
    if (!(error <= tolerance * (1 + Math.abs(numeric[i])))) {
      assert.fail(`${what}[${i}]: analytic ${analytic[i]}, finite difference ${numeric[i]}`);
    }
  }
}
