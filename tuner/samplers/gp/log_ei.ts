/**
 * Log expected improvement, computed stably as Optuna 4's `logei` (`optuna/_gp/acqf.py`), after
 * Ament et al., "Unexpected Improvements to Expected Improvement for Bayesian Optimization"
 * (NeurIPS 2023, https://arxiv.org/abs/2310.20708), eq. 9.
 *
 * For y ~ N(μ, σ²) and the best value so far f₀ (maximising), EI = σ·h(z) with z = (μ − f₀)/σ and
 * h(z) = z·Φ(z) + φ(z). log h(z) is computed directly for z ≥ −25; below, h(z) underflows and
 * z·Φ(z) + φ(z) cancels, so it is written as φ(z)·(1/z² − 3/z⁴ + 15/z⁶ − …) — the asymptotic
 * series of z·erfcx + 1 that Optuna evaluates with `erfcx`, here without the cancellation — which
 * stays finite for any finite z. dh/dz = Φ(z), so d log h/dz = Φ(z)/h(z), computed in the tail
 * from Mills' ratio.
 *
 * @module
 */

import { erfc } from "../tpe/erf.ts";

const SQRT_2PI = Math.sqrt(2 * Math.PI);
/** Optuna adds this to the posterior variance before the square root. */
export const STABILIZING_NOISE = 1e-12;

/** log h(z) = log E[max(0, x + z)] for x ~ N(0, 1), and its derivative. */
export function standardLogEi(z: number): { value: number; derivative: number } {
  if (z >= -25) {
    const cdf = 0.5 * erfc(-z * Math.SQRT1_2);
    const pdf = Math.exp(-0.5 * z * z) / SQRT_2PI;
    const h = z * cdf + pdf;
    return { value: Math.log(h), derivative: cdf / h };
  }
  // h(z) = φ(z)·Σ_{k≥1} (−1)^(k+1) (2k−1)!!/z^(2k); Φ(z) = φ(z)/(−z)·Σ_{k≥0} (−1)^k (2k−1)!!/z^(2k).
  const inverse = 1 / (z * z);
  let term = 1, mills = 1, improvement = 0;
  for (let k = 1; k <= 6; k++) {
    term *= -(2 * k - 1) * inverse;
    mills += term;
    improvement -= term;
  }
  return {
    value: -0.5 * z * z + Math.log(improvement / SQRT_2PI),
    derivative: mills / (-z * improvement),
  };
}

/** log EI of N(mean, variance) over `threshold`, and its partial derivatives. */
export function logEi(
  mean: number,
  variance: number,
  threshold: number,
): { value: number; dMean: number; dVariance: number } {
  const sigma = Math.sqrt(variance + STABILIZING_NOISE);
  const z = (mean - threshold) / sigma;
  const { value, derivative } = standardLogEi(z);
  return {
    value: Math.log(sigma) + value,
    dMean: derivative / sigma,
    // d/dσ² of log σ + log h((μ − f₀)/σ) = (1 − z·h'/h) / (2σ²).
    dVariance: (1 - z * derivative) / (2 * sigma * sigma),
  };
}
