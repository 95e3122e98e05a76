/**
 * The dense linear algebra the GP needs, on row-major `Float64Array`s: a Cholesky factor (with
 * jitter when rounding makes a covariance matrix lose definiteness) and triangular solves.
 *
 * @module
 */

/** Lower-triangular L with L·Lᵀ = A (n × n, row-major), or null when A is not positive definite. */
export function cholesky(a: Float64Array, n: number): Float64Array | null {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const rowJ = j * n;
    let diagonal = a[rowJ + j];
    for (let k = 0; k < j; k++) diagonal -= l[rowJ + k] * l[rowJ + k];
    if (!(diagonal > 0)) return null;
    const ljj = Math.sqrt(diagonal);
    l[rowJ + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const rowI = i * n;
      let sum = a[rowI + j];
      for (let k = 0; k < j; k++) sum -= l[rowI + k] * l[rowJ + k];
      l[rowI + j] = sum / ljj;
    }
  }
  return l;
}

/**
 * Cholesky of A, adding jitter (1e-10, 1e-9, … of the mean diagonal) to the diagonal until it
 * succeeds: an n × n kernel matrix with almost equal rows can lose definiteness to rounding.
 */
export function choleskyWithJitter(a: Float64Array, n: number): Float64Array {
  const plain = cholesky(a, n);
  if (plain) return plain;
  let meanDiagonal = 0;
  for (let i = 0; i < n; i++) meanDiagonal += a[i * n + i] / n;
  for (let jitter = 1e-10; jitter <= 1e-2; jitter *= 10) {
    const jittered = a.slice();
    for (let i = 0; i < n; i++) jittered[i * n + i] += jitter * Math.max(meanDiagonal, 1e-300);
    const l = cholesky(jittered, n);
    if (l) return l;
  }
  throw new RangeError(`Covariance matrix of ${n} points is not positive definite, even jittered`);
}

/** x with L·x = b (forward substitution). */
export function solveLower(l: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const row = i * n;
    let sum = b[i];
    for (let k = 0; k < i; k++) sum -= l[row + k] * x[k];
    x[i] = sum / l[row + i];
  }
  return x;
}

/** x with Lᵀ·x = b (back substitution with the transpose of a lower factor). */
export function solveUpperTransposed(
  l: Float64Array,
  n: number,
  b: ArrayLike<number>,
): Float64Array {
  const x = Float64Array.from(b);
  for (let i = n - 1; i >= 0; i--) {
    x[i] /= l[i * n + i];
    const xi = x[i];
    for (let k = 0; k < i; k++) x[k] -= l[i * n + k] * xi;
  }
  return x;
}

/**
 * A⁻¹ from its Cholesky factor L (A = L·Lᵀ): the rows of X = L⁻¹ by forward substitution, then
 * A⁻¹ = Xᵀ·X as a sum of rank-one updates; both walk rows, not columns, for the cache.
 */
export function inverseFromCholesky(l: Float64Array, n: number): Float64Array {
  const x = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    // Row i of X: (e_i − Σ_{k<i} L_ik · X_k) / L_ii, with X_k zero beyond column k.
    const row = i * n;
    for (let k = 0; k < i; k++) {
      const lik = l[row + k];
      if (lik === 0) continue;
      const rowK = k * n;
      for (let j = 0; j <= k; j++) x[row + j] -= lik * x[rowK + j];
    }
    x[row + i] += 1;
    const inverseDiagonal = 1 / l[row + i];
    for (let j = 0; j <= i; j++) x[row + j] *= inverseDiagonal;
  }
  const inv = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const rowK = k * n;
    for (let i = 0; i <= k; i++) {
      const xki = x[rowK + i];
      if (xki === 0) continue;
      const rowI = i * n;
      for (let j = 0; j <= i; j++) inv[rowI + j] += xki * x[rowK + j];
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) inv[j * n + i] = inv[i * n + j];
  return inv;
}
