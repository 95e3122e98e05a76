import assert from "node:assert/strict";
import { countDifferent, matmulSparseA, matmulTransposedB, transpose } from "./matmul.ts";
import { testValues } from "./gradient_check.ts";

/** C = A·B with B [k×n], the textbook triple loop in f64. */
function naive(a: Float32Array, b: Float32Array, m: number, n: number, k: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      for (let p = 0; p < k; p++) c[i * n + j] += a[i * k + p] * b[p * n + j];
    }
  }
  return c;
}

function assertNear(actual: Float32Array, expected: Float64Array): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= 1e-6 * (1 + Math.abs(expected[i])), `[${i}]`);
  }
}

// Shapes off the 4×4 blocks on every side, exactly on them, and degenerate.
const SHAPES = [[7, 9, 5], [8, 8, 3], [1, 1, 1], [4, 6, 13], [13, 4, 2]];

Deno.test("matmulTransposedB() matches the naive product on shapes off the 4×4 blocks", () => {
  for (const [m, n, k] of SHAPES) {
    const a = testValues(m * k, m);
    const b = testValues(k * n, n);
    const bT = new Float32Array(n * k);
    transpose(b, k, n, bT);
    const bias = testValues(n, 99);
    const c = new Float32Array(m * n);
    matmulTransposedB(a, bT, m, n, k, c, bias);
    const expected = naive(a, b, m, n, k).map((v, i) => v + bias[i % n]);
    assertNear(c, expected);
  }
});

Deno.test("matmulSparseA() skips the offset value and still equals the full product", () => {
  for (const [m, n, k] of SHAPES) {
    for (const offset of [0, -1]) {
      const a = testValues(m * k, m + 7).map((v, i) => (i % 3 === 0 ? v : offset));
      const b = testValues(k * n, n + 7);
      const c = new Float32Array(m * n);
      matmulSparseA(a, b, m, n, k, c, null, offset);
      assertNear(c, naive(a, b, m, n, k));
    }
  }
});

Deno.test("countDifferent() counts entries other than the offset", () => {
  assert.equal(countDifferent(Float32Array.of(0, 1, 0, 2), 4), 2);
  assert.equal(countDifferent(Float32Array.of(-1, -1, 0.5), 3, -1), 1);
  assert.equal(countDifferent(Float32Array.of(1, 1, 1), 2), 2);
});

Deno.test("transpose() swaps rows and columns", () => {
  const out = new Float32Array(6);
  transpose(Float32Array.of(1, 2, 3, 4, 5, 6), 2, 3, out);
  assert.deepEqual([...out], [1, 4, 2, 5, 3, 6]);
});
