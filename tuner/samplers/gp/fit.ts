/**
 * Kernel hyperparameters by maximum a posteriori, as Optuna 4's `fit_kernel_params`
 * (`optuna/_gp/gp.py`) with its `default_log_prior` (`optuna/_gp/prior.py`): minimise
 *
 *   −log p(y | X, θ) − log prior(θ)
 *
 * over raw parameters that keep everything positive: log λ_d, log scale, and log(noise − minimum
 * noise) (the noise stays above 1e-6, or sits at it for a deterministic objective). The prior:
 * −Σ_d (0.1/λ_d + 0.1·λ_d) on the inverse squared length scales, Gamma(2, 1) on the scale and
 * Gamma(1.1, 30) on the noise (constants dropped). The gradient is analytic:
 *
 *   ∂ log p / ∂θ = ½ tr((ααᵀ − C⁻¹) ∂C/∂θ),  α = C⁻¹y.
 *
 * Optuna starts from the previous fit's parameters and, if that fails, from all ones; so does
 * this. Where both fail the all-ones defaults are kept (noise 1 included), as in Optuna.
 *
 * @module
 */

import {
  type KernelParams,
  matern52,
  matern52Derivative,
  pairSquaredDifferences,
  pairSquaredDistances,
} from "./kernel.ts";
import { minimizeLbfgs, type ValueAndGradient } from "./lbfgs.ts";
import { cholesky, inverseFromCholesky, solveLower, solveUpperTransposed } from "./linalg.ts";

/** Optuna's `DEFAULT_MINIMUM_NOISE_VAR`. */
export const MINIMUM_NOISE_VAR = 1e-6;

export interface FitOptions {
  /** Fix the noise at the minimum (Optuna's `deterministic_objective`). */
  deterministic?: boolean;
  /** Where to start (Optuna: the previous trial's fit), else all ones. */
  initial?: KernelParams | null;
  /** Largest gradient component at convergence (Optuna: 1e-2). */
  gradientTolerance?: number;
}

/** The log prior of Optuna's `default_log_prior`, without constants. */
export function logPrior(params: KernelParams): number {
  let sum = 0;
  for (const lambda of params.inverseSquaredLengthscales) sum -= 0.1 / lambda + 0.1 * lambda;
  const gammaLogPrior = (x: number, concentration: number, rate: number) =>
    (concentration - 1) * Math.log(x) - rate * x;
  return sum + gammaLogPrior(params.kernelScale, 2, 1) + gammaLogPrior(params.noiseVar, 1.1, 30);
}

/** log p(y | X, θ) without its constant (−½n·log 2π), as Optuna ≥ 4.6 computes it. */
export function marginalLogLikelihood(
  points: readonly Float64Array[],
  values: ArrayLike<number>,
  isCategorical: readonly boolean[],
  params: KernelParams,
): number {
  const differences = pairSquaredDifferences(points, isCategorical);
  return new Objective(differences, points.length, values, false).logLikelihood(params);
}

/** Raw parameters (log λ…, log scale, log(noise − min)) ↔ kernel parameters. */
function fromRaw(raw: ArrayLike<number>, dim: number, deterministic: boolean): KernelParams {
  return {
    inverseSquaredLengthscales: Float64Array.from({ length: dim }, (_, d) => Math.exp(raw[d])),
    kernelScale: Math.exp(raw[dim]),
    noiseVar: deterministic ? MINIMUM_NOISE_VAR : Math.exp(raw[dim + 1]) + MINIMUM_NOISE_VAR,
  };
}

function toRaw(params: KernelParams): Float64Array {
  return Float64Array.from([
    ...Array.from(params.inverseSquaredLengthscales, Math.log),
    Math.log(params.kernelScale),
    // Optuna starts 1% of the minimum noise above it, to avoid the log of zero.
    Math.log(Math.max(params.noiseVar - 0.99 * MINIMUM_NOISE_VAR, 1e-300)),
  ]);
}

class Objective {
  constructor(
    readonly differences: Float64Array,
    readonly n: number,
    readonly values: ArrayLike<number>,
    readonly deterministic: boolean,
  ) {}

  logLikelihood(params: KernelParams): number {
    const { n } = this;
    const r2 = pairSquaredDistances(this.differences, n, params.inverseSquaredLengthscales);
    const c = r2.map((value) => params.kernelScale * matern52(value));
    for (let i = 0; i < n; i++) c[i * n + i] += params.noiseVar;
    const l = cholesky(c, n);
    if (l === null) return -Infinity;
    const u = solveLower(l, n, this.values);
    let value = 0;
    for (let i = 0; i < n; i++) value -= Math.log(l[i * n + i]) + 0.5 * u[i] * u[i];
    return value;
  }

  /** −(log-likelihood + log prior) and its gradient in raw parameters. */
  evaluate(raw: Float64Array): ValueAndGradient {
    const { n, differences } = this;
    const dim = raw.length - 2;
    const params = fromRaw(raw, dim, this.deterministic);
    const lambda = params.inverseSquaredLengthscales, scale = params.kernelScale;
    const r2 = pairSquaredDistances(differences, n, lambda);
    const m = r2.map(matern52);
    const c = m.map((value) => scale * value);
    for (let i = 0; i < n; i++) c[i * n + i] += params.noiseVar;
    const gradient = new Float64Array(raw.length);
    const l = cholesky(c, n);
    if (l === null) return { value: Infinity, gradient };
    const u = solveLower(l, n, this.values);
    let logLikelihood = 0;
    for (let i = 0; i < n; i++) logLikelihood -= Math.log(l[i * n + i]) + 0.5 * u[i] * u[i];
    const alpha = solveUpperTransposed(l, n, u);
    const cInverse = inverseFromCholesky(l, n);

    // W = ααᵀ − C⁻¹; ∂ log p/∂θ = ½ Σ_ij W_ij ∂C_ij/∂θ.
    let traceW = 0, scaleTerm = 0;
    const lengthTerms = new Float64Array(dim);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const p = i * n + j;
        const w = alpha[i] * alpha[j] - cInverse[p];
        if (i === j) traceW += w;
        scaleTerm += w * scale * m[p];
        if (i === j) continue;
        const wm = w * scale * matern52Derivative(r2[p]);
        for (let d = 0; d < dim; d++) lengthTerms[d] += wm * differences[p * dim + d];
      }
    }
    for (let d = 0; d < dim; d++) {
      // ∂/∂ log λ_d of the likelihood, then of the prior −(0.1/λ + 0.1λ).
      gradient[d] = -(0.5 * lengthTerms[d] * lambda[d] + 0.1 / lambda[d] - 0.1 * lambda[d]);
    }
    // Scale: ∂C/∂ log s = s·m; prior (2 − 1)·log s − s.
    gradient[dim] = -(0.5 * scaleTerm + 1 - scale);
    if (!this.deterministic) {
      // Noise: ∂C/∂ raw = e^raw·I; prior 0.1·log σ² − 30σ².
      const rawNoise = Math.exp(raw[dim + 1]);
      gradient[dim + 1] = -(0.5 * traceW * rawNoise + (0.1 / params.noiseVar - 30) * rawNoise);
    }
    return { value: -(logLikelihood + logPrior(params)), gradient };
  }
}

/** The negative log posterior of the kernel parameters and its gradient (for tests). */
export function negativeLogPosterior(
  points: readonly Float64Array[],
  values: ArrayLike<number>,
  isCategorical: readonly boolean[],
  raw: Float64Array,
  deterministic = false,
): ValueAndGradient & { params: KernelParams } {
  const objective = new Objective(
    pairSquaredDifferences(points, isCategorical),
    points.length,
    values,
    deterministic,
  );
  return {
    ...objective.evaluate(raw),
    params: fromRaw(raw, isCategorical.length, deterministic),
  };
}

/** The MAP kernel parameters for standardised `values` at normalised `points`. */
export function fitKernelParams(
  points: readonly Float64Array[],
  values: ArrayLike<number>,
  isCategorical: readonly boolean[],
  options: FitOptions = {},
): KernelParams {
  const dim = isCategorical.length;
  const deterministic = options.deterministic ?? false;
  const defaults: KernelParams = {
    inverseSquaredLengthscales: new Float64Array(dim).fill(1),
    kernelScale: 1,
    noiseVar: 1,
  };
  const objective = new Objective(
    pairSquaredDifferences(points, isCategorical),
    points.length,
    values,
    deterministic,
  );
  const starts = options.initial ? [options.initial, defaults] : [defaults];
  for (const start of starts) {
    const result = minimizeLbfgs((raw) => objective.evaluate(raw), toRaw(start), {
      gradientTolerance: options.gradientTolerance ?? 1e-2,
    });
    if (result.converged && Number.isFinite(result.value)) {
      return fromRaw(result.x, dim, deterministic);
    }
  }
  return defaults;
}
