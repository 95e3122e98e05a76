import assert from "node:assert/strict";
import { LOSSES } from "../spec.ts";
import { assertGradient, numericGradient, testValues } from "./gradient_check.ts";
import { lossForward, outputsFromLogits, predictClasses } from "./losses.ts";

const BATCH = 5;

Deno.test("lossForward() gradients match finite differences for every loss and output width", () => {
  for (const name of LOSSES) {
    for (const units of [1, 3]) {
      if (name === "cross_entropy" && units === 1) continue;
      const logits = testValues(BATCH * units, units, 2);
      const labels = Uint8Array.from({ length: BATCH }, (_, i) => i % (units === 1 ? 2 : units));
      const dLogits = new Float32Array(BATCH * units);
      lossForward(name, logits, labels, BATCH, units, dLogits);
      const objective = () => lossForward(name, logits, labels, BATCH, units, null);
      assertGradient(dLogits, numericGradient(logits, objective, 1e-3), `${name} × ${units}`);
    }
  }
});

Deno.test("lossForward() cross_entropy is log(classes) for equal logits and stable for huge ones", () => {
  assert.equal(
    lossForward("cross_entropy", new Float32Array(4), Uint8Array.of(2), 1, 4, null),
    Math.fround(Math.log(4)),
  );
  const huge = Float32Array.of(1e4, -1e4, 0);
  assert.equal(lossForward("cross_entropy", huge, Uint8Array.of(0), 1, 3, null), 0);
  assert.equal(lossForward("cross_entropy", huge, Uint8Array.of(1), 1, 3, null), 2e4);
});

Deno.test("lossForward() is infinite once a row's loss leaves f32's range, as the GPU's f32 rows", () => {
  // Each loss below is finite in f64 (the sums' precision) but not in f32: the step diverges.
  const big = 2e19; // (2e19)² = 4e38 > 3.4e38
  assert.equal(lossForward("mse", Float32Array.of(big, 0), Uint8Array.of(1), 1, 2, null), Infinity);
  const apart = Float32Array.of(3e38, -3e38);
  assert.equal(lossForward("cross_entropy", apart, Uint8Array.of(1), 1, 2, null), Infinity);
  // Each square fits f32; the row's f32 sum, as the GPU's, does not.
  const both = Float32Array.of(1.5e19, 1.5e19);
  assert.equal(lossForward("mse", both, Uint8Array.of(0), 1, 2, null), Infinity);
  // Just inside the range they stay finite.
  assert.ok(
    Number.isFinite(lossForward("mse", Float32Array.of(1e19, 0), Uint8Array.of(1), 1, 2, null)),
  );
});

Deno.test("lossForward() bce_with_logits stays finite for logits of ±100", () => {
  const loss = lossForward(
    "bce_with_logits",
    Float32Array.of(100, -100),
    Uint8Array.of(0, 1),
    2,
    1,
    null,
  );
  assert.ok(Math.abs(loss - 100) < 1e-9);
});

Deno.test("lossForward() bce clamps log at −100 and has no gradient where the sigmoid saturates", () => {
  const dLogits = new Float32Array(2);
  const loss = lossForward("bce", Float32Array.of(200, 200), Uint8Array.of(0, 1), 2, 1, dLogits);
  assert.equal(loss, 50);
  assert.deepEqual([...dLogits], [0, 0]);
});

Deno.test("lossForward() mse and bce targets are one-hot with several units, the label with one", () => {
  // One unit: target is the label. Logit 0.5 against label 1 → (0.5 − 1)².
  assert.equal(lossForward("mse", Float32Array.of(0.5), Uint8Array.of(1), 1, 1, null), 0.25);
  // Two units: target [0, 1] → ((0.5)² + (0.5 − 1)²)/2.
  assert.equal(lossForward("mse", Float32Array.of(0.5, 0.5), Uint8Array.of(1), 1, 2, null), 0.25);
  assert.equal(lossForward("mse", Float32Array.of(1, 0), Uint8Array.of(1), 1, 2, null), 1);
});

Deno.test("predictClasses() takes argmax (first on ties) or the 0.5 threshold for one unit", () => {
  const out = new Uint8Array(3);
  predictClasses("cross_entropy", Float32Array.of(1, 3, 3, 0, 0, 0, -1, -2, 5), 3, 3, out);
  assert.deepEqual([...out], [1, 0, 2]);
  predictClasses("bce_with_logits", Float32Array.of(0, 1e-3, -2), 3, 1, out);
  assert.deepEqual([...out], [0, 1, 0]);
  predictClasses("bce", Float32Array.of(0, 1e-3, -2), 3, 1, out);
  assert.deepEqual([...out], [0, 1, 0]);
});

Deno.test("outputsFromLogits() gives probabilities for bce only", () => {
  const bce = Float32Array.of(0, 100);
  outputsFromLogits("bce", bce);
  assert.deepEqual([...bce], [0.5, 1]);
  const logits = Float32Array.of(0, 100);
  outputsFromLogits("bce_with_logits", logits);
  assert.deepEqual([...logits], [0, 100]);
});
