import assert from "node:assert/strict";
import type { StepHyper } from "../schedule/lr_scheduler.ts";
import type { RmspropSpec } from "../spec.ts";
import { testValues } from "./gradient_check.ts";
import { loadOptimizer, optimizerCheckpoint } from "./optim/optimizer.ts";
import { assertSameBits, SIZES, trainTwins } from "./wasm_optimizer_fixtures.ts";
import { WasmRmspropOptimizer } from "./wasm_rmsprop.ts";

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

/** Both optimizers over `steps` steps of the same gradients, `hyper(step)` for each. */
function trainBoth(
  options: Partial<RmspropSpec>,
  steps: number,
  hyper: (step: number) => StepHyper | undefined = () => undefined,
) {
  return trainTwins(spec(options), (s, sizes) => new WasmRmspropOptimizer(s, sizes), steps, hyper);
}

Deno.test("WasmRmspropOptimizer computes the reference RMSprop bit for bit: centered, momentum, weight decay, alpha, eps", () => {
  for (
    const options of [
      {},
      { weightDecay: 0.1 },
      { centered: true },
      { momentum: 0.9 },
      { centered: true, momentum: 0.5, weightDecay: 0.01, alpha: 0.9, eps: 1e-3 },
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
  }
});

Deno.test("WasmRmspropOptimizer takes a scheduler's lr and momentum, creating the buffer at step 1 only", () => {
  for (const firstMomentum of [0, 0.5]) {
    const hyper = (step: number) => ({
      lr: 0.001 * (step + 1),
      momentum: step === 0 ? firstMomentum : 0.9,
    });
    const { reference, fast, a, b } = trainBoth({}, 6, hyper);
    assertSameBits(b, a, `momentum ${firstMomentum} first: params`);
    assert.deepEqual(Object.keys(fast.state), Object.keys(reference.state));
  }
});

Deno.test("WasmRmspropOptimizer's first step moves each parameter by lr/√(1 − α)", () => {
  const optimizer = new WasmRmspropOptimizer(spec({ alpha: 0.75 }), [2]);
  const param = Float32Array.of(0, 0);
  optimizer.step([param], [Float32Array.of(3, -0.01)]);
  // v = (1 − α)·g², so g/√v = ±1/√0.25 = ±2, and θ = ∓0.02
  assert.ok(Math.abs(param[0] + 0.02) < 1e-7 && Math.abs(param[1] - 0.02) < 1e-6, `${param}`);
});

Deno.test("WasmRmspropOptimizer saves and loads a checkpoint as the reference does", () => {
  const options = { centered: true, momentum: 0.9 };
  const { fast } = trainBoth(options, 3);
  const saved = optimizerCheckpoint(fast);
  const restored = new WasmRmspropOptimizer(spec(options), SIZES);
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

Deno.test("WasmRmspropOptimizer updates parameters kept in its storage in place, as copied ones", () => {
  const options = spec({ centered: true, momentum: 0.9, weightDecay: 0.1 });
  const copied = new WasmRmspropOptimizer(options, SIZES);
  const copiedParams = SIZES.map((size, t) => testValues(size, t + 7));
  const inPlace = new WasmRmspropOptimizer(options, SIZES);
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
});
