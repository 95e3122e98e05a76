import assert from "node:assert/strict";
import { defaultRunConfig, parseRunConfig } from "../../config/schema.ts";
import type { RunConfig } from "../../engine/spec.ts";
import {
  applyLayerAction,
  configToValues,
  decodeShareConfig,
  encodeShareConfig,
  type FormValues,
  layerCount,
  shareUrl,
  switchOptimizer,
  valuesToInput,
} from "./run_form_state.ts";

function parsed(input: unknown): RunConfig {
  const result = parseRunConfig(input);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.config;
}

/** What a browser posts for the new-run form of the brief's walk-through. */
const POSTED: FormValues = {
  name: "two layers",
  seed: "7",
  epochs: "3",
  device: "cpu",
  "data.dataset": "mnist",
  "data.datasetOther": "",
  "data.normalize": "on",
  "data.normalize.mean": "0.1307",
  "data.normalize.std": "0.3081",
  "data.split.train": "0.9",
  "data.split.dev": "0.1",
  "data.split.test": "",
  "data.trainSize": "600",
  "data.testSize": "200",
  "model.init": "kaiming_uniform",
  "model.layers.0.units": "64",
  "model.layers.0.activation": "relu",
  "model.layers.0.batchNorm": "on",
  "model.layers.0.dropout": "0.2",
  "model.layers.1.units": "32",
  "model.layers.1.activation": "tanh",
  "model.layers.1.dropout": "0",
  loss: "cross_entropy",
  "optimizer.type": "sgd",
  "optimizer.shownType": "sgd",
  "optimizer.lr": "0.01",
  "optimizer.momentum": "0.9",
  "optimizer.dampening": "0",
  "optimizer.weightDecay": "0",
  "optimizer.nesterov": "on",
  "regularization.l1": "0",
  "regularization.l2": "1e-4",
  "batch.mode": "minibatch",
  "batch.size": "32",
  "batch.shuffle": "on",
};

Deno.test("valuesToInput() turns posted fields into a config parseRunConfig accepts", () => {
  const config = parsed(valuesToInput(POSTED));
  assert.deepEqual(config.optimizer, {
    type: "sgd",
    lr: 0.01,
    momentum: 0.9,
    dampening: 0,
    weightDecay: 0,
    nesterov: true,
  });
  assert.deepEqual(config.model.layers, [
    { units: 64, activation: "relu", batchNorm: true, dropout: 0.2 },
    { units: 32, activation: "tanh", batchNorm: false, dropout: 0 },
  ]);
  assert.deepEqual(config.data, {
    dataset: "mnist",
    normalize: { mean: 0.1307, std: 0.3081 },
    split: { train: 0.9, dev: 0.1 },
    trainSize: 600,
    testSize: 200,
  });
  assert.equal(config.regularization.l2, 1e-4);
  assert.equal(config.device, "cpu");
});

Deno.test("valuesToInput() leaves unchecked boxes false and ignores another optimizer's fields", () => {
  const values: FormValues = { ...POSTED, "optimizer.type": "adam", "optimizer.betas.0": "0.8" };
  delete values["batch.shuffle"];
  delete values["data.normalize"];
  const config = parsed(valuesToInput({ ...values, "optimizer.betas.1": "0.99" }));
  assert.equal(config.batch.shuffle, false);
  assert.equal(config.data.normalize, null);
  assert.deepEqual(config.optimizer, {
    type: "adam",
    lr: 0.01,
    betas: [0.8, 0.99],
    eps: 1e-8,
    weightDecay: 0,
    amsgrad: false,
  });
});

Deno.test("valuesToInput() passes text that is not a number on, for the schema to name", () => {
  const result = parseRunConfig(valuesToInput({ ...POSTED, "optimizer.lr": "fast" }));
  assert.equal(result.ok, false);
  assert.deepEqual(!result.ok && result.issues.map((issue) => issue.path), ["optimizer.lr"]);
  assert.match(!result.ok ? result.issues[0].message : "", /Learning rate .* got "fast"/);
});

Deno.test("valuesToInput() turns layer statistics off only when their box is unticked", () => {
  assert.equal(parsed(valuesToInput({ ...POSTED, layerStats: "on" })).layerStats, undefined);
  assert.equal(parsed(valuesToInput(POSTED)).layerStats, false);
  assert.equal(configToValues(defaultRunConfig()).layerStats, "on");
  assert.equal(configToValues({ ...defaultRunConfig(), layerStats: false }).layerStats, undefined);
});

Deno.test("configToValues() then valuesToInput() gives back the same config", () => {
  const configs: RunConfig[] = [
    defaultRunConfig(),
    parsed(valuesToInput(POSTED)),
    parsed({
      name: "csv",
      data: {
        dataset: "csv:data/iris.csv",
        normalize: null,
        split: { train: 0.7, dev: 0.15, test: 0.15 },
      },
      model: { layers: [] },
      optimizer: { type: "rmsprop", centered: true, momentum: 0.5 },
      batch: { mode: "full", shuffle: false },
      loss: "mse",
    }),
    parsed({ optimizer: { type: "adamw", amsgrad: true, betas: [0.85, 0.995] }, device: "gpu" }),
  ];
  for (const config of configs) {
    assert.deepEqual(parsed(valuesToInput(configToValues(config))), config);
  }
});

Deno.test("applyLayerAction() adds, removes and moves layers, keeping fields numbered", () => {
  const values = configToValues(parsed(valuesToInput(POSTED)));
  const added = applyLayerAction(values, "add");
  assert.equal(layerCount(added), 3);
  assert.equal(added["model.layers.2.units"], "128");

  const moved = applyLayerAction(values, "down:0");
  assert.equal(moved["model.layers.0.units"], "32");
  assert.equal(moved["model.layers.1.units"], "64");
  assert.equal(moved["model.layers.1.batchNorm"], "on");
  assert.equal(moved["model.layers.0.batchNorm"], undefined);
  assert.deepEqual(applyLayerAction(moved, "up:1"), values);

  const removed = applyLayerAction(values, "remove:0");
  assert.equal(layerCount(removed), 1);
  assert.equal(removed["model.layers.0.units"], "32");
  assert.equal(removed["model.layers.1.units"], undefined);
  assert.deepEqual(applyLayerAction(values, "up:0"), values, "the first layer cannot move up");
  assert.deepEqual(applyLayerAction(values, "remove:9"), values);
});

Deno.test("switchOptimizer() shows the new type's torch defaults", () => {
  const values = switchOptimizer(configToValues(defaultRunConfig()), "rmsprop");
  assert.equal(values["optimizer.type"], "rmsprop");
  assert.equal(values["optimizer.shownType"], "rmsprop");
  assert.equal(values["optimizer.lr"], "0.01");
  assert.equal(values["optimizer.alpha"], "0.99");
  assert.equal(values["optimizer.betas.0"], undefined, "Adam's fields are gone");
  assert.equal(values.epochs, "10", "other fields stay");
});

Deno.test("a share URL round-trips the config, and bad ones say why", () => {
  const config = parsed({ name: "ünïcode ✓ <b>", optimizer: { type: "sgd", lr: 0.1 } });
  const url = shareUrl(config);
  assert.match(url, /^\/runs\/new\?config=[A-Za-z0-9_-]+$/);
  const text = new URL(url, "http://x").searchParams.get("config")!;
  assert.deepEqual(decodeShareConfig(text), config);
  assert.equal(encodeShareConfig(config), text);
  assert.throws(() => decodeShareConfig("a+b"), /must be base64url text/);
  assert.throws(() => decodeShareConfig(encodeShareConfig("x").slice(0, 2)), /not valid/);
  assert.throws(() => decodeShareConfig(btoa("{nope")), /not valid JSON/);
});
