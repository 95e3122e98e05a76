import assert from "node:assert/strict";
import { clipGradients, totalGradNorm } from "./grad_clip.ts";

// Two gradient tensors, [3, 0] and [−4]: one vector (3, 0, −4) of 2-norm 5, 1-norm 7, inf-norm 4.
const grads = () => [Float32Array.of(3, 0), Float32Array.of(-4)];

const near = (actual: ArrayLike<number>, expected: number[]) =>
  expected.forEach((v, i) =>
    assert.ok(Math.abs(actual[i] - v) < 1e-6, `element ${i}: ${actual[i]} ≠ ${v}`)
  );

Deno.test("totalGradNorm() takes one norm over every tensor, as if concatenated", () => {
  near([totalGradNorm(grads(), 2)], [5]);
  near([totalGradNorm(grads(), 1)], [7]);
  near([totalGradNorm(grads(), "inf")], [4]);
  // (3³ + 4³)^(1/3) = 91^(1/3).
  near([totalGradNorm(grads(), 3)], [Math.cbrt(91)]);
});

Deno.test("clipGradients() by norm scales every gradient by maxNorm / (‖g‖ + 1e-6)", () => {
  const clipped = grads();
  const norm = clipGradients({ type: "norm", maxNorm: 1, normType: 2 }, clipped);
  assert.equal(norm, 5);
  // Coefficient 1 / (5 + 1e-6) ≈ 0.2: (0.6, 0, −0.8), a vector of norm 1.
  near(clipped[0], [0.6, 0]);
  near(clipped[1], [-0.8]);
});

Deno.test("clipGradients() by the inf norm scales by maxNorm over the largest |g|", () => {
  const clipped = grads();
  clipGradients({ type: "norm", maxNorm: 2, normType: "inf" }, clipped);
  near(clipped[0], [1.5, 0]);
  near(clipped[1], [-2]);
});

Deno.test("clipGradients() leaves gradients whose norm is under maxNorm exactly as they were", () => {
  const clipped = grads();
  // 10 / (5 + 1e-6) > 1: the coefficient is clamped to 1.
  clipGradients({ type: "norm", maxNorm: 10, normType: 2 }, clipped);
  assert.deepEqual(clipped, grads());
});

Deno.test("clipGradients() by value clamps each gradient to [−clipValue, clipValue]", () => {
  const clipped = grads();
  assert.equal(clipGradients({ type: "value", clipValue: 3.5 }, clipped), null);
  assert.deepEqual(clipped, [Float32Array.of(3, 0), Float32Array.of(-3.5)]);
});
