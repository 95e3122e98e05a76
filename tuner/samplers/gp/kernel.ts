/**
 * The GP's covariance, as Optuna 4's `GPRegressor.kernel` (`optuna/_gp/gp.py`): a Matérn-5/2
 * kernel with automatic relevance determination,
 *
 *   k(x, x') = scale · m(r²),  r² = Σ_d λ_d · δ_d(x, x'),  m(r²) = (1 + √5r + 5r²/3) · e^(−√5r),
 *
 * where λ_d is the inverse squared length scale of parameter d and δ_d the squared difference of
 * the normalised values, or, for a categorical parameter, 0 when the choices agree and 1 when
 * they differ (a Hamming distance, as Optuna's; no one-hot encoding). Optuna differentiates m
 * with respect to r², not r, so the derivative is finite where two points coincide:
 * m'(r²) = −5/6 · (1 + √5r) · e^(−√5r).
 *
 * @module
 */

/** Fitted kernel hyperparameters: λ per parameter, the kernel scale and the noise variance. */
export interface KernelParams {
  inverseSquaredLengthscales: Float64Array;
  kernelScale: number;
  noiseVar: number;
}

/** m(r²) of the Matérn-5/2 kernel, with m(0) = 1. */
export function matern52(squaredDistance: number): number {
  const root5 = Math.sqrt(5 * squaredDistance);
  return Math.exp(-root5) * ((5 / 3) * squaredDistance + root5 + 1);
}

/** dm/d(r²), finite at r² = 0. */
export function matern52Derivative(squaredDistance: number): number {
  const root5 = Math.sqrt(5 * squaredDistance);
  return (-5 / 6) * (root5 + 1) * Math.exp(-root5);
}

/** δ_d(a, b) for parameter d: the squared difference, or the Hamming term for a categorical. */
export function squaredDifference(a: number, b: number, categorical: boolean): number {
  return categorical ? (a === b ? 0 : 1) : (a - b) * (a - b);
}

/**
 * δ_d(X_i, X_j) for every pair and parameter, laid out [(i·n + j)·dim + d]; computed once per
 * fit, since the hyperparameters change and the points do not.
 */
export function pairSquaredDifferences(
  points: readonly Float64Array[],
  isCategorical: readonly boolean[],
): Float64Array {
  const n = points.length, dim = isCategorical.length;
  const out = new Float64Array(n * n * dim);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      for (let d = 0; d < dim; d++) {
        const value = squaredDifference(points[i][d], points[j][d], isCategorical[d]);
        out[(i * n + j) * dim + d] = value;
        out[(j * n + i) * dim + d] = value;
      }
    }
  }
  return out;
}

/** r² of every pair (n × n) from the pair differences and λ. */
export function pairSquaredDistances(
  differences: Float64Array,
  n: number,
  inverseSquaredLengthscales: Float64Array,
): Float64Array {
  const dim = inverseSquaredLengthscales.length;
  const out = new Float64Array(n * n);
  for (let p = 0; p < n * n; p++) {
    let sum = 0;
    for (let d = 0; d < dim; d++) sum += differences[p * dim + d] * inverseSquaredLengthscales[d];
    out[p] = sum;
  }
  return out;
}

/** The kernel matrix K(X, X) (n × n, row-major), noise not added. */
export function kernelMatrix(
  points: readonly Float64Array[],
  isCategorical: readonly boolean[],
  params: KernelParams,
): Float64Array {
  const n = points.length;
  const r2 = pairSquaredDistances(
    pairSquaredDifferences(points, isCategorical),
    n,
    params.inverseSquaredLengthscales,
  );
  return r2.map((value) => params.kernelScale * matern52(value));
}

/** k(x, X_i) for one point against every training point. */
export function kernelVector(
  x: ArrayLike<number>,
  points: readonly Float64Array[],
  isCategorical: readonly boolean[],
  params: KernelParams,
): Float64Array {
  const out = new Float64Array(points.length);
  const lambda = params.inverseSquaredLengthscales;
  for (let i = 0; i < points.length; i++) {
    let r2 = 0;
    for (let d = 0; d < lambda.length; d++) {
      r2 += lambda[d] * squaredDifference(x[d], points[i][d], isCategorical[d]);
    }
    out[i] = params.kernelScale * matern52(r2);
  }
  return out;
}
