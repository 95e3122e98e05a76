import assert from "node:assert/strict";
import { z } from "zod";
import type { AdamSpec, RunConfig } from "../engine/spec.ts";
import { defaultRunConfig, parseRunConfig, runConfigSchema } from "./schema.ts";

function parsed(input: unknown): RunConfig {
  const result = parseRunConfig(input);
  assert.ok(result.ok, `expected a valid config, got ${JSON.stringify(result)}`);
  return result.config;
}

Deno.test("parseRunConfig() fills an empty config with DESIGN.md's defaults", () => {
  const expected: RunConfig = {
    name: "run",
    seed: 0,
    data: { dataset: "mnist", normalize: { mean: 0.5, std: 0.5 }, split: { train: 0.9, dev: 0.1 } },
    model: {
      init: "default",
      layers: [
        { units: 512, activation: "relu", batchNorm: false, dropout: 0.2 },
        { units: 256, activation: "relu", batchNorm: false, dropout: 0.2 },
      ],
    },
    loss: "cross_entropy",
    optimizer: {
      type: "adam",
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      amsgrad: false,
    },
    regularization: { l1: 0, l2: 0 },
    batch: { mode: "minibatch", size: 128, shuffle: true },
    epochs: 10,
    device: "auto",
  };
  assert.deepEqual(parsed({}), expected);
  assert.deepEqual(defaultRunConfig(), expected);
});

Deno.test("parseRunConfig() gives each optimizer type torch.optim's defaults", () => {
  assert.deepEqual(parsed({ optimizer: { type: "sgd" } }).optimizer, {
    type: "sgd",
    lr: 1e-3,
    momentum: 0,
    dampening: 0,
    weightDecay: 0,
    nesterov: false,
  });
  assert.deepEqual(parsed({ optimizer: { type: "rmsprop" } }).optimizer, {
    type: "rmsprop",
    lr: 1e-2,
    alpha: 0.99,
    eps: 1e-8,
    weightDecay: 0,
    momentum: 0,
    centered: false,
  });
  const adamw = parsed({ optimizer: { type: "adamw", lr: 3e-4 } }).optimizer;
  assert.equal(adamw.type, "adamw");
  assert.equal(adamw.weightDecay, 0.01);
  assert.equal(adamw.lr, 3e-4);
});

Deno.test("parseRunConfig() reads an optimizer without a type as adam", () => {
  const optimizer = parsed({ optimizer: { lr: 0.01 } }).optimizer;
  assert.equal(optimizer.type, "adam");
  assert.equal(optimizer.lr, 0.01);
  assert.equal(optimizer.weightDecay, 0);
});

Deno.test("parseRunConfig() completes partial layers and keeps the rest as given", () => {
  const config = parsed({
    name: "tiny",
    model: { init: "kaiming_normal", layers: [{ units: 64 }, { units: 32, batchNorm: true }] },
    data: { normalize: null, split: { train: 0.7, dev: 0.15, test: 0.15 } },
    epochs: 3,
  });
  assert.deepEqual(config.model.layers, [
    { units: 64, activation: "relu", batchNorm: false, dropout: 0 },
    { units: 32, activation: "relu", batchNorm: true, dropout: 0 },
  ]);
  assert.equal(config.model.init, "kaiming_normal");
  assert.equal(config.data.normalize, null);
  assert.deepEqual(config.data.split, { train: 0.7, dev: 0.15, test: 0.15 });
  assert.equal(config.epochs, 3);
  assert.equal(config.name, "tiny");
});

Deno.test("parseRunConfig() accepts no hidden layers, custom dataset paths and split sums within 1e-9", () => {
  assert.deepEqual(parsed({ model: { layers: [] } }).model.layers, []);
  assert.equal(parsed({ data: { dataset: "idx:data/digits" } }).data.dataset, "idx:data/digits");
  assert.equal(
    parsed({ data: { dataset: "csv:/tmp/x..y.csv" } }).data.dataset,
    "csv:/tmp/x..y.csv",
  );
  const split = parsed({ data: { split: { train: 0.6, dev: 0.3, test: 0.1 } } }).data.split;
  // 0.6 + 0.3 + 0.1 is not exactly 1 in floating point.
  assert.notEqual(split.train + split.dev + (split.test ?? 0), 1);
});

Deno.test("parseRunConfig() returns fresh defaults that later parses do not share", () => {
  const first = parsed({});
  first.model.layers[0].units = 1;
  (first.optimizer as AdamSpec).betas[0] = 0;
  const second = parsed({});
  assert.equal(second.model.layers[0].units, 512);
  assert.deepEqual((second.optimizer as AdamSpec).betas, [0.9, 0.999]);
});

Deno.test("parseRunConfig() accepts its own output unchanged", () => {
  const config = parsed({ optimizer: { type: "sgd", momentum: 0.9, nesterov: true }, seed: 7 });
  assert.deepEqual(parsed(JSON.parse(JSON.stringify(config))), config);
});

const manyLayers = Array.from({ length: 17 }, () => ({ units: 8 }));

/** [what, input, path, message fragment] */
const invalidConfigs: Array<[string, unknown, string, string]> = [
  ["unknown field", { optimizer: { lrr: 0.1 } }, "optimizer.lrr", 'Unknown field "lrr"'],
  ["misspelt field", { epoch: 3 }, "epoch", 'did you mean "epochs"?'],
  ["field of another optimizer", { optimizer: { momentum: 0.9 } }, "optimizer.momentum", "adam"],
  ["negative units", { model: { layers: [{ units: -5 }] } }, "model.layers.0.units", "got -5"],
  ["9000 units", { model: { layers: [{ units: 9000 }] } }, "model.layers.0.units", "[1, 8192]"],
  ["fractional units", { model: { layers: [{ units: 1.5 }] } }, "model.layers.0.units", "integer"],
  ["missing units", { model: { layers: [{ dropout: 0.1 }] } }, "model.layers.0.units", "required"],
  [
    "17 layers",
    { model: { layers: manyLayers } },
    "model.layers",
    "at most 16 hidden layers, got 17",
  ],
  [
    "dropout 1",
    { model: { layers: [{ units: 8 }, { units: 8, dropout: 1 }] } },
    "model.layers.1.dropout",
    "Dropout must be in [0, 1), got 1",
  ],
  ["lr 0", { optimizer: { lr: 0 } }, "optimizer.lr", "greater than 0, got 0"],
  ["lr -1", { optimizer: { type: "sgd", lr: -1 } }, "optimizer.lr", "got -1"],
  [
    "lr Infinity",
    { optimizer: { lr: Infinity } },
    "optimizer.lr",
    "finite number greater than 0, got Infinity",
  ],
  ["epochs NaN", { epochs: NaN }, "epochs", "got NaN"],
  [
    "beta 1.0",
    { optimizer: { betas: [1.0, 0.999] } },
    "optimizer.betas.0",
    "Beta 1 must be in [0, 1), got 1",
  ],
  ["one beta", { optimizer: { betas: [0.9] } }, "optimizer.betas", "pair"],
  ["eps 0", { optimizer: { type: "rmsprop", eps: 0 } }, "optimizer.eps", "greater than 0, got 0"],
  ["alpha 1", { optimizer: { type: "rmsprop", alpha: 1 } }, "optimizer.alpha", "[0, 1)"],
  [
    "negative weight decay",
    { optimizer: { weightDecay: -0.1 } },
    "optimizer.weightDecay",
    "at least 0",
  ],
  [
    "nesterov without momentum",
    { optimizer: { type: "sgd", nesterov: true } },
    "optimizer.nesterov",
    "Nesterov momentum requires a momentum and zero dampening",
  ],
  [
    "nesterov with dampening",
    { optimizer: { type: "sgd", nesterov: true, momentum: 0.9, dampening: 0.1 } },
    "optimizer.nesterov",
    "got momentum 0.9 and dampening 0.1",
  ],
  [
    "dampening above 1",
    { optimizer: { type: "sgd", dampening: 2 } },
    "optimizer.dampening",
    "[0, 1]",
  ],
  [
    "fractions not summing to 1",
    { data: { split: { train: 0.8, dev: 0.1 } } },
    "data.split",
    "must sum to 1, got train 0.8 + dev 0.1",
  ],
  ["train fraction 0", { data: { split: { train: 0, dev: 1 } } }, "data.split.train", "(0, 1]"],
  ["normalize std 0", { data: { normalize: { std: 0 } } }, "data.normalize.std", "greater than 0"],
  ["train size 0", { data: { trainSize: 0 } }, "data.trainSize", "at least 1"],
  ["epochs 0", { epochs: 0 }, "epochs", "Epochs must be an integer in [1, 10000], got 0"],
  [
    "batch size 0",
    { batch: { size: 0 } },
    "batch.size",
    "Batch size must be an integer in [1, 65536]",
  ],
  ["bad batch mode", { batch: { mode: "mini" } }, "batch.mode", "stochastic, minibatch, full"],
  [
    "bad dataset id",
    { data: { dataset: "cifar10" } },
    "data.dataset",
    'idx:<dir> or csv:<path>, got "cifar10"',
  ],
  ["dataset climbing out", { data: { dataset: "idx:../../etc" } }, "data.dataset", '".." segments'],
  ["dataset without path", { data: { dataset: "csv:" } }, "data.dataset", "needs a path"],
  [
    "bad activation",
    { model: { layers: [{ units: 8, activation: "swish" }] } },
    "model.layers.0.activation",
    'one of relu, sigmoid, tanh, leaky_relu, gelu, none, got "swish"',
  ],
  ["bad init", { model: { init: "he" } }, "model.init", "kaiming_uniform"],
  [
    "bad optimizer type",
    { optimizer: { type: "adagrad" } },
    "optimizer.type",
    'one of sgd, rmsprop, adam, adamw, got "adagrad"',
  ],
  ["optimizer as a string", { optimizer: "adam" }, "optimizer", "must be an object"],
  ["bad loss", { loss: "nll" }, "loss", "cross_entropy, bce_with_logits, bce, mse"],
  ["seed -1", { seed: -1 }, "seed", "Seed must be an integer in [0, 4294967295], got -1"],
  ["string for a number", { epochs: "5" }, "epochs", 'got "5"'],
  [
    "string for a boolean",
    { batch: { shuffle: "yes" } },
    "batch.shuffle",
    'true or false, got "yes"',
  ],
  ["empty name", { name: "" }, "name", "1 to 100 characters"],
  ["not an object", [1, 2], "", "run config must be an object"],
];

for (const [what, input, path, fragment] of invalidConfigs) {
  Deno.test(`parseRunConfig() rejects ${what} at ${path || "the root"}`, () => {
    const result = parseRunConfig(input);
    assert.equal(result.ok, false);
    assert.ok(!result.ok);
    const issue = result.issues.find((candidate) => candidate.path === path);
    assert.ok(issue, `no issue at "${path}" in ${JSON.stringify(result.issues)}`);
    assert.ok(issue.message.includes(fragment), `"${issue.message}" lacks "${fragment}"`);
  });
}

Deno.test("parseRunConfig() reports every problem once, each at its own path", () => {
  const result = parseRunConfig({
    epochs: 0,
    batch: { size: 1.5 },
    model: { layers: [{ units: 0.5 }] },
  });
  assert.ok(!result.ok);
  assert.deepEqual(result.issues.map((issue) => issue.path), [
    "model.layers.0.units",
    "batch.size",
    "epochs",
  ]);
});

Deno.test("runConfigSchema converts to a JSON Schema that carries the bounds and defaults", () => {
  const schema = z.toJSONSchema(runConfigSchema, { io: "input" }) as {
    additionalProperties: boolean;
    properties: Record<string, { default?: unknown; maximum?: number }>;
  };
  assert.equal(schema.additionalProperties, false);
  assert.equal(schema.properties.epochs.default, 10);
  assert.equal(schema.properties.epochs.maximum, 10000);
});

Deno.test("a __proto__ field anywhere in a run config is refused, naming where it is", () => {
  const input = JSON.parse('{"model": {"layers": [{"units": 8, "__proto__": {"dropout": 0.5}}]}}');
  const result = parseRunConfig(input);
  assert.equal(result.ok, false);
  assert.deepEqual(!result.ok && result.issues, [{
    path: "model.layers.0.__proto__",
    message: 'Field name "__proto__" is not allowed, found at "model.layers.0.__proto__"',
  }]);
});

Deno.test("parseRunConfig() stores stochastic mode's batch size as 1, what the engine uses", () => {
  assert.deepEqual(parsed({ batch: { mode: "stochastic", size: 64 } }).batch, {
    mode: "stochastic",
    size: 1,
    shuffle: true,
  });
  assert.equal(parsed({ batch: { mode: "stochastic" } }).batch.size, 1);
  assert.equal(parsed({ batch: { mode: "minibatch", size: 64 } }).batch.size, 64);
  // Still validated: a bad size is an issue even though stochastic mode would drop it.
  const result = parseRunConfig({ batch: { mode: "stochastic", size: 0 } });
  assert.ok(!result.ok && result.issues.some((issue) => issue.path === "batch.size"));
});

Deno.test("parseRunConfig() takes layerStats as a flag, absent meaning on", () => {
  assert.equal(parsed({}).layerStats, undefined);
  assert.equal(parsed({ layerStats: false }).layerStats, false);
  const result = parseRunConfig({ layerStats: "no" });
  assert.deepEqual(!result.ok && result.issues.map((issue) => issue.message), [
    'Layer statistics must be true or false, got "no"',
  ]);
});
