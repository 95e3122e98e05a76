import assert from "node:assert/strict";
import type { RmspropSpec } from "../../spec.ts";
import { createOptimizer } from "./optimizer.ts";

const spec = (options: Partial<RmspropSpec>): RmspropSpec => ({
  type: "rmsprop",
  lr: 0.01,
  alpha: 0.99,
  eps: 1e-8,
  weightDecay: 0,
  momentum: 0,
  centered: false,
  ...options,
});

function firstStep(options: Partial<RmspropSpec>, g: number): number {
  const param = Float32Array.of(1);
  createOptimizer(spec(options), [1]).step([param], [Float32Array.of(g)]);
  return param[0];
}

Deno.test("RmspropOptimizer's first step is lr·g/√((1 − α)·g²), about 10·lr for α = 0.99", () => {
  for (const g of [0.1, 1, 50]) assert.ok(Math.abs(firstStep({}, g) - (1 - 0.1)) < 1e-6);
});

Deno.test("RmspropOptimizer centered divides by √(v − ḡ²)", () => {
  // v = 0.01·g², ḡ = 0.01·g → √(0.01 − 0.0001)·|g|.
  const expected = 1 - 0.01 / Math.sqrt(0.0099);
  assert.ok(Math.abs(firstStep({ centered: true }, 2) - expected) < 1e-6);
});

Deno.test("RmspropOptimizer keeps the state tensors its options need, under torch's names", () => {
  const keys = (options: Partial<RmspropSpec>) =>
    Object.keys(createOptimizer(spec(options), [2]).state).sort();
  assert.deepEqual(keys({}), ["square_avg"]);
  assert.deepEqual(keys({ momentum: 0.9, centered: true }), [
    "grad_avg",
    "momentum_buffer",
    "square_avg",
  ]);
});

Deno.test("RmspropOptimizer momentum accumulates the normalised steps", () => {
  const optimizer = createOptimizer(spec({ momentum: 0.5 }), [1]);
  const param = Float32Array.of(1);
  optimizer.step([param], [Float32Array.of(1)]);
  optimizer.step([param], [Float32Array.of(1)]);
  // b₁ = 1/√0.01 = 10; v₂ = 0.99·0.01 + 0.01 = 0.0199, b₂ = 0.5·10 + 1/√0.0199.
  const b2 = 5 + 1 / Math.sqrt(0.0199);
  assert.ok(Math.abs(optimizer.state.momentum_buffer[0][0] - b2) < 1e-4);
  assert.ok(Math.abs(param[0] - (1 - 0.01 * 10 - 0.01 * b2)) < 1e-5);
});
