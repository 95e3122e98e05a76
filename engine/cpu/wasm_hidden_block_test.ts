import assert from "node:assert/strict";
import { Rng } from "../random.ts";
import type { LayerSpec } from "../spec.ts";
import { activationBackward, activationForward } from "./activations.ts";
import { dropoutBackward, dropoutForward, dropoutMask } from "./dropout.ts";
import { WasmHiddenBlock } from "./wasm_hidden_block.ts";

const relu = (dropout: number, batchNorm = false): LayerSpec => ({
  units: 37,
  activation: "relu",
  batchNorm,
  dropout,
});

/** Values of every kind ReLU and dropout treat apart: ±0, ±∞, NaN, subnormals, ordinary. */
function edgeValues(count: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const special = [0, -0, Infinity, -Infinity, NaN, 1e-45, -1e-45, 3e38];
  return Float32Array.from(
    { length: count },
    (_, i) => i % 7 === 0 ? special[(i / 7) % special.length] : rng.normal(),
  );
}

/** The f32 bit patterns, so +0 and −0 and NaNs are told apart. */
const bits = (x: Float32Array) => [...new Uint32Array(x.buffer, x.byteOffset, x.length)];

Deno.test("WasmHiddenBlock draws the reference's dropout masks and values bit for bit", () => {
  // 5 rows of 37 units: not a multiple of 16 elements, so the last group runs into padding.
  const size = 5 * 37;
  for (const p of [0.2, 0.5, 0.01, 0.9]) {
    for (const [seed, step, layer] of [[0, 0, 0], [7, 12345, 1], [0xffffffff, 3, 2]]) {
      const block = new WasmHiddenBlock(size, relu(p));
      const x = edgeValues(size, seed + step);
      block.buffers.normalised.set(x);
      block.forward(size, { seed, step, layer });
      const mask = new Uint8Array(size);
      dropoutMask(p, seed, step, layer, mask);
      const activated = new Float32Array(size);
      activationForward("relu", x, activated);
      const dropped = new Float32Array(size);
      dropoutForward(activated, mask, p, dropped);
      const what = `p ${p}, hash (${seed}, ${step}, ${layer})`;
      assert.deepEqual([...block.buffers.mask], [...mask], `${what}: mask`);
      assert.deepEqual(bits(block.buffers.activated), bits(activated), `${what}: activated`);
      assert.deepEqual(bits(block.buffers.dropped), bits(dropped), `${what}: dropped`);
      assert.ok(mask.includes(0) && mask.includes(1), `${what}: a mask of one kind`);
    }
  }
});

Deno.test("WasmHiddenBlock's backward is the reference's dropout then ReLU derivative, ±0 and all", () => {
  const size = 3 * 37;
  for (const p of [0, 0.3]) {
    for (const batchNorm of [false, true]) {
      const block = new WasmHiddenBlock(size, relu(p, batchNorm));
      const x = edgeValues(size, 1);
      const dY = edgeValues(size, 2);
      block.buffers.normalised.set(x);
      block.forward(size, p > 0 ? { seed: 3, step: 4, layer: 0 } : null);
      block.buffers.grad.set(dY);
      block.backward(size);
      const expected = dY.slice();
      if (p > 0) dropoutBackward(expected, block.buffers.mask, p, expected);
      activationBackward("relu", x, block.buffers.activated, expected, expected);
      // Values, ±0 apart (Object.is): a NaN gradient's payload is the JIT's to choose.
      assert.deepEqual([...block.buffers.grad], [...expected], `p ${p}, batch norm ${batchNorm}`);
    }
  }
});

Deno.test("WasmHiddenBlock uses a mask set in its buffer (a replayed one) in backward", () => {
  const size = 20;
  const block = new WasmHiddenBlock(size, relu(0.5));
  block.buffers.normalised.set(Float32Array.from({ length: size }, (_, i) => i - 5));
  block.forward(size, null);
  block.buffers.mask.set(Uint8Array.from({ length: size }, (_, i) => i % 2));
  block.buffers.grad.fill(1);
  block.backward(size);
  // Kept (odd) elements with a positive input get 1/(1 − 0.5) = 2; the rest 0.
  const expected = Array.from({ length: size }, (_, i) => (i % 2 === 1 && i > 5 ? 2 : 0));
  assert.deepEqual([...block.buffers.grad], expected);
  assert.deepEqual([...block.buffers.activated], expected.map((_, i) => Math.max(i - 5, 0)));
});

Deno.test("WasmHiddenBlock aliases its buffers as the model does, and refuses a block it has no work in", () => {
  const plain = new WasmHiddenBlock(8, relu(0)).buffers;
  assert.equal(plain.normalised, plain.z);
  assert.equal(plain.dropped, plain.activated);
  assert.equal(plain.mask.length, 0);
  const full = new WasmHiddenBlock(8, relu(0.1, true)).buffers;
  assert.notEqual(full.normalised, full.z);
  assert.notEqual(full.dropped, full.activated);
  assert.equal(full.mask.length, 8);
  assert.throws(
    () => new WasmHiddenBlock(8, { ...relu(0), activation: "tanh" }),
    /nothing to do for "tanh" without dropout/,
  );
});

// Values as Object.is tells them apart (±0 too), not bits: a NaN's payload from gelu, sigmoid or
// tanh of NaN or ±∞ depends on which tier of V8 ran the reference's own loop.
Deno.test("WasmHiddenBlock's dropout around the reference's other activations, value for value", () => {
  const size = 4 * 37;
  for (const activation of ["sigmoid", "tanh", "leaky_relu", "gelu", "none"] as const) {
    const block = new WasmHiddenBlock(size, { ...relu(0.3), activation });
    const x = edgeValues(size, 5);
    const dY = edgeValues(size, 6);
    block.buffers.normalised.set(x);
    block.forward(size, { seed: 9, step: 2, layer: 1 });
    const mask = new Uint8Array(size);
    dropoutMask(0.3, 9, 2, 1, mask);
    const activated = new Float32Array(size);
    activationForward(activation, x, activated);
    const dropped = new Float32Array(size);
    dropoutForward(activated, mask, 0.3, dropped);
    assert.deepEqual([...block.buffers.mask], [...mask], `${activation}: mask`);
    assert.deepEqual([...block.buffers.activated], [...activated], `${activation}: activated`);
    assert.deepEqual([...block.buffers.dropped], [...dropped], `${activation}: dropped`);
    block.buffers.grad.set(dY);
    block.backward(size);
    const expected = dY.slice();
    dropoutBackward(expected, mask, 0.3, expected);
    activationBackward(activation, x, activated, expected, expected);
    assert.deepEqual([...block.buffers.grad], [...expected], `${activation}: gradient`);
  }
});
