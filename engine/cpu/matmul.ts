/**
 * The two matrix-product kernels behind `linear.ts`, both accumulating in f64 (more exact than
 * torch's f32 sums) and storing f32:
 *
 * - {@linkcode matmulTransposedB}: dense C = A·Bᵀ with both operands contiguous along the summed
 *   dimension, in 4×4 output blocks with sixteen accumulators, so each loaded value feeds four
 *   multiply-adds. Measured here it runs 3–4× faster than the i-k-j "axpy" order.
 * - {@linkcode matmulSparseA}: C = A·B in i-k-j order that skips the entries of A equal to a
 *   given value. ReLU and dropout zero about 60% of the activations and of their gradients, and
 *   80% of MNIST's pixels are background, so skipping them beats the dense kernel below about
 *   half density (measured: 2–3× faster at 20–40%).
 *
 * @module
 */

/**
 * C[m×n] = A[m×k] · B[n×k]ᵀ (+ bias[n] on every row). Row-major; `c` must not alias `a` or `b`.
 */
export function matmulTransposedB(
  a: Float32Array,
  b: Float32Array,
  m: number,
  n: number,
  k: number,
  c: Float32Array,
  bias: Float32Array | null = null,
): void {
  const m4 = m - (m % 4);
  const n4 = n - (n % 4);
  for (let i = 0; i < m4; i += 4) {
    const a0 = i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
    for (let j = 0; j < n4; j += 4) {
      const b0 = j * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
      const z0 = bias === null ? 0 : bias[j], z1 = bias === null ? 0 : bias[j + 1];
      const z2 = bias === null ? 0 : bias[j + 2], z3 = bias === null ? 0 : bias[j + 3];
      let c00 = z0, c01 = z1, c02 = z2, c03 = z3, c10 = z0, c11 = z1, c12 = z2, c13 = z3;
      let c20 = z0, c21 = z1, c22 = z2, c23 = z3, c30 = z0, c31 = z1, c32 = z2, c33 = z3;
      for (let p = 0; p < k; p++) {
        const x0 = a[a0 + p], x1 = a[a1 + p], x2 = a[a2 + p], x3 = a[a3 + p];
        const w0 = b[b0 + p], w1 = b[b1 + p], w2 = b[b2 + p], w3 = b[b3 + p];
        c00 += x0 * w0, c01 += x0 * w1, c02 += x0 * w2, c03 += x0 * w3;
        c10 += x1 * w0, c11 += x1 * w1, c12 += x1 * w2, c13 += x1 * w3;
        c20 += x2 * w0, c21 += x2 * w1, c22 += x2 * w2, c23 += x2 * w3;
        c30 += x3 * w0, c31 += x3 * w1, c32 += x3 * w2, c33 += x3 * w3;
      }
      const o0 = i * n + j, o1 = o0 + n, o2 = o1 + n, o3 = o2 + n;
      c[o0] = c00, c[o0 + 1] = c01, c[o0 + 2] = c02, c[o0 + 3] = c03;
      c[o1] = c10, c[o1 + 1] = c11, c[o1 + 2] = c12, c[o1 + 3] = c13;
      c[o2] = c20, c[o2 + 1] = c21, c[o2 + 2] = c22, c[o2 + 3] = c23;
      c[o3] = c30, c[o3 + 1] = c31, c[o3 + 2] = c32, c[o3 + 3] = c33;
    }
    for (let r = i; r < i + 4; r++) rowTail(a, b, r, n4, n, k, c, bias);
  }
  for (let r = m4; r < m; r++) rowTail(a, b, r, 0, n, k, c, bias);
}

/** Row `r` of C for columns [from, n), one dot product each (the edges of the 4×4 blocks). */
function rowTail(
  a: Float32Array,
  b: Float32Array,
  r: number,
  from: number,
  n: number,
  k: number,
  c: Float32Array,
  bias: Float32Array | null,
): void {
  const aRow = r * k;
  for (let j = from; j < n; j++) {
    const bRow = j * k;
    let sum = bias === null ? 0 : bias[j];
    for (let p = 0; p < k; p++) sum += a[aRow + p] * b[bRow + p];
    c[r * n + j] = sum;
  }
}

/** out[cols×rows] = src[rows×cols]ᵀ. */
export function transpose(src: Float32Array, rows: number, cols: number, out: Float32Array): void {
  for (let r = 0; r < rows; r++) {
    const from = r * cols;
    for (let col = 0; col < cols; col++) out[col * rows + r] = src[from + col];
  }
}

/** Fraction of entries that must be skippable for {@linkcode matmulSparseA} to beat the dense kernel. */
export const SPARSE_DENSITY_LIMIT = 0.5;

/** How many of the first `count` entries of `a` differ from `offset`. */
export function countDifferent(a: Float32Array, count: number, offset = 0): number {
  let different = 0;
  for (let i = 0; i < count; i++) if (a[i] !== offset) different++;
  return different;
}

/**
 * C[m×n] = A[m×k] · B[k×n] (+ bias[n] on every row), row-major, skipping every A entry equal to
 * `offset`: C = (A − offset)·B + offset·(1·B), exact in f64 because the difference of two f32
 * values is. Four kept entries share each pass over a C row, held in an f64 row accumulator.
 */
export function matmulSparseA(
  a: Float32Array,
  b: Float32Array,
  m: number,
  n: number,
  k: number,
  c: Float32Array,
  bias: Float32Array | null = null,
  offset = 0,
): void {
  const base = new Float64Array(n);
  if (bias !== null) { for (let j = 0; j < n; j++) base[j] = bias[j]; }
  if (offset !== 0) {
    for (let p = 0; p < k; p++) {
      const row = p * n;
      for (let j = 0; j < n; j++) base[j] += offset * b[row + j];
    }
  }
  const acc = new Float64Array(n);
  const kept = new Int32Array(k);
  for (let i = 0; i < m; i++) {
    const aRow = i * k;
    let count = 0;
    for (let p = 0; p < k; p++) if (a[aRow + p] !== offset) kept[count++] = p;
    acc.set(base);
    let q = 0;
    for (; q + 4 <= count; q += 4) {
      const p0 = kept[q], p1 = kept[q + 1], p2 = kept[q + 2], p3 = kept[q + 3];
      const v0 = a[aRow + p0] - offset, v1 = a[aRow + p1] - offset;
      const v2 = a[aRow + p2] - offset, v3 = a[aRow + p3] - offset;
      const b0 = p0 * n, b1 = p1 * n, b2 = p2 * n, b3 = p3 * n;
      for (let j = 0; j < n; j++) {
        acc[j] += v0 * b[b0 + j] + v1 * b[b1 + j] + v2 * b[b2 + j] + v3 * b[b3 + j];
      }
    }
    for (; q < count; q++) {
      const v = a[aRow + kept[q]] - offset;
      const row = kept[q] * n;
      for (let j = 0; j < n; j++) acc[j] += v * b[row + j];
    }
    c.set(acc, i * n);
  }
}
