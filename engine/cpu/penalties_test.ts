import assert from "node:assert/strict";
import { addPenaltyGradient, penaltyValue } from "./penalties.ts";

const params = () => [Float32Array.of(1, -2, 0), Float32Array.of(0.5)];

Deno.test("penaltyValue() is l1·Σ|w| + l2·Σw² over every tensor", () => {
  assert.equal(penaltyValue(params(), 0.1, 0), 0.1 * 3.5);
  assert.equal(penaltyValue(params(), 0, 0.01), 0.01 * 5.25);
  assert.equal(penaltyValue(params(), 0.1, 0.01), 0.1 * 3.5 + 0.01 * 5.25);
});

Deno.test("addPenaltyGradient() adds l1·sign(w) + 2·l2·w with sign(0) = 0", () => {
  const grads = [new Float32Array(3).fill(1), new Float32Array(1)];
  addPenaltyGradient(params(), grads, 0.5, 0.25);
  assert.deepEqual([...grads[0]], [1 + 0.5 + 0.5, 1 - 0.5 - 1, 1]);
  assert.deepEqual([...grads[1]], [0.5 + 0.25]);
});

Deno.test("addPenaltyGradient() leaves gradients untouched without regularization", () => {
  const grads = [Float32Array.of(3, 4, 5), Float32Array.of(6)];
  addPenaltyGradient(params(), grads, 0, 0);
  assert.deepEqual(grads.map((g) => [...g]), [[3, 4, 5], [6]]);
});
