import assert from "node:assert/strict";
import { summarizePredictions } from "./predictions.ts";

Deno.test("summarizePredictions() takes the argmax and its softmax probability", () => {
  const { predicted, confidence } = summarizePredictions(
    new Float32Array([0, Math.log(3), 0, 5, 5, 5]),
    3,
    "cross_entropy",
  );
  assert.deepEqual([...predicted], [1, 0]);
  assert.ok(Math.abs(confidence[0] - 0.6) < 1e-6);
  assert.ok(Math.abs(confidence[1] - 1 / 3) < 1e-6);
});

Deno.test("summarizePredictions() thresholds one output at 0.5, as a logit or a probability", () => {
  const logits = summarizePredictions(new Float32Array([2, -1]), 1, "bce_with_logits");
  assert.deepEqual([...logits.predicted], [1, 0]);
  assert.ok(Math.abs(logits.confidence[0] - 1 / (1 + Math.exp(-2))) < 1e-6);
  assert.ok(Math.abs(logits.confidence[1] - 1 / (1 + Math.exp(-1))) < 1e-6);
  const probabilities = summarizePredictions(new Float32Array([0.2, 0.9]), 1, "bce");
  assert.deepEqual([...probabilities.predicted], [0, 1]);
  assert.ok(Math.abs(probabilities.confidence[0] - 0.8) < 1e-6);
});
