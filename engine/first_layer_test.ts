import assert from "node:assert/strict";
import { strongestRows, takesFirstLayer } from "./first_layer.ts";

Deno.test("strongestRows keeps the largest-norm rows, strongest first, ties by lower index", () => {
  // Rows of 2 inputs with norms 1, 5, 5, 0, 3.
  const weights = Float32Array.from([1, 0, 3, 4, 0, -5, 0, 0, 0, 3]);
  const snapshot = strongestRows(weights, 2, 3);
  assert.equal(snapshot.units, 5);
  assert.equal(snapshot.inputs, 2);
  assert.deepEqual(snapshot.indices, [1, 2, 4]);
  assert.deepEqual(snapshot.norms, [5, 5, 3]);
  assert.deepEqual(Array.from(snapshot.weights), [3, 4, 0, -5, 0, 3]);
  // A copy: the source may change (the next step) without touching it.
  weights.fill(9);
  assert.deepEqual(Array.from(snapshot.weights), [3, 4, 0, -5, 0, 3]);
  assert.deepEqual(strongestRows(Float32Array.from([1, 2]), 2, 32).indices, [0]);
});

Deno.test("only a hidden layer on a 28×28 image input is snapshot", () => {
  assert.equal(takesFirstLayer(1, 784), true);
  assert.equal(takesFirstLayer(0, 784), false);
  assert.equal(takesFirstLayer(2, 12), false);
});
