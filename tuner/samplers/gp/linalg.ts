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

/** A⁻¹ from its Cholesky factor L (A = L·Lᵀ): L⁻¹ first, then L⁻ᵀ·L⁻¹, symmetric. */
export function inverseFromCholesky(l: Float64Array, n: number): Float64Array {
  const lInv = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    lInv[j * n + j] = 1 / l[j * n + j];
    for (let i = j + 1; i < n; i++) {
      let sum = 0;
      for (let k = j; k < i; k++) sum -= l[i * n + k] * lInv[k * n + j];
      lInv[i * n + j] = sum / l[i * n + i];
    }
  }
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      // (L⁻ᵀ L⁻¹)_ij = Σ_k L⁻¹_ki L⁻¹_kj over k ≥ max(i, j) = i.
      let sum = 0;
      for (let k = i; k < n; k++) sum += lInv[k * n + i] * lInv[k * n + j];
      inv[i * n + j] = sum;
      inv[j * n + i] = sum;
    }
  }
  return inv;
}
