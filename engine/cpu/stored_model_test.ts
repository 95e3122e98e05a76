import assert from "node:assert/strict";
import { defaultDatasetRoots } from "../../config/paths.ts";
import { parseRunConfig } from "../../config/schema.ts";
import type { NamedTensor } from "../backend.ts";
import { loadDataset } from "../data/load.ts";
import { train } from "../train.ts";
import { encodeSafetensors, runMetadata } from "../safetensors.ts";
import { CpuBackend } from "./session.ts";
import { classProbabilities, StoredModel } from "./stored_model.ts";

const TEST_ROWS = 40;

Deno.test("StoredModel predicts what the trained session predicted, from the stored weights", async () => {
  // Batch norm and dropout, so evaluation mode (running statistics, no dropout) is exercised.
  const parsed = parseRunConfig({
    seed: 3,
    device: "cpu",
    epochs: 1,
    data: { dataset: "mnist", trainSize: 300, testSize: TEST_ROWS },
    model: { layers: [{ units: 16, batchNorm: true, dropout: 0.2 }, { units: 8 }] },
    batch: { size: 32 },
  });
  assert.ok(parsed.ok);
  const roots = defaultDatasetRoots();
  let state: NamedTensor[] = [];
  let logits: Float32Array = new Float32Array(0);
  const result = await train(parsed.config, {
    roots,
    backend: new CpuBackend(),
    onFinish: async (session) => {
      state = await session.getState();
      logits = await session.predict("test", Uint32Array.from({ length: TEST_ROWS }, (_, i) => i));
    },
  });
  assert.equal(result.status, "completed");
  const bytes = encodeSafetensors(state, runMetadata({ config: parsed.config, version: "test" }));
  const model = StoredModel.fromSafetensors(bytes, { pixels: true });
  assert.equal(model.features, 784);
  assert.equal(model.classes, 10);

  const mnist = await loadDataset("mnist", roots);
  for (let row = 0; row < TEST_ROWS; row++) {
    const { probabilities, predicted } = model.predict(
      mnist.test!.inputs.subarray(row * 784, (row + 1) * 784),
    );
    assert.equal(predicted, result.predictions!.predicted[row], `row ${row}`);
    const expected = classProbabilities("cross_entropy", logits.subarray(row * 10, row * 10 + 10));
    probabilities.forEach((p, k) => assert.ok(Math.abs(p - expected[k]) < 1e-6, `row ${row}`));
    assert.ok(Math.abs(probabilities.reduce((a, b) => a + b) - 1) < 1e-6);
  }
});

Deno.test("classProbabilities() gives [1 − p, p] for a single binary unit and clamps MSE", () => {
  const [no, yes] = classProbabilities("bce_with_logits", Float32Array.of(0));
  assert.equal(no, 0.5);
  assert.equal(yes, 0.5);
  assert.deepEqual(classProbabilities("mse", Float32Array.of(-0.5, 0.25, 2)), [0, 0.25, 1]);
});

Deno.test("StoredModel.fromSafetensors() refuses weights without their run config", () => {
  const bytes = encodeSafetensors([{
    name: "output.weight",
    shape: [2, 3],
    data: new Float32Array(6),
  }]);
  assert.throws(() => StoredModel.fromSafetensors(bytes, { pixels: false }), /ajuste\.config/);
});
