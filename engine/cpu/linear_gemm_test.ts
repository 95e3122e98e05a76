import assert from "node:assert/strict";
import { testValues } from "./gradient_check.ts";
import { linearBackward, linearForward } from "./linear.ts";
import { gemmLinearBackward, gemmLinearForward } from "./linear_gemm.ts";
import { WasmGemm } from "./wasm_gemm.ts";

const gemm = new WasmGemm();

function assertClose(actual: Float32Array, expected: Float32Array, what: string): void {
  for (let i = 0; i < expected.length; i++) {
    const error = Math.abs(actual[i] - expected[i]);
    assert.ok(
      error <= 1e-5 * (1 + Math.abs(expected[i])),
      `${what}[${i}]: ${actual[i]} vs ${expected[i]}`,
    );
  }
}

Deno.test("gemmLinearForward() and gemmLinearBackward() give the reference's y, dW, db and dX", () => {
  for (const [batch, inFeatures, outFeatures] of [[5, 7, 6], [1, 1, 1], [70, 33, 10]]) {
    const shape = { batch, inFeatures, outFeatures };
    // Mostly zeros, so the reference takes its sparse kernels too, and the background value −1.
    const inputs = [
      testValues(batch * inFeatures, 1),
      testValues(batch * inFeatures, 2).map((v, i) => (i % 4 === 0 ? v : 0)),
      testValues(batch * inFeatures, 3).map((v, i) => (i % 5 === 0 ? v : -1)),
    ];
    const weight = testValues(outFeatures * inFeatures, 4);
    const bias = testValues(outFeatures, 5);
    const dY = testValues(batch * outFeatures, 6).map((v, i) => (i % 3 === 0 ? v : 0));
    for (const [case_, x] of inputs.entries()) {
      const label = `${batch}×${inFeatures}→${outFeatures} input ${case_}`;
      const [y, yRef] = [
        new Float32Array(batch * outFeatures),
        new Float32Array(batch * outFeatures),
      ];
      gemmLinearForward(gemm, x, weight, bias, shape, y);
      linearForward(
        x,
        weight,
        bias,
        batch,
        inFeatures,
        outFeatures,
        yRef,
        undefined,
        case_ === 2 ? -1 : 0,
      );
      assertClose(y, yRef, `${label} y`);
      const grads = () => ({
        dWeight: new Float32Array(outFeatures * inFeatures).fill(Number.NaN),
        dBias: new Float32Array(outFeatures).fill(Number.NaN),
        dX: new Float32Array(batch * inFeatures).fill(Number.NaN),
      });
      const [fast, reference] = [grads(), grads()];
      gemmLinearBackward(gemm, x, weight, dY, shape, fast);
      linearBackward(x, weight, dY, batch, inFeatures, outFeatures, reference);
      assertClose(fast.dWeight, reference.dWeight, `${label} dW`);
      assertClose(fast.dBias, reference.dBias, `${label} db`);
      assertClose(fast.dX, reference.dX, `${label} dX`);
    }
  }
});

Deno.test("gemmLinearBackward() without dX (first layer) still writes dW and db", () => {
  const shape = { batch: 3, inFeatures: 4, outFeatures: 2 };
  const grads = { dWeight: new Float32Array(8), dBias: new Float32Array(2), dX: null };
  gemmLinearBackward(
    gemm,
    testValues(12, 1),
    testValues(8, 2),
    Float32Array.of(1, 2, 3, 4, 5, 6),
    shape,
    grads,
  );
  assert.deepEqual([...grads.dBias], [9, 12]);
  assert.ok(grads.dWeight.every((v) => v !== 0));
});
