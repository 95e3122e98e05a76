import assert from "node:assert/strict";
import { parseRunConfig } from "../../config/schema.ts";
import type { RunConfig } from "../../engine/spec.ts";
import { configSummary, defaultsFor } from "./config_summary.ts";

function parsed(input: unknown): RunConfig {
  const result = parseRunConfig(input);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.config;
}

Deno.test("configSummary() of the default run names its dropout and nothing else beyond the basics", () => {
  assert.equal(
    configSummary(parsed({})),
    "mnist · 512 → 256 relu, dropout 0.2 · adam lr 0.001 · mini-batch 128 · 10 epochs · seed 0",
  );
});

Deno.test("configSummary() names every setting that is not at its default", () => {
  const config = parsed({
    seed: 3,
    device: "cpu",
    data: {
      dataset: "synthetic-binary",
      split: { train: 0.8, dev: 0.1, test: 0.1 },
      trainSize: 500,
      normalize: null,
    },
    model: {
      init: "kaiming_normal",
      layers: [
        { units: 64, batchNorm: true, dropout: 0.5 },
        { units: 32, activation: "tanh" },
      ],
    },
    loss: "mse",
    optimizer: { type: "sgd", lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 1e-4 },
    regularization: { l1: 1e-5, l2: 0.001 },
    batch: { mode: "full", shuffle: false },
    epochs: 1,
    layerStats: false,
  });
  assert.equal(
    configSummary(config),
    "synthetic-binary, split 0.8/0.1/0.1, train size 500, not normalized · " +
      "64 relu, batch norm, dropout 0.5 → 32 tanh · He normal init · MSE loss · " +
      "sgd lr 0.1, momentum 0.9, weight decay 0.0001, nesterov · L1 0.00001 · L2 0.001 · " +
      "full batch, no shuffle · 1 epoch · seed 3 · on the CPU · no layer statistics",
  );
});

Deno.test("configSummary() names Adam's betas, eps and amsgrad, and RMSprop's options, when changed", () => {
  const adam = parsed({ optimizer: { betas: [0.8, 0.99], eps: 1e-6, amsgrad: true } });
  assert.match(
    configSummary(adam),
    / · adam lr 0\.001, betas 0\.8\/0\.99, eps 0\.000001, amsgrad · /,
  );
  const rmsprop = parsed({ optimizer: { type: "rmsprop", alpha: 0.9, centered: true } });
  assert.match(configSummary(rmsprop), / · rmsprop lr 0\.01, alpha 0\.9, centered · /);
});

Deno.test("configSummary() leaves out AdamW's own default weight decay and shows a changed one", () => {
  assert.match(configSummary(parsed({ optimizer: { type: "adamw" } })), / · adamw lr 0\.001 · /);
  assert.match(
    configSummary(parsed({ optimizer: { type: "adamw", weightDecay: 0 } })),
    / · adamw lr 0\.001, weight decay 0 · /,
  );
});

Deno.test("configSummary() shows the learning rate to four significant digits", () => {
  const config = parsed({ optimizer: { type: "sgd", lr: 0.002010219422576822 } });
  assert.match(configSummary(config), / · sgd lr 0\.00201 · /);
});

Deno.test("defaultsFor() follows the config's layer count and optimizer type", () => {
  const config = parsed({
    model: { layers: [{ units: 8, dropout: 0.3 }] },
    optimizer: { type: "rmsprop" },
  });
  const defaults = defaultsFor(config);
  assert.deepEqual(defaults.model.layers, [
    { units: 0, activation: "relu", batchNorm: false, dropout: 0 },
  ]);
  assert.equal(defaults.optimizer.type, "rmsprop");
  assert.equal(defaults.optimizer.lr, 0.01);
  assert.equal(defaults.epochs, 10);
});

Deno.test("configSummary() names gradient clipping, with a norm type other than 2", () => {
  const byNorm = parsed({ gradientClipping: { type: "norm", maxNorm: 1 } });
  assert.match(configSummary(byNorm), / · grad clip norm 1 · mini-batch 128 · /);
  const byInf = parsed({ gradientClipping: { type: "norm", maxNorm: 0.5, normType: "inf" } });
  assert.match(configSummary(byInf), / · grad clip norm 0\.5 \(inf-norm\) · /);
  const byValue = parsed({ gradientClipping: { type: "value", clipValue: 0.25 } });
  assert.match(configSummary(byValue), / · grad clip value 0\.25 · /);
});

Deno.test("configSummary() names the learning-rate schedule", () => {
  const step = parsed({ epochs: 9, scheduler: { type: "step", stepSize: 3 } });
  assert.match(configSummary(step), / · step lr ×0\.1 every 3 · /);
  const cycle = parsed({ scheduler: { type: "one_cycle", maxLr: 0.01 } });
  assert.match(configSummary(cycle), / · one-cycle lr to 0\.01 · /);
  assert.ok(!/every|cycle|plateau|cosine/.test(configSummary(parsed({}))), "none, no words");
});

Deno.test("configSummary() names early stopping and the knobs not at their defaults", () => {
  const plain = parsed({ earlyStopping: {} });
  assert.match(configSummary(plain), / · early stop on dev loss, patience 3 · /);
  const tuned = parsed({
    earlyStopping: { metric: "devAccuracy", mode: "min", minDelta: 0.01, restoreBest: false },
  });
  assert.match(
    configSummary(tuned),
    / · early stop on dev accuracy, patience 3, min mode, min delta 0\.01, last weights · /,
  );
  assert.ok(!/early stop/.test(configSummary(parsed({}))), "off, no words");
});
