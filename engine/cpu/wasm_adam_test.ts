import assert from "node:assert/strict";
import type { AdamSpec } from "../spec.ts";
import { Rng } from "../random.ts";
import { testValues } from "./gradient_check.ts";
import { createOptimizer, loadOptimizer, optimizerCheckpoint } from "./optim/optimizer.ts";
import { WasmAdamOptimizer } from "./wasm_adam.ts";

const spec = (options: Partial<AdamSpec>): AdamSpec => ({
  type: "adam",
  lr: 0.01,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0,
  amsgrad: false,
  ...options,
});

/** Sizes off the four lanes, one lane, and a tensor larger than the rest. */
const SIZES = [5, 1, 130, 4];

/** Runs both optimizers for `steps` steps on the same gradients; returns their parameters. */
function trainBoth(
  options: Partial<AdamSpec>,
  steps: number,
  hyper?: { lr: number; momentum: number },
) {
  const reference = createOptimizer(spec(options), SIZES);
  const fast = new WasmAdamOptimizer(spec(options), SIZES);
  const start = SIZES.map((size, t) => testValues(size, t + 1));
  const [a, b] = [start.map((p) => p.slice()), start.map((p) => p.slice())];
  for (let step = 0; step < steps; step++) {
    // Gradients that shrink, so amsgrad's maximum stays ahead of exp_avg_sq.
    const grads = SIZES.map((size, t) =>
      testValues(size, 100 * step + t).map((g) => g / (step + 1))
    );
    const stepHyper = hyper ? { lr: hyper.lr, momentum: hyper.momentum } : undefined;
    reference.step(a, grads, stepHyper);
    fast.step(b, grads, stepHyper);
  }
  return { reference, fast, a, b };
}

function assertClose(actual: Float32Array[], expected: Float32Array[], what: string): void {
  actual.forEach((tensor, t) => {
    for (let i = 0; i < tensor.length; i++) {
      const error = Math.abs(tensor[i] - expected[t][i]);
      assert.ok(
        error <= 1e-6 * (1 + Math.abs(expected[t][i])),
        `${what} ${t}[${i}]: ${tensor[i]} vs ${expected[t][i]}`,
      );
    }
  });
}

Deno.test("WasmAdamOptimizer follows the reference Adam, AdamW and AMSGrad with weight decay", () => {
  for (
    const options of [
      {},
      { weightDecay: 0.1 },
      { type: "adamw" as const, weightDecay: 0.1 },
      { amsgrad: true },
      {
        type: "adamw" as const,
        amsgrad: true,
        weightDecay: 0.01,
        betas: [0.5, 0.9] as [number, number],
        eps: 1e-3,
      },
    ]
  ) {
    const { reference, fast, a, b } = trainBoth(options, 20);
    const what = JSON.stringify(options);
    assertClose(b, a, `${what} params`);
    assert.deepEqual(Object.keys(fast.state), Object.keys(reference.state));
    for (const key of Object.keys(reference.state)) {
      assertClose(fast.state[key], reference.state[key], `${what} ${key}`);
    }
    assert.equal(fast.steps, 20);
  }
});

Deno.test("WasmAdamOptimizer takes a scheduler's lr and β1 for the step", () => {
  const { a, b } = trainBoth({}, 5, { lr: 0.003, momentum: 0.8 });
  assertClose(b, a, "params");
});

Deno.test("WasmAdamOptimizer's first step moves every parameter by lr whatever the gradient's scale", () => {
  const optimizer = new WasmAdamOptimizer(spec({}), [3]);
  const param = Float32Array.of(0, 0, 0);
  optimizer.step([param], [Float32Array.of(1e-3, -2, 300)]);
  [-0.01, 0.01, -0.01].forEach((v, i) => assert.ok(Math.abs(param[i] - v) < 1e-7));
});

Deno.test("WasmAdamOptimizer saves and loads a checkpoint as the reference does", () => {
  const { fast } = trainBoth({ amsgrad: true }, 3);
  const saved = optimizerCheckpoint(fast);
  const restored = new WasmAdamOptimizer(spec({ amsgrad: true }), SIZES);
  loadOptimizer(restored, saved, SIZES);
  assert.equal(restored.steps, 3);
  assert.deepEqual(optimizerCheckpoint(restored), saved);
  const params = SIZES.map((size) => new Float32Array(size));
  const grads = SIZES.map((size, t) => testValues(size, t));
  const copy = params.map((p) => p.slice());
  fast.step(params, grads);
  restored.step(copy, grads);
  assert.deepEqual(copy, params);
});

Deno.test("WasmAdamOptimizer updates parameters kept in its storage in place, as copied ones", () => {
  const sizes = [6, 3];
  const rng = new Rng(5);
  const values = sizes.map((size) => Float32Array.from({ length: size }, () => rng.normal()));
  const gradients = sizes.map((size) => Float32Array.from({ length: size }, () => rng.normal()));
  const spec = {
    type: "adam" as const,
    lr: 0.01,
    betas: [0.9, 0.999] as [number, number],
    eps: 1e-8,
    weightDecay: 0.1,
    amsgrad: false,
  };
  const copied = new WasmAdamOptimizer(spec, sizes);
  const copiedParams = values.map((v) => v.slice());
  const inPlace = new WasmAdamOptimizer(spec, sizes);
  const storage = inPlace.storage();
  const slots = sizes.map((size) => storage.take(size));
  slots.forEach((slot, t) => slot.data.set(values[t]));
  for (let step = 0; step < 3; step++) {
    copied.step(copiedParams, gradients);
    slots.forEach((slot, t) => slot.grad.set(gradients[t]));
    inPlace.step(slots.map((slot) => slot.data), slots.map((slot) => slot.grad));
  }
  slots.forEach((slot, t) => {
    assert.deepEqual(slot.data, copiedParams[t]);
    assert.notDeepEqual(slot.data, values[t]);
  });
  assert.throws(() => storage.take(1), /Parameter 2 of 1 values does not match/);
  assert.throws(() => new WasmAdamOptimizer(spec, sizes).storage().take(5), /\[6, 3\]/);
});
