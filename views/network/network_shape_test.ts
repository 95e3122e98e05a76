import assert from "node:assert/strict";
import { Mlp } from "../../engine/cpu/mlp.ts";
import { Rng } from "../../engine/random.ts";
import { type LayerSpec, outputUnits } from "../../engine/spec.ts";
import { networkShape } from "./network_shape.ts";
import { runNetwork } from "./run_network.ts";

const layer = (units: number, batchNorm = false, dropout = 0): LayerSpec => ({
  units,
  activation: "relu",
  batchNorm,
  dropout,
});

const CONFIGS: { name: string; features: number; layers: LayerSpec[]; outputs: number }[] = [
  {
    name: "the seed's 512-256",
    features: 784,
    layers: [layer(512, false, 0.2), layer(256)],
    outputs: 10,
  },
  { name: "no hidden layer", features: 784, layers: [], outputs: 10 },
  {
    name: "batch norm everywhere",
    features: 10,
    layers: [layer(7, true), layer(3, true)],
    outputs: 1,
  },
  {
    name: "deep and narrow",
    features: 20,
    layers: [layer(5), layer(4, true, 0.5), layer(3), layer(2, true)],
    outputs: 4,
  },
];

for (const config of CONFIGS) {
  Deno.test(`networkShape() counts the parameters Mlp allocates: ${config.name}`, () => {
    const model = new Mlp(config, "default", new Rng(0));
    const real = model.parameters.reduce((sum, p) => sum + p.data.length, 0);
    const shape = networkShape(config);
    assert.equal(shape.parameters, real);
    // Per layer too: each Linear's weight and bias, plus batch norm's γ and β, by name.
    const ofLayer = (prefix: string) =>
      model.parameters.filter((p) => p.name.startsWith(prefix))
        .reduce((sum, p) => sum + p.data.length, 0);
    shape.hidden.forEach((hidden, l) => assert.equal(hidden.parameters, ofLayer(`hidden.${l}.`)));
    assert.equal(shape.output.parameters, ofLayer("output."));
    // Running statistics are buffers: counted apart, never as parameters.
    const buffers = model.buffers.filter((b) => !b.name.endsWith("num_batches_tracked"))
      .reduce((sum, b) => sum + b.data.length, 0);
    assert.equal(shape.hidden.reduce((sum, h) => sum + h.normBuffers, 0), buffers);
  });
}

Deno.test("networkShape() leaves counts unknown, not wrong, when the input size is unknown", () => {
  const shape = networkShape({ features: null, layers: [layer(8)], outputs: null });
  assert.equal(shape.hidden[0].parameters, null);
  assert.equal(shape.output.parameters, null);
  assert.equal(shape.parameters, null);
});

Deno.test("runNetwork() sizes the output from the dataset and the loss, as outputUnits() does", () => {
  const data = { features: 10, classes: 2 };
  for (const loss of ["cross_entropy", "bce_with_logits", "bce", "mse"] as const) {
    const shape = runNetwork({ layers: [layer(4)] }, loss, data);
    assert.equal(shape.output.units, outputUnits(loss, 2));
  }
  assert.equal(runNetwork({ layers: [] }, "bce", data).output.units, 1);
  assert.equal(runNetwork({ layers: [] }, "cross_entropy", data).output.units, 2);
  assert.match(runNetwork({ layers: [] }, "cross_entropy", data).outputNote!, /softmax over 2/);
});
