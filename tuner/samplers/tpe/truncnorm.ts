/**
 * The truncated normal distribution TPE's Parzen estimators are mixtures of: its log mass and
 * inverse CDF, computed in log space so that components far in a tail stay finite. Ported from
 * Optuna 3.1's `optuna/samplers/_tpe/_truncnorm.py` (itself from SciPy's `scipy.stats.truncnorm`).
 *
 * Arguments a and b are the truncation bounds in standard units: (low − loc) / scale and
 * (high − loc) / scale.
 *
 * @module
 */

import { erf, erfc } from "./erf.ts";

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** Standard normal CDF Φ(a). */
export function ndtr(a: number): number {
  const x = a / Math.SQRT2;
  if (x < -Math.SQRT1_2) return 0.5 * erfc(-x);
  if (x < Math.SQRT1_2) return 0.5 + 0.5 * erf(x);
  return 1 - 0.5 * erfc(x);
}

/** log Φ(a), accurate deep in the left tail through its asymptotic series. */
export function logNdtr(a: number): number {
  if (a > 6) return -ndtr(-a);
  if (a > -20) return Math.log(ndtr(a));
  const logLhs = -0.5 * a * a - Math.log(-a) - LOG_SQRT_2PI;
  let lastTotal = 0, rightHandSide = 1, numerator = 1, denomFactor = 1, sign = 1;
  const denomCons = 1 / (a * a);
  for (let i = 1; Math.abs(lastTotal - rightHandSide) > Number.EPSILON; i++) {
    lastTotal = rightHandSide;
    sign = -sign;
    denomFactor *= denomCons;
    numerator *= 2 * i - 1;
    rightHandSide += sign * numerator * denomFactor;
  }
  return logLhs + Math.log(rightHandSide);
}

/** log(e^p − e^q) for p ≥ q. */
function logDiff(logP: number, logQ: number): number {
  return logP + Math.log1p(-Math.exp(logQ - logP));
}

/** log(e^p + e^q). */
function logSum(logP: number, logQ: number): number {
  const max = Math.max(logP, logQ);
  if (max === -Infinity) return -Infinity;
  return max + Math.log1p(Math.exp(Math.min(logP, logQ) - max));
}

/** log(Φ(b) − Φ(a)): the log of the standard normal mass in [a, b]. */
export function logGaussMass(a: number, b: number): number {
  // Tails are computed on the left side, where log Φ is accurate.
  if (b <= 0) return logDiff(logNdtr(b), logNdtr(a));
  if (a > 0) return logDiff(logNdtr(-a), logNdtr(-b));
  return Math.log1p(-ndtr(a) - ndtr(-b));
}

/** The x with log Φ(x) = y, by bisection on [−100, 100] (Optuna's `_ndtri_exp`). */
function ndtriExp(y: number): number {
  let low = -100, high = 100, middle = 0;
  for (let i = 0; i < 100; i++) {
    middle = (low + high) / 2;
    if (logNdtr(middle) < y) low = middle;
    else high = middle;
  }
  return middle;
}

/** Inverse CDF of the standard normal truncated to [a, b], at quantile q ∈ [0, 1]. */
export function ppf(q: number, a: number, b: number): number {
  if (a === b) return NaN;
  if (q === 0) return a;
  if (q === 1) return b;
  if (a < 0) return ndtriExp(logSum(logNdtr(a), Math.log(q) + logGaussMass(a, b)));
  return -ndtriExp(logSum(logNdtr(-b), Math.log1p(-q) + logGaussMass(a, b)));
}

/** A draw from N(loc, scale²) truncated to [a, b] (standard units), given a uniform u ∈ [0, 1). */
export function sampleTruncnorm(
  u: number,
  a: number,
  b: number,
  loc: number,
  scale: number,
): number {
  return ppf(u, a, b) * scale + loc;
}

/** −log √(2π) − z²/2: the standard normal log density, for callers that cache the normaliser. */
export function normalLogPdf(z: number): number {
  return -0.5 * z * z - LOG_SQRT_2PI;
}
