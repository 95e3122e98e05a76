import assert from "node:assert/strict";
import {
  BATCH_NORM_EPS,
  batchNormBackward,
  batchNormEvalForward,
  batchNormTrainForward,
  createBatchNormState,
} from "./batch_norm.ts";
import { assertGradient, numericGradient, testValues, weightedSum } from "./gradient_check.ts";

const BATCH = 6, FEATURES = 3;

function saved() {
  return { xHat: new Float32Array(BATCH * FEATURES), invStd: new Float32Array(FEATURES) };
}

function column(data: Float32Array, f: number): number[] {
  return Array.from({ length: BATCH }, (_, i) => data[i * FEATURES + f]);
}

Deno.test("batchNormTrainForward() normalises with the biased variance, tracks the unbiased one", () => {
  const x = testValues(BATCH * FEATURES, 1, 3);
  const state = createBatchNormState(FEATURES);
  const y = new Float32Array(BATCH * FEATURES);
  batchNormTrainForward(x, BATCH, FEATURES, state, y, saved());
  for (let f = 0; f < FEATURES; f++) {
    const values = column(x, f);
    const mean = values.reduce((a, b) => a + b) / BATCH;
    const squares = values.reduce((a, v) => a + (v - mean) ** 2, 0);
    const out = column(y, f);
    const outMean = out.reduce((a, b) => a + b) / BATCH;
    const outVar = out.reduce((a, v) => a + (v - outMean) ** 2, 0) / BATCH;
    assert.ok(Math.abs(outMean) < 1e-6);
    assert.ok(Math.abs(outVar - squares / BATCH / (squares / BATCH + BATCH_NORM_EPS)) < 1e-5);
    assert.ok(Math.abs(state.runningMean[f] - 0.1 * mean) < 1e-6);
    assert.ok(Math.abs(state.runningVar[f] - (0.9 + 0.1 * squares / (BATCH - 1))) < 1e-6);
  }
  assert.equal(state.numBatchesTracked[0], 1);
});

Deno.test("batchNormEvalForward() uses the running statistics, not the batch's", () => {
  const state = createBatchNormState(2);
  state.runningMean.set([1, -2]);
  state.runningVar.set([4, 0.25]);
  state.gamma.set([2, 1]);
  state.beta.set([0.5, 0]);
  const y = new Float32Array(2);
  batchNormEvalForward(Float32Array.of(3, -1), 1, 2, state, y);
  assert.ok(Math.abs(y[0] - (2 * 2 / Math.sqrt(4 + BATCH_NORM_EPS) + 0.5)) < 1e-6);
  assert.ok(Math.abs(y[1] - 1 / Math.sqrt(0.25 + BATCH_NORM_EPS)) < 1e-6);
  assert.equal(state.numBatchesTracked[0], 0);
});

Deno.test("batchNormBackward() matches finite differences for dX, dγ and dβ", () => {
  const x = testValues(BATCH * FEATURES, 2, 2);
  const state = createBatchNormState(FEATURES);
  state.gamma.set([0.5, 1.5, -1]);
  state.beta.set([0.1, 0, -0.3]);
  const r = testValues(BATCH * FEATURES, 3);
  const y = new Float32Array(BATCH * FEATURES);
  const keep = saved();
  const objective = () => {
    batchNormTrainForward(x, BATCH, FEATURES, state, y, keep);
    return weightedSum(y, r);
  };
  objective();
  const dX = new Float32Array(BATCH * FEATURES);
  const dGamma = new Float32Array(FEATURES);
  const dBeta = new Float32Array(FEATURES);
  batchNormBackward(r, keep, state.gamma, BATCH, FEATURES, dX, dGamma, dBeta);
  assertGradient(dX, numericGradient(x, objective, 1e-2), "dX");
  assertGradient(dGamma, numericGradient(state.gamma, objective), "dγ");
  assertGradient(dBeta, numericGradient(state.beta, objective), "dβ");
});

Deno.test("batchNormTrainForward() refuses a batch of one row, as torch does", () => {
  const state = createBatchNormState(4);
  assert.throws(
    () =>
      batchNormTrainForward(new Float32Array(4), 1, 4, state, new Float32Array(4), {
        xHat: new Float32Array(4),
        invStd: new Float32Array(4),
      }),
    /Expected more than 1 value per channel when training, got input size \[1, 4\]/,
  );
});
