import assert from "node:assert/strict";
import { assertGradient, numericGradient, testValues, weightedSum } from "./gradient_check.ts";
import { linearBackward, linearForward } from "./linear.ts";

const BATCH = 5, IN = 7, OUT = 6;

function check(x: Float32Array, label: string): void {
  const weight = testValues(OUT * IN, 2, 0.5);
  const bias = testValues(OUT, 3);
  const r = testValues(BATCH * OUT, 4);
  const y = new Float32Array(BATCH * OUT);
  const objective = () => {
    linearForward(x, weight, bias, BATCH, IN, OUT, y);
    return weightedSum(y, r);
  };
  const grads = {
    dWeight: new Float32Array(OUT * IN),
    dBias: new Float32Array(OUT),
    dX: new Float32Array(BATCH * IN),
  };
  linearBackward(x, weight, r, BATCH, IN, OUT, grads);
  assertGradient(grads.dX, numericGradient(x, objective), `${label} dX`);
  assertGradient(grads.dWeight, numericGradient(weight, objective), `${label} dW`);
  assertGradient(grads.dBias, numericGradient(bias, objective), `${label} db`);
}

Deno.test("linearBackward() matches finite differences with dense inputs and gradients", () => {
  check(testValues(BATCH * IN, 1), "dense");
});

Deno.test("linearBackward() matches finite differences on the sparse path (mostly zeros)", () => {
  check(testValues(BATCH * IN, 1).map((v, i) => (i % 4 === 0 ? v : 0)), "sparse x");
  const x = testValues(BATCH * IN, 5);
  const weight = testValues(OUT * IN, 6);
  const dY = testValues(BATCH * OUT, 7).map((v, i) => (i % 3 === 0 ? v : 0));
  const sparse = {
    dWeight: new Float32Array(OUT * IN),
    dBias: new Float32Array(OUT),
    dX: new Float32Array(BATCH * IN),
  };
  linearBackward(x, weight, dY, BATCH, IN, OUT, sparse);
  // dX = dY·W and dW = dYᵀ·x written out directly.
  for (let i = 0; i < BATCH; i++) {
    for (let k = 0; k < IN; k++) {
      let sum = 0;
      for (let o = 0; o < OUT; o++) sum += dY[i * OUT + o] * weight[o * IN + k];
      assert.ok(Math.abs(sparse.dX[i * IN + k] - sum) < 1e-6);
    }
  }
  for (let o = 0; o < OUT; o++) {
    for (let k = 0; k < IN; k++) {
      let sum = 0;
      for (let i = 0; i < BATCH; i++) sum += dY[i * OUT + o] * x[i * IN + k];
      assert.ok(Math.abs(sparse.dWeight[o * IN + k] - sum) < 1e-6);
    }
  }
});

Deno.test("linearForward() with an input offset equals the plain product", () => {
  const x = testValues(BATCH * IN, 8).map((v, i) => (i % 5 === 0 ? v : -1));
  const weight = testValues(OUT * IN, 9);
  const bias = testValues(OUT, 10);
  const skipping = new Float32Array(BATCH * OUT);
  const plain = new Float32Array(BATCH * OUT);
  linearForward(x, weight, bias, BATCH, IN, OUT, skipping, undefined, -1);
  linearForward(x, weight, bias, BATCH, IN, OUT, plain);
  for (let i = 0; i < plain.length; i++) assert.ok(Math.abs(skipping[i] - plain[i]) < 1e-6);
});

Deno.test("linearBackward() without dX (first layer) gives the same dW and db", () => {
  const args = [
    testValues(BATCH * IN, 1),
    testValues(OUT * IN, 2),
    testValues(BATCH * OUT, 3),
  ] as const;
  const without = { dWeight: new Float32Array(OUT * IN), dBias: new Float32Array(OUT), dX: null };
  const full = {
    dWeight: new Float32Array(OUT * IN),
    dBias: new Float32Array(OUT),
    dX: new Float32Array(BATCH * IN),
  };
  linearBackward(...args, BATCH, IN, OUT, without);
  linearBackward(...args, BATCH, IN, OUT, full);
  assert.deepEqual(without.dWeight, full.dWeight);
  assert.deepEqual(without.dBias, full.dBias);
  assert.ok(full.dWeight.some((v) => v !== 0));
});
