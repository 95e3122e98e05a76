/**
 * Element-wise activations and their derivatives, as `torch.nn.functional` defines them:
 * relu (gradient 0 at 0, like torch's `threshold_backward`), sigmoid, tanh, leaky_relu with
 * PyTorch's default slope 0.01, exact (erf) gelu, and none (identity).
 *
 * Backward takes both the saved input `x` and output `y`: sigmoid and tanh differentiate from the
 * output (torch's `sigmoid_backward`, `tanh_backward`), the others from the input.
 *
 * @module
 */

import type { Activation } from "../spec.ts";

/** Slope of `leaky_relu` for negative inputs (`torch.nn.LeakyReLU`'s default). */
export const LEAKY_RELU_SLOPE = 0.01;

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const INV_SQRT_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/**
 * The error function, accurate to below one f32 ulp everywhere (far tighter than Abramowitz &
 * Stegun 7.1.26's 1.5e-7 absolute error, which is not enough near 0).
 * - |x| < 2: the series erf(x) = 2/√π · e^(−x²) · Σₙ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)) (A&S 7.1.6),
 *   all terms of one sign so it sums without cancellation, in f64 to full precision.
 * - |x| ≥ 2: erf = 1 − erfc with Numerical Recipes' Chebyshev fit `erfcc` (relative error below
 *   1.2e-7 of erfc ≤ 0.0047, so below 6e-10 absolute in erf).
 */
export function erf(x: number): number {
  const z = Math.abs(x);
  if (z >= 2) return Math.sign(x) * (1 - erfcLarge(z));
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/** Numerical Recipes (2nd ed., §6.2) `erfcc` for z ≥ 0. */
function erfcLarge(z: number): number {
  const t = 1 / (1 + 0.5 * z);
  const poly = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
                t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
                                t * (-0.82215223 + t * 0.17087277))))))));
  return t * Math.exp(-z * z + poly);
}

/**
 * The logistic sigmoid in torch's f32 steps, 1 / (1 + e^(−z)) with each result rounded to f32:
 * near 1 the rounding of 1 + e^(−z) decides which f32 the probability lands on, and `bce` takes
 * log(1 − p) of it.
 */
export function sigmoid32(z: number): number {
  return Math.fround(1 / Math.fround(1 + Math.fround(Math.exp(-z))));
}

/** The activation of one value (f64 in, f64 out; callers store into f32). */
export function activate(kind: Activation, x: number): number {
  switch (kind) {
    case "relu":
      return x > 0 ? x : 0;
    case "sigmoid":
      return sigmoid32(x);
    case "tanh":
      return Math.tanh(x);
    case "leaky_relu":
      return x > 0 ? x : x * LEAKY_RELU_SLOPE;
    case "gelu":
      return 0.5 * x * (1 + erf(x * INV_SQRT_2));
    case "none":
      return x;
  }
}

/** dy/dx of one value from its input `x` and output `y`. */
export function activationDerivative(kind: Activation, x: number, y: number): number {
  switch (kind) {
    case "relu":
      return x > 0 ? 1 : 0;
    case "sigmoid":
      return (1 - y) * y;
    case "tanh":
      return 1 - y * y;
    case "leaky_relu":
      return x > 0 ? 1 : LEAKY_RELU_SLOPE;
    case "gelu":
      // Φ(x) + x·φ(x), torch's GeluBackward with approximate='none'.
      return 0.5 * (1 + erf(x * INV_SQRT_2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
    case "none":
      return 1;
  }
}

/**
 * All ones when the f32 whose bits are `b` is > 0 (+0 < b ≤ +∞, not NaN), else 0: the sign bit
 * of −b & (b − 0x7f800001). ReLU's branch on x > 0 goes half one way at random and the
 * misprediction made it 4× slower, measured here.
 */
function positiveMask(b: number): number {
  return (((0 - b) | 0) & ((b - 0x7f800001) | 0)) >> 31;
}

/** The Int32Array over a Float32Array's first `count` elements. */
function bitsOf(x: Float32Array, count: number): Int32Array {
  return new Int32Array(x.buffer, x.byteOffset, count);
}

/**
 * y[i] = f(x[i]) for i < count; `y` may alias `x`. ReLU, leaky_relu and none in branch-free or
 * copying loops, with the same values as {@linkcode activate}'s: measured here, its loop took 1.5
 * (ReLU, branch-free), 7.7 (leaky_relu) and 4.2 (none) ns an element.
 */
export function activationForward(
  kind: Activation,
  x: Float32Array,
  y: Float32Array,
  count: number = x.length,
): void {
  if (kind === "none") {
    y.set(x.subarray(0, count));
    return;
  }
  if (kind === "relu" || kind === "leaky_relu") {
    const [xBits, yBits] = [bitsOf(x, count), bitsOf(y, count)];
    if (kind === "relu") {
      for (let i = 0; i < count; i++) yBits[i] = xBits[i] & positiveMask(xBits[i]);
      return;
    }
    for (let i = 0; i < count; i++) {
      // x where x > 0, else x·slope rounded to f32: both computed, one kept by the mask.
      const [keep, bits] = [positiveMask(xBits[i]), xBits[i]];
      y[i] = x[i] * LEAKY_RELU_SLOPE;
      yBits[i] = (bits & keep) | (yBits[i] & ~keep);
    }
    return;
  }
  for (let i = 0; i < count; i++) y[i] = activate(kind, x[i]);
}

/** dX[i] = dY[i] · f′(x[i]) for i < count, from saved input `x` and output `y`; `dX` may alias `dY`. */
export function activationBackward(
  kind: Activation,
  x: Float32Array,
  y: Float32Array,
  dY: Float32Array,
  dX: Float32Array,
  count: number = x.length,
): void {
  if (kind === "none") {
    // dY·1 is dY itself.
    if (dX !== dY) dX.set(dY.subarray(0, count));
    return;
  }
  if (kind === "relu" || kind === "leaky_relu") {
    const [xBits, dYBits, dXBits] = [bitsOf(x, count), bitsOf(dY, count), bitsOf(dX, count)];
    if (kind === "relu") {
      for (let i = 0; i < count; i++) dXBits[i] = dYBits[i] & positiveMask(xBits[i]);
      return;
    }
    for (let i = 0; i < count; i++) {
      // dY where x > 0 (dY·1), else dY·slope rounded to f32; dY read before dX may overwrite it.
      const [keep, bits] = [positiveMask(xBits[i]), dYBits[i]];
      dX[i] = dY[i] * LEAKY_RELU_SLOPE;
      dXBits[i] = (bits & keep) | (dXBits[i] & ~keep);
    }
    return;
  }
  for (let i = 0; i < count; i++) dX[i] = dY[i] * activationDerivative(kind, x[i], y[i]);
}
