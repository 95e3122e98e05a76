/**
 * Warm-starting CMA-ES (Nomura et al., "Warm Starting CMA-ES for Hyperparameter Optimization",
 * AAAI 2021, https://arxiv.org/abs/2012.06932) as cmaes 0.9.1's `get_warm_start_mgd`
 * (`cmaes/_warm_start.py`): the best γ share of a source task's solutions gives the initial mean,
 * and their second moment around it plus α²·I the initial covariance, scaled to determinant 1
 * with σ carrying its scale.
 *
 * @module
 */

import { eigh } from "./eigh.ts";

/** Mean, σ and covariance (row-major n×n) from (solution, value to minimise) pairs. */
export function warmStartDistribution(
  solutions: readonly (readonly [readonly number[], number])[],
  gamma = 0.1,
  alpha = 0.1,
): { mean: number[]; sigma: number; cov: number[] } {
  if (!(gamma > 0 && gamma <= 1)) throw new RangeError(`gamma must be in (0, 1], got ${gamma}`);
  if (solutions.length === 0) throw new RangeError("Warm start needs at least one source solution");
  const sorted = [...solutions].sort((a, b) => a[1] - b[1]);
  const n = Math.floor(sorted.length * gamma);
  if (n < 1) {
    throw new RangeError(
      `Warm start keeps the best ${gamma} of ${sorted.length} source solutions: none; ` +
        `give at least ${Math.ceil(1 / gamma)}`,
    );
  }
  const top = sorted.slice(0, n).map(([x]) => x);
  const dim = top[0].length;
  const mean = Array.from({ length: dim }, (_, i) => top.reduce((a, x) => a + x[i], 0) / n);
  const sigmaMatrix = new Array<number>(dim * dim);
  for (let i = 0; i < dim; i++) {
    for (let j = 0; j < dim; j++) {
      const second = top.reduce((a, x) => a + x[i] * x[j], 0) / n;
      sigmaMatrix[i * dim + j] = (i === j ? alpha * alpha : 0) + second - mean[i] * mean[j];
    }
  }
  const det = eigh(sigmaMatrix, dim).values.reduce((a, v) => a * v, 1);
  return {
    mean,
    sigma: Math.pow(det, 1 / 2 / dim),
    cov: sigmaMatrix.map((v) => v / Math.pow(det, 1 / dim)),
  };
}
