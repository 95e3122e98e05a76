import assert from "node:assert/strict";
import { smoothValues } from "./chart_smoothing.js";

Deno.test("smoothValues() is TensorBoard's debiased moving average", () => {
  // weight 0.5: 1 → 0.5/0.5 = 1; then 0.5·0.5 + 0.5·3 = 1.75, over 1 − 0.25 = 0.75 → 7/3.
  const [first, second] = smoothValues([1, 3], 0.5);
  assert.equal(first, 1);
  assert.ok(Math.abs(second! - 7 / 3) < 1e-12, String(second));
});

Deno.test("smoothValues() leaves values unchanged at weight 0 and skips gaps", () => {
  assert.deepEqual(smoothValues([1, 5, 2], 0), [1, 5, 2]);
  assert.deepEqual(smoothValues([2, null, 2], 0.9), [2, null, 2]);
});

Deno.test("smoothValues() refuses a weight of 1, which would never move", () => {
  assert.throws(() => smoothValues([1], 1), /Smoothing weight must be in \[0, 1\), got 1/);
});
