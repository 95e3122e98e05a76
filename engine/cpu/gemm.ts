/**
 * The matrix product the fast CPU path is built on, behind one small interface so that the
 * provider can be chosen per machine: OpenBLAS through FFI where the system has it
 * (`blas_gemm.ts`), a WebAssembly SIMD kernel everywhere else (`wasm_gemm.ts`). `linear_gemm.ts`
 * expresses a Linear layer's three products with it. The plain loops of `linear.ts` and
 * `matmul.ts` stay the reference these are tested against.
 *
 * @module
 */

/** C[m×n] = op(A)·op(B), with op(A) m×k and op(B) k×n. */
export interface GemmShape {
  m: number;
  n: number;
  k: number;
  /** A is stored k×m and read transposed; otherwise it is stored m×k. */
  transA: boolean;
  /** B is stored n×k and read transposed; otherwise it is stored k×n. */
  transB: boolean;
}

export interface Gemm {
  /** Says what computes the product: "OpenBLAS 0.3.21 (Zen, 1 thread)", "WebAssembly SIMD". */
  readonly description: string;
  /**
   * c[m×n] = op(a)·op(b), plus `bias[n]` on every row when given. Every matrix is row-major and
   * contiguous; `c` must not alias `a` or `b`. Sums are f32, as in PyTorch and the GPU kernels.
   */
  multiply(
    shape: GemmShape,
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    bias?: Float32Array,
  ): void;
}

/** Throws unless the arrays hold the matrices `shape` names (extra length is allowed). */
export function assertGemmOperands(
  shape: GemmShape,
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  bias?: Float32Array,
): void {
  const { m, n, k } = shape;
  for (
    const [name, array, needed] of [
      ["A", a, m * k],
      ["B", b, k * n],
      ["C", c, m * n],
      ["bias", bias, n],
    ] as const
  ) {
    if (array !== undefined && array.length < needed) {
      throw new RangeError(
        `Gemm operand ${name} has ${array.length} floats, fewer than the ${needed} of m ${m}, ` +
          `n ${n}, k ${k}`,
      );
    }
  }
}
