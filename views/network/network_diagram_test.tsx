import assert from "node:assert/strict";
import type { LayerSpec } from "../../engine/spec.ts";
import { MAX_DRAWN_UNITS, NetworkDiagram, unitSlots } from "./network_diagram.tsx";
import { runNetwork } from "./run_network.ts";
import { EditorNetwork, formLayers } from "./editor_network.tsx";

const MNIST = { features: 784, classes: 10, imageSide: 28 };
const layer = (units: number, extra: Partial<LayerSpec> = {}): LayerSpec => ({
  units,
  activation: "relu",
  batchNorm: false,
  dropout: 0,
  ...extra,
});

/** The diagram renders synchronously: its string is the SVG. */
const svg = (layers: LayerSpec[]) =>
  String(<NetworkDiagram shape={runNetwork({ layers }, "cross_entropy", MNIST)} />);

Deno.test("unitSlots() draws small layers whole and samples large ones around an ellipsis", () => {
  assert.equal(unitSlots(3).xs.length, 3);
  assert.equal(unitSlots(3).ellipsis, null);
  assert.equal(unitSlots(MAX_DRAWN_UNITS).xs.length, MAX_DRAWN_UNITS);
  const sampled = unitSlots(512);
  assert.equal(sampled.xs.length, 8);
  assert.ok(sampled.ellipsis !== null && sampled.ellipsis > sampled.xs[3]);
  assert.ok(sampled.ellipsis < sampled.xs[4]);
});

Deno.test("NetworkDiagram() names each layer with its parameters and the total", () => {
  const text = svg([layer(512, { dropout: 0.2 }), layer(256)]);
  assert.match(text, /viewBox="0 0 340 \d+"/);
  assert.match(text, /width="100%"/);
  assert.match(text, />Input · 784 features</);
  assert.match(text, />Hidden 1 · 512 units</);
  assert.match(text, />401,920 parameters</);
  assert.match(text, />ReLU · dropout 0.2</);
  assert.match(text, />Output · 10 units</);
  assert.match(text, />softmax over 10 classes</);
  assert.match(text, />Total: 535,818 trainable parameters</);
  assert.equal((text.match(/net-ellipsis/g) ?? []).length, 3); // input, 512 and 256; not 10
});

Deno.test("NetworkDiagram() hover titles give a layer's arithmetic, batch norm's buffers apart", () => {
  const text = svg([layer(4, { batchNorm: true, activation: "tanh" })]);
  assert.match(text, /<title>Hidden 1: Linear 784 → 4\n3,136 weights \(784 × 4\) \+ 4 biases\n/);
  assert.match(text, /Batch norm: 8 parameters \(γ, β\) and 8 running statistics \(not trained\)/);
  assert.match(text, /Activation: Tanh\nTrainable parameters: 3,148<\/title>/);
  assert.match(text, /\+ 8 batch-norm running statistics \(not trained\)/);
  assert.match(text, /class="net-norm"/);
});

Deno.test("formLayers() reads the form's layers, and gives up while units are not a count", () => {
  const values = {
    "model.layers.0.units": "64",
    "model.layers.0.activation": "gelu",
    "model.layers.0.batchNorm": "on",
    "model.layers.0.dropout": "0.1",
    "model.layers.1.units": "32",
    "model.layers.1.activation": "relu",
    "model.layers.1.dropout": "0",
  };
  assert.deepEqual(formLayers(values), [
    { units: 64, activation: "gelu", batchNorm: true, dropout: 0.1 },
    { units: 32, activation: "relu", batchNorm: false, dropout: 0 },
  ]);
  assert.equal(formLayers({ ...values, "model.layers.1.units": "3.5" }), null);
  assert.equal(formLayers({ ...values, "model.layers.1.units": "" }), null);
});

Deno.test("EditorNetwork() draws the dataset's input and output sizes", () => {
  const values = {
    "data.dataset": "mnist",
    loss: "bce_with_logits",
    "model.layers.0.units": "16",
    "model.layers.0.activation": "relu",
  };
  const datasets = [{ id: "mnist", name: "MNIST", train: 60000, test: 10000, ...MNIST }];
  const text = String(<EditorNetwork values={values} datasets={datasets} />);
  assert.match(text, /id="network-preview"/);
  assert.match(text, />Output · 10 units</);
  assert.match(text, /data-parameters="12730"/); // 784·16 + 16 + 16·10 + 10
});
