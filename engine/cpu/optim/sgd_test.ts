import assert from "node:assert/strict";
import type { SgdSpec } from "../../spec.ts";
import { createOptimizer } from "./optimizer.ts";

const spec = (options: Partial<SgdSpec>): SgdSpec => ({
  type: "sgd",
  lr: 0.1,
  momentum: 0,
  dampening: 0,
  weightDecay: 0,
  nesterov: false,
  ...options,
});

function run(options: Partial<SgdSpec>, grads: number[]): { params: number[]; buffer?: number[] } {
  const optimizer = createOptimizer(spec(options), [1]);
  const param = Float32Array.of(1);
  const params: number[] = [];
  for (const g of grads) {
    optimizer.step([param], [Float32Array.of(g)]);
    params.push(param[0]);
  }
  const buffer = optimizer.state.momentum_buffer?.[0];
  return { params, buffer: buffer ? [...buffer] : undefined };
}

const near = (actual: number[], expected: number[]) =>
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-6, `${v} ≠ ${expected[i]}`));

Deno.test("SgdOptimizer without momentum steps θ − lr·g and keeps no state", () => {
  near(run({}, [0.5, 1]).params, [0.95, 0.85]);
  assert.deepEqual(Object.keys(createOptimizer(spec({}), [1]).state), []);
});

Deno.test("SgdOptimizer starts the momentum buffer at the gradient, undampened", () => {
  // b₁ = g = 0.5; b₂ = 0.9·0.5 + (1 − 0.5)·0.5 = 0.7.
  const { params, buffer } = run({ momentum: 0.9, dampening: 0.5 }, [0.5, 0.5]);
  near(params, [0.95, 0.88]);
  near(buffer!, [0.7]);
});

Deno.test("SgdOptimizer with Nesterov steps along g + μ·b", () => {
  // b₁ = 0.5, step g + 0.9·b = 0.95.
  near(run({ momentum: 0.9, nesterov: true }, [0.5]).params, [1 - 0.095]);
});

Deno.test("SgdOptimizer adds weight decay λ·θ to the gradient", () => {
  near(run({ weightDecay: 0.1 }, [0]).params, [1 - 0.1 * 0.1]);
});

Deno.test("SgdOptimizer refuses Nesterov without momentum or with dampening, like torch", () => {
  assert.throws(() => createOptimizer(spec({ nesterov: true }), [1]), /Nesterov momentum requires/);
  assert.throws(
    () => createOptimizer(spec({ nesterov: true, momentum: 0.9, dampening: 0.1 }), [1]),
    /zero dampening, got momentum 0.9 and dampening 0.1/,
  );
});
