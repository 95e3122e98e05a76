/**
 * What the WebAssembly optimizers' tests share (`wasm_adam_test.ts`, `wasm_sgd_test.ts`,
 * `wasm_rmsprop_test.ts`): the reference optimizer and its WebAssembly twin trained side by side
 * on the same parameters and gradients, and a bit-for-bit comparison.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { StepHyper } from "../schedule/lr_scheduler.ts";
import type { OptimizerSpec } from "../spec.ts";
import { testValues } from "./gradient_check.ts";
import { createOptimizer, type Optimizer } from "./optim/optimizer.ts";

/** Sizes off the four lanes, one lane, and a tensor larger than the rest. */
export const SIZES = [5, 1, 130, 4];

/**
 * The reference optimizer for `spec` and `fast` (its twin, built for the same spec and SIZES)
 * after `steps` steps on the same gradients, `hyper(step)` for each; `gradient` shapes each
 * step's test values (by default: zeros of both signs among them, as a dead unit's gradient).
 */
export function trainTwins<S extends OptimizerSpec, F extends Optimizer>(
  spec: S,
  fast: (spec: S, sizes: number[]) => F,
  steps: number,
  hyper: (step: number) => StepHyper | undefined = () => undefined,
  gradient: (g: number, i: number, step: number) => number = (g, i) =>
    i % 5 === 0 ? 0 : i % 5 === 1 ? -0 : g,
) {
  const reference = createOptimizer(spec, SIZES);
  const twin = fast(spec, SIZES);
  const start = SIZES.map((size, t) => testValues(size, t + 1));
  const [a, b] = [start.map((p) => p.slice()), start.map((p) => p.slice())];
  for (let step = 0; step < steps; step++) {
    const grads = SIZES.map((size, t) =>
      testValues(size, 100 * step + t).map((g, i) => gradient(g, i, step))
    );
    reference.step(a, grads, hyper(step));
    twin.step(b, grads, hyper(step));
  }
  return { reference, fast: twin, a, b };
}

/** Bit for bit (±0 apart): the kernels take the reference's f64 steps and roundings. */
export function assertSameBits(actual: Float32Array[], expected: Float32Array[], what: string) {
  actual.forEach((tensor, t) => {
    const [a, e] = [
      new Uint32Array(tensor.slice().buffer),
      new Uint32Array(expected[t].slice().buffer),
    ];
    const i = a.findIndex((bits, i) => bits !== e[i]);
    assert.ok(i < 0, `${what} ${t}[${i}]: ${tensor[i]} vs ${expected[t][i]}`);
  });
}
