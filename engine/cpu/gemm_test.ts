import assert from "node:assert/strict";
import { BlasGemm } from "./blas_gemm.ts";
import type { Gemm, GemmShape } from "./gemm.ts";
import { testValues } from "./gradient_check.ts";
import { COLUMNS, ROWS, WasmGemm } from "./wasm_gemm.ts";

/** op(A)·op(B) + bias, the textbook triple loop in f64. */
function naive(shape: GemmShape, a: Float32Array, b: Float32Array, bias?: Float32Array) {
  const { m, n, k, transA, transB } = shape;
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = bias ? bias[j] : 0;
      for (let p = 0; p < k; p++) {
        sum += (transA ? a[p * m + i] : a[i * k + p]) * (transB ? b[j * k + p] : b[p * n + j]);
      }
      c[i * n + j] = sum;
    }
  }
  return c;
}

// Off the WebAssembly kernel's ROWS×COLUMNS blocks on every side, on them, degenerate (k = 1,
// single rows and columns), past its 64-row L2 block, and a long sum.
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [7, 9, 5],
  [ROWS, COLUMNS, 3],
  [ROWS + 1, COLUMNS - 1, 13],
  [130, 17, 2],
  [3, 70, 64],
  [128, 10, 256],
  [66, 33, 300],
];

/** Sums of k products of values in [−1, 1): f32 rounding grows like √k, the bound like k. */
function assertProduct(gemm: Gemm, label: string): void {
  for (const [m, n, k] of SHAPES) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        for (const withBias of [false, true]) {
          const shape = { m, n, k, transA, transB };
          const a = testValues(m * k, m + 3 * k);
          const b = testValues(k * n, n + 5 * k);
          const bias = withBias ? testValues(n, 7) : undefined;
          // Stale values must be overwritten, not accumulated into.
          const c = new Float32Array(m * n).fill(Number.NaN);
          gemm.multiply(shape, a, b, c, bias);
          const expected = naive(shape, a, b, bias);
          for (let i = 0; i < expected.length; i++) {
            const error = Math.abs(c[i] - expected[i]);
            assert.ok(
              error <= 1e-6 * (k + 1),
              `${label} ${JSON.stringify(shape)} bias ${withBias} [${i}]: ${c[i]} vs ${
                expected[i]
              }`,
            );
          }
        }
      }
    }
  }
}

Deno.test("WasmGemm.multiply() equals the f64 product for every transpose, edge and bias", () => {
  assertProduct(new WasmGemm(), "wasm");
});

Deno.test("WasmGemm.multiply() with k = 0 gives the bias, and refuses operands too short", () => {
  const gemm = new WasmGemm();
  const c = new Float32Array(6).fill(9);
  gemm.multiply(
    { m: 2, n: 3, k: 0, transA: false, transB: false },
    new Float32Array(0),
    new Float32Array(0),
    c,
    Float32Array.of(1, 2, 3),
  );
  assert.deepEqual([...c], [1, 2, 3, 1, 2, 3]);
  assert.throws(
    () =>
      gemm.multiply(
        { m: 2, n: 3, k: 4, transA: false, transB: true },
        new Float32Array(7),
        new Float32Array(12),
        c,
      ),
    /Gemm operand A has 7 floats, fewer than the 8 of m 2, n 3, k 4/,
  );
});

Deno.test("WasmGemm grows its memory for a larger product after a smaller one", () => {
  const gemm = new WasmGemm();
  const small = { m: 2, n: 2, k: 2, transA: false, transB: false };
  gemm.multiply(small, testValues(4, 1), testValues(4, 2), new Float32Array(4));
  const large = { m: 300, n: 300, k: 300, transA: false, transB: false };
  const a = testValues(300 * 300, 3);
  const b = testValues(300 * 300, 4);
  const c = new Float32Array(300 * 300);
  gemm.multiply(large, a, b, c);
  const expected = naive(large, a, b);
  assert.ok(Math.abs(c[300 * 300 - 1] - expected[300 * 300 - 1]) < 1e-3);
});

/** OpenBLAS when this machine has it (Debian: libopenblas0-pthread) and FFI is allowed. */
const blas = BlasGemm.open(1);
if (!(blas instanceof BlasGemm)) console.warn(`OpenBLAS tests ignored: ${blas.reason}`);

Deno.test({
  name: "BlasGemm.multiply() equals the f64 product for every transpose, edge and bias",
  ignore: !(blas instanceof BlasGemm),
  fn() {
    assertProduct(blas as BlasGemm, "OpenBLAS");
    assert.match((blas as BlasGemm).description, /^OpenBLAS \S+ \(.*1 thread\)$/);
  },
});
