import assert from "node:assert/strict";
import { hashUniform } from "../random.ts";
import { dropoutBackward, dropoutForward, dropoutMask, dropoutScale } from "./dropout.ts";

Deno.test("dropoutMask() keeps about 1 − p of the elements, the same for the same key", () => {
  const mask = new Uint8Array(20000);
  dropoutMask(0.3, 7, 5, 1, mask);
  const kept = mask.reduce((a, b) => a + b, 0) / mask.length;
  assert.ok(Math.abs(kept - 0.7) < 0.015, `kept ${kept}`);
  const again = new Uint8Array(20000);
  dropoutMask(0.3, 7, 5, 1, again);
  assert.deepEqual(again, mask);
});

Deno.test("dropoutMask() draws a different mask per step, layer and seed", () => {
  const base = new Uint8Array(256);
  dropoutMask(0.5, 1, 0, 0, base);
  for (const [seed, step, layer] of [[1, 1, 0], [1, 0, 1], [2, 0, 0]]) {
    const other = new Uint8Array(256);
    dropoutMask(0.5, seed, step, layer, other);
    assert.notDeepEqual(other, base);
  }
});

Deno.test("dropoutForward() scales kept elements by 1/(1 − p) and zeroes the rest", () => {
  const mask = Uint8Array.of(1, 0, 1, 0);
  const y = new Float32Array(4);
  dropoutForward(Float32Array.of(1, 2, -3, 4), mask, 0.2, y);
  assert.deepEqual([...y], [Math.fround(1.25), 0, Math.fround(-3 * 1.25), 0]);
  assert.equal(dropoutScale(0.2), Math.fround(1.25));
});

Deno.test("dropoutBackward() passes gradients through the same mask and scale", () => {
  const dX = new Float32Array(3);
  dropoutBackward(Float32Array.of(2, 2, 2), Uint8Array.of(0, 1, 1), 0.5, dX);
  assert.deepEqual([...dX], [0, 4, 4]);
});

Deno.test("dropoutMask() with p = 0 keeps everything", () => {
  const mask = new Uint8Array(100);
  dropoutMask(0, 3, 3, 3, mask);
  assert.ok(mask.every((m) => m === 1));
});

Deno.test("dropoutMask() keeps exactly the elements whose hashUniform is ≥ p", () => {
  // 0.25 and 0.5 put p·2²⁴ on an integer, where ≥ and > part.
  for (const p of [0.2, 0.25, 0.5, 0.9, 1e-7]) {
    const mask = new Uint8Array(5000);
    dropoutMask(p, 11, 123456, 2, mask);
    mask.forEach((kept, i) => assert.equal(kept, hashUniform(11, 123456, 2, i) >= p ? 1 : 0));
  }
});

Deno.test("dropoutForward() zeroes dropped ±∞ and NaN and keeps them where kept", () => {
  const y = new Float32Array(6);
  const x = Float32Array.of(Infinity, -Infinity, NaN, Infinity, NaN, -0);
  dropoutForward(x, Uint8Array.of(0, 0, 0, 1, 1, 0), 0.5, y);
  assert.deepEqual([...y], [0, 0, 0, Infinity, NaN, 0]);
  assert.ok(Object.is(y[0], 0) && Object.is(y[5], 0), "dropped elements are +0");
});
