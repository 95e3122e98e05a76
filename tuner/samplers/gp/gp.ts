/**
 * GP regression on normalised parameters and standardised values, as Optuna 4's `GPRegressor`
 * (`optuna/_gp/gp.py`): zero prior mean, the Matérn-5/2 ARD kernel of `kernel.ts` plus the noise
 * variance on the diagonal, and the posterior
 *
 *   mean(x) = k(x)ᵀ C⁻¹ y,  var(x) = scale − k(x)ᵀ C⁻¹ k(x)  (clamped at 0),  C = K + noise·I,
 *
 * through the Cholesky factor of C (Optuna ≥ 4.6 does the same; 4.5 inverted C). The gradient of
 * both with respect to the continuous parameters drives the acquisition's local search.
 *
 * @module
 */

import {
  kernelMatrix,
  type KernelParams,
  matern52,
  matern52Derivative,
  squaredDifference,
} from "./kernel.ts";
import { choleskyWithJitter, solveLower, solveUpperTransposed } from "./linalg.ts";

export interface Posterior {
  mean: number;
  variance: number;
}

export interface PosteriorWithGradient extends Posterior {
  /** d mean / dx_d for each index in `gradientIndices` (in that order). */
  meanGradient: Float64Array;
  varianceGradient: Float64Array;
}

export class GpRegressor {
  readonly points: readonly Float64Array[];
  readonly isCategorical: readonly boolean[];
  readonly params: KernelParams;
  #cholesky: Float64Array;
  /** C⁻¹ y. */
  #alpha: Float64Array;

  constructor(
    points: readonly Float64Array[],
    values: ArrayLike<number>,
    isCategorical: readonly boolean[],
    params: KernelParams,
  ) {
    this.points = points;
    this.isCategorical = isCategorical;
    this.params = params;
    const n = points.length;
    const covariance = kernelMatrix(points, isCategorical, params);
    for (let i = 0; i < n; i++) covariance[i * n + i] += params.noiseVar;
    this.#cholesky = choleskyWithJitter(covariance, n);
    this.#alpha = solveUpperTransposed(this.#cholesky, n, solveLower(this.#cholesky, n, values));
  }

  /** Length scales 1/√λ, which precondition the acquisition's local search. */
  get lengthScales(): Float64Array {
    return this.params.inverseSquaredLengthscales.map((lambda) => 1 / Math.sqrt(lambda));
  }

  posterior(x: ArrayLike<number>): Posterior {
    const k = this.#kernelVector(x).values;
    return this.#meanAndVariance(k).posterior;
  }

  /** The posterior and its gradient with respect to x_d for each d in `gradientIndices`. */
  posteriorWithGradient(
    x: ArrayLike<number>,
    gradientIndices: readonly number[],
  ): PosteriorWithGradient {
    const { values: k, derivatives } = this.#kernelVector(x);
    const { posterior, v } = this.#meanAndVariance(k);
    const cInvK = solveUpperTransposed(this.#cholesky, this.points.length, v);
    const lambda = this.params.inverseSquaredLengthscales;
    const meanGradient = new Float64Array(gradientIndices.length);
    const varianceGradient = new Float64Array(gradientIndices.length);
    for (let i = 0; i < this.points.length; i++) {
      // dk_i/dx_d = scale · m'(r²_i) · λ_d · 2(x_d − X_id), continuous parameters only.
      const common = this.params.kernelScale * derivatives[i];
      for (let g = 0; g < gradientIndices.length; g++) {
        const d = gradientIndices[g];
        const dk = common * lambda[d] * 2 * (x[d] - this.points[i][d]);
        meanGradient[g] += this.#alpha[i] * dk;
        varianceGradient[g] -= 2 * cInvK[i] * dk;
      }
    }
    if (posterior.variance === 0) varianceGradient.fill(0);
    return { ...posterior, meanGradient, varianceGradient };
  }

  #kernelVector(x: ArrayLike<number>): { values: Float64Array; derivatives: Float64Array } {
    const n = this.points.length, lambda = this.params.inverseSquaredLengthscales;
    const values = new Float64Array(n), derivatives = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let r2 = 0;
      for (let d = 0; d < lambda.length; d++) {
        r2 += lambda[d] * squaredDifference(x[d], this.points[i][d], this.isCategorical[d]);
      }
      values[i] = this.params.kernelScale * matern52(r2);
      derivatives[i] = matern52Derivative(r2);
    }
    return { values, derivatives };
  }

  /** The posterior from k(x), and v = L⁻¹k(x). */
  #meanAndVariance(k: Float64Array): { posterior: Posterior; v: Float64Array } {
    const n = this.points.length;
    let mean = 0;
    for (let i = 0; i < n; i++) mean += k[i] * this.#alpha[i];
    const v = solveLower(this.#cholesky, n, k);
    let explained = 0;
    for (let i = 0; i < n; i++) explained += v[i] * v[i];
    const variance = Math.max(this.params.kernelScale - explained, 0);
    return { posterior: { mean, variance }, v };
  }
}
