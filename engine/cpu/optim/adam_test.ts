import assert from "node:assert/strict";
import type { AdamSpec } from "../../spec.ts";
import { adamScalars } from "./adam.ts";
import { createOptimizer } from "./optimizer.ts";

const spec = (options: Partial<AdamSpec>): AdamSpec => ({
  type: "adam",
  lr: 0.01,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0,
  amsgrad: false,
  ...options,
});

Deno.test("adamScalars() computes the bias corrections in f64", () => {
  const first = adamScalars(spec({}), 1);
  assert.equal(first.stepSize, 0.01 / (1 - 0.9));
  assert.equal(first.biasCorrection2Sqrt, Math.sqrt(1 - 0.999));
  assert.equal(adamScalars(spec({ type: "adamw", weightDecay: 0.1 }), 1).decay, 1 - 0.01 * 0.1);
});

Deno.test("AdamOptimizer's first step moves every parameter by lr whatever the gradient's scale", () => {
  const optimizer = createOptimizer(spec({}), [3]);
  const param = Float32Array.of(0, 0, 0);
  optimizer.step([param], [Float32Array.of(1e-3, -2, 300)]);
  [-0.01, 0.01, -0.01].forEach((v, i) => assert.ok(Math.abs(param[i] - v) < 1e-7));
});

Deno.test("AdamOptimizer with amsgrad keeps the running maximum of exp_avg_sq", () => {
  const optimizer = createOptimizer(spec({ amsgrad: true }), [1]);
  const param = Float32Array.of(0);
  for (const g of [4, 0.1, 0.1]) optimizer.step([param], [Float32Array.of(g)]);
  const { exp_avg_sq, max_exp_avg_sq } = optimizer.state;
  assert.ok(Math.abs(max_exp_avg_sq[0][0] - 0.016) < 1e-7);
  assert.ok(exp_avg_sq[0][0] < max_exp_avg_sq[0][0]);
});

Deno.test("AdamW decays θ by lr·λ directly; Adam adds λ·θ to the gradient", () => {
  const adamw = createOptimizer(spec({ type: "adamw", weightDecay: 0.1 }), [1]);
  const decoupled = Float32Array.of(2);
  adamw.step([decoupled], [Float32Array.of(0)]);
  assert.equal(decoupled[0], Math.fround(2 * (1 - 0.01 * 0.1)));

  const adam = createOptimizer(spec({ weightDecay: 0.1 }), [1]);
  const coupled = Float32Array.of(2);
  adam.step([coupled], [Float32Array.of(0)]);
  assert.ok(Math.abs(coupled[0] - (2 - 0.01)) < 1e-6);
});

Deno.test("AdamOptimizer counts steps and names its state like torch", () => {
  const optimizer = createOptimizer(spec({ amsgrad: true }), [2, 1]);
  optimizer.step([new Float32Array(2), new Float32Array(1)], [
    new Float32Array(2),
    new Float32Array(1),
  ]);
  assert.equal(optimizer.steps, 1);
  assert.deepEqual(Object.keys(optimizer.state).sort(), [
    "exp_avg",
    "exp_avg_sq",
    "max_exp_avg_sq",
  ]);
  assert.deepEqual(optimizer.state.exp_avg.map((t) => t.length), [2, 1]);
});
