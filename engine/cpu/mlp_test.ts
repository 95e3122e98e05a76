import assert from "node:assert/strict";
import { Rng } from "../random.ts";
import type { LayerSpec } from "../spec.ts";
import { assertGradient, numericGradient, testValues } from "./gradient_check.ts";
import { lossForward } from "./losses.ts";
import { Mlp, parameterSizes } from "./mlp.ts";

const BATCH = 6, FEATURES = 4;

const layer = (
  units: number,
  activation: LayerSpec["activation"],
  batchNorm = false,
  dropout = 0,
) => ({
  units,
  activation,
  batchNorm,
  dropout,
});

Deno.test("Mlp names parameters and buffers like the PyTorch module, in state_dict order", () => {
  const model = new Mlp(
    { features: FEATURES, layers: [layer(5, "relu", true), layer(3, "tanh")], outputs: 2 },
    "default",
    new Rng(0),
  );
  assert.deepEqual(model.parameters.map((p) => `${p.name} ${p.shape}`), [
    "hidden.0.linear.weight 5,4",
    "hidden.0.linear.bias 5",
    "hidden.0.norm.weight 5",
    "hidden.0.norm.bias 5",
    "hidden.1.linear.weight 3,5",
    "hidden.1.linear.bias 3",
    "output.weight 2,3",
    "output.bias 2",
  ]);
  assert.deepEqual(model.buffers.map((b) => b.name), [
    "hidden.0.norm.running_mean",
    "hidden.0.norm.running_var",
    "hidden.0.norm.num_batches_tracked",
  ]);
  assert.deepEqual([...model.parameters[2].data], [1, 1, 1, 1, 1]);
});

Deno.test("Mlp.backward() matches finite differences through batch norm, gelu, tanh and dropout", () => {
  const layers = [layer(5, "gelu", true, 0.5), layer(3, "tanh", false, 0.2)];
  const model = new Mlp({ features: FEATURES, layers, outputs: 3 }, "default", new Rng(1));
  const input = testValues(BATCH * FEATURES, 2, 2);
  const labels = Uint8Array.of(0, 1, 2, 0, 1, 2);
  const masks = [
    Uint8Array.from({ length: BATCH * 5 }, (_, i) => (i % 3 === 0 ? 0 : 1)),
    Uint8Array.from({ length: BATCH * 3 }, (_, i) => (i % 4 === 0 ? 0 : 1)),
  ];
  const mode = { training: true as const, dropout: { masks } };
  const objective = () =>
    lossForward("cross_entropy", model.forward(input, BATCH, mode), labels, BATCH, 3, null);
  const dLogits = new Float32Array(BATCH * 3);
  lossForward("cross_entropy", model.forward(input, BATCH, mode), labels, BATCH, 3, dLogits);
  model.backward(dLogits);
  model.parameters.forEach((p, i) => {
    assertGradient(model.gradients[i], numericGradient(p.data, objective, 1e-2), p.name, 3e-3);
  });
});

Deno.test("Mlp without hidden layers is a linear model with working gradients", () => {
  const model = new Mlp({ features: FEATURES, layers: [], outputs: 2 }, "default", new Rng(3));
  const input = testValues(BATCH * FEATURES, 4);
  const labels = Uint8Array.of(0, 1, 1, 0, 1, 0);
  const mode = { training: true as const, dropout: { seed: 0, step: 0 } };
  const dLogits = new Float32Array(BATCH * 2);
  lossForward("mse", model.forward(input, BATCH, mode), labels, BATCH, 2, dLogits);
  model.backward(dLogits);
  const objective = () =>
    lossForward("mse", model.forward(input, BATCH, mode), labels, BATCH, 2, null);
  assertGradient(
    model.gradients[0],
    numericGradient(model.parameters[0].data, objective),
    "weight",
  );
});

Deno.test("Mlp.forward() drops out per step in training and never in evaluation", () => {
  const model = new Mlp(
    { features: FEATURES, layers: [layer(16, "relu", false, 0.5)], outputs: 2 },
    "default",
    new Rng(5),
  );
  const input = testValues(BATCH * FEATURES, 6);
  const run = (
    step: number,
  ) => [...model.forward(input, BATCH, { training: true, dropout: { seed: 9, step } })];
  assert.deepEqual(run(0), run(0));
  assert.notDeepEqual(run(0), run(1));
  const evaluation = [...model.forward(input, BATCH, { training: false })];
  assert.deepEqual([...model.forward(input, BATCH, { training: false })], evaluation);
  assert.notDeepEqual(evaluation, run(0));
});

Deno.test("Mlp.backward() refuses to run after an evaluation forward", () => {
  const model = new Mlp(
    { features: FEATURES, layers: [layer(3, "relu")], outputs: 2 },
    "default",
    new Rng(0),
  );
  model.forward(testValues(BATCH * FEATURES, 1), BATCH, { training: false });
  assert.throws(() => model.backward(new Float32Array(BATCH * 2)), /needs a training-mode forward/);
});

Deno.test("parameterSizes() lists a model's tensors as the model registers them", () => {
  const layers = [
    { units: 7, activation: "relu" as const, batchNorm: true, dropout: 0 },
    { units: 5, activation: "tanh" as const, batchNorm: false, dropout: 0.1 },
  ];
  const shape = { features: 4, layers, outputs: 3 };
  const model = new Mlp(shape, "default", new Rng(2));
  assert.deepEqual(parameterSizes(shape), model.parameters.map((p) => p.data.length));
  assert.deepEqual(parameterSizes(shape), [28, 7, 7, 7, 35, 5, 15, 3]);
});
