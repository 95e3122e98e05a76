import assert from "node:assert/strict";
import type { StepHyper } from "../schedule/lr_scheduler.ts";
import type { SgdSpec } from "../spec.ts";
import { testValues } from "./gradient_check.ts";
import { loadOptimizer, optimizerCheckpoint } from "./optim/optimizer.ts";
import { assertSameBits, SIZES, trainTwins } from "./wasm_optimizer_fixtures.ts";
import { WasmSgdOptimizer } from "./wasm_sgd.ts";

const spec = (options: Partial<SgdSpec>): SgdSpec => ({
  type: "sgd",
  lr: 0.05,
  momentum: 0,
  dampening: 0,
  weightDecay: 0,
  nesterov: false,
  ...options,
});

/** Both optimizers over `steps` steps of the same gradients, `hyper(step)` for each. */
function trainBoth(
  options: Partial<SgdSpec>,
  steps: number,
  hyper: (step: number) => StepHyper | undefined = () => undefined,
) {
  return trainTwins(spec(options), (s, sizes) => new WasmSgdOptimizer(s, sizes), steps, hyper);
}

Deno.test("WasmSgdOptimizer computes the reference SGD bit for bit: momentum, dampening, Nesterov, weight decay", () => {
  for (
    const options of [
      {},
      { weightDecay: 0.1 },
      { momentum: 0.9 },
      { momentum: 0.9, dampening: 0.3, weightDecay: 0.01 },
      { momentum: 0.8, nesterov: true, weightDecay: 0.1 },
    ]
  ) {
    const { reference, fast, a, b } = trainBoth(options, 20);
    const what = JSON.stringify(options);
    assertSameBits(b, a, `${what} params`);
    assert.deepEqual(Object.keys(fast.state), Object.keys(reference.state));
    for (const key of Object.keys(reference.state)) {
      assertSameBits(fast.state[key], reference.state[key], `${what} ${key}`);
    }
    assert.equal(fast.steps, 20);
    assert.equal(fast.momentumUsed, reference.momentumUsed);
  }
});

Deno.test("WasmSgdOptimizer starts its buffer when a scheduler cycles momentum up from 0", () => {
  const hyper = (step: number) => ({ lr: 0.01 * (step + 1), momentum: step < 2 ? 0 : 0.9 });
  const { reference, fast, a, b } = trainBoth({}, 6, hyper);
  assertSameBits(b, a, "params");
  assertSameBits(fast.state.momentum_buffer, reference.state.momentum_buffer, "momentum_buffer");
});

Deno.test("WasmSgdOptimizer's first momentum step copies the gradient into the buffer", () => {
  const optimizer = new WasmSgdOptimizer(spec({ momentum: 0.9, dampening: 0.5 }), [3]);
  const param = Float32Array.of(1, 1, 1);
  optimizer.step([param], [Float32Array.of(0.5, -2, 4)]);
  // b = g (no dampening at the first step), θ = 1 − 0.05·g
  assert.deepEqual([...optimizer.state.momentum_buffer[0]], [0.5, -2, 4]);
  assert.deepEqual([...param], [1 - 0.025, 1 + 0.1, 1 - 0.2].map(Math.fround));
});

Deno.test("WasmSgdOptimizer loads a checkpoint's buffer, even one it had not created", () => {
  const { fast } = trainBoth({ momentum: 0.9 }, 3);
  const saved = optimizerCheckpoint(fast);
  // Momentum 0 in the spec: the buffer comes from the checkpoint alone.
  const restored = new WasmSgdOptimizer(spec({ momentum: 0 }), SIZES);
  loadOptimizer(restored, saved, SIZES);
  assert.equal(restored.steps, 3);
  assert.deepEqual(optimizerCheckpoint(restored), saved);
  const params = SIZES.map((size) => new Float32Array(size));
  const grads = SIZES.map((size, t) => testValues(size, t));
  const copy = params.map((p) => p.slice());
  fast.step(params, grads);
  restored.step(copy, grads, { lr: 0.05, momentum: 0.9 });
  assert.deepEqual(copy, params);
});

Deno.test("WasmSgdOptimizer updates parameters kept in its storage in place, as copied ones", () => {
  const options = spec({ momentum: 0.9, nesterov: true, weightDecay: 0.1 });
  const copied = new WasmSgdOptimizer(options, SIZES);
  const copiedParams = SIZES.map((size, t) => testValues(size, t + 7));
  const inPlace = new WasmSgdOptimizer(options, SIZES);
  const storage = inPlace.storage();
  const slots = SIZES.map((size) => storage.take(size));
  slots.forEach((slot, t) => slot.data.set(copiedParams[t]));
  for (let step = 0; step < 3; step++) {
    const grads = SIZES.map((size, t) => testValues(size, 10 * step + t));
    copied.step(copiedParams, grads);
    slots.forEach((slot, t) => slot.grad.set(grads[t]));
    inPlace.step(slots.map((slot) => slot.data), slots.map((slot) => slot.grad));
  }
  slots.forEach((slot, t) => assert.deepEqual(slot.data, copiedParams[t]));
  assert.throws(() => storage.take(1), /Parameter 4 of 1 values does not match/);
});

Deno.test("WasmSgdOptimizer refuses Nesterov without momentum, as the reference does", () => {
  assert.throws(
    () => new WasmSgdOptimizer(spec({ nesterov: true }), SIZES),
    /Nesterov momentum requires a momentum and zero dampening, got momentum 0/,
  );
});
