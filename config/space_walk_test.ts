import assert from "node:assert/strict";
import type { ParamValue } from "../tuner/frozen_trial.ts";
import type { ParamSpec, SpaceSpec } from "./space_schema.ts";
import { configForParams, spaceParams, walkSpace } from "./space_walk.ts";

/** SGD searches momentum, Adam its first beta: what an objective's `if` would say. */
const optimizerSpace: SpaceSpec = {
  "optimizer.type": {
    type: "categorical",
    choices: ["sgd", "adam"],
    when: {
      sgd: {
        "optimizer.lr": { type: "float", low: 1e-3, high: 0.3, log: true },
        "optimizer.momentum": { type: "float", low: 0, high: 0.99, log: false },
      },
      adam: {
        "optimizer.lr": { type: "float", low: 1e-5, high: 1e-2, log: true },
        "optimizer.betas.0": { type: "float", low: 0.8, high: 0.99, log: false },
      },
    },
  },
};

const depthSpace: SpaceSpec = {
  "model.layers": {
    type: "layers",
    low: 2,
    high: 4,
    layer: {
      units: { type: "int", low: 16, high: 128, log: true },
      batchNorm: true,
      dropout: { type: "float", low: 0, high: 0.5, log: false },
    },
  },
};

/** A chooser that takes `fixed[name]` when given, else the distribution's low end or first choice. */
function chooser(fixed: Record<string, ParamValue>) {
  const asked: string[] = [];
  const choose = (name: string, param: ParamSpec): ParamValue => {
    asked.push(name);
    if (name in fixed) return fixed[name];
    return param.type === "categorical" ? param.choices[0] : param.low;
  };
  return { asked, choose };
}

Deno.test("walkSpace() visits a branch only when its choice is taken", () => {
  const adam = chooser({ "optimizer.type": "adam" });
  const walk = walkSpace(optimizerSpace, adam.choose);
  assert.deepEqual(adam.asked, ["optimizer.type", "optimizer.lr", "optimizer.betas.0"]);
  assert.deepEqual(walk.params, {
    "optimizer.type": "adam",
    "optimizer.lr": 1e-5,
    "optimizer.betas.0": 0.8,
  });
  const sgd = chooser({ "optimizer.type": "sgd", "optimizer.momentum": 0.9 });
  assert.deepEqual(Object.keys(walkSpace(optimizerSpace, sgd.choose).params), [
    "optimizer.type",
    "optimizer.lr",
    "optimizer.momentum",
  ]);
});

Deno.test("walkSpace() with a choice that has no branch draws nothing more", () => {
  const space: SpaceSpec = {
    "optimizer.type": {
      type: "categorical",
      choices: ["sgd", "rmsprop"],
      when: { sgd: { "optimizer.momentum": { type: "float", low: 0, high: 0.9, log: false } } },
    },
  };
  const { asked, choose } = chooser({ "optimizer.type": "rmsprop" });
  assert.deepEqual(walkSpace(space, choose).assignments, { "optimizer.type": "rmsprop" });
  assert.deepEqual(asked, ["optimizer.type"]);
});

Deno.test("walkSpace() through a depth entry draws per-layer params for exactly that many layers", () => {
  for (const count of [2, 3, 4]) {
    const { choose } = chooser({ "model.layers.length": count });
    const walk = walkSpace(depthSpace, choose);
    const expected = ["model.layers.length"];
    for (let i = 0; i < count; i++) {
      expected.push(`model.layers.${i}.units`, `model.layers.${i}.dropout`);
    }
    assert.deepEqual(Object.keys(walk.params), expected, `${count} layers`);
    const layers = walk.assignments["model.layers"] as Record<string, unknown>[];
    assert.equal(layers.length, count);
    // batchNorm is fixed: on every layer, never a trial parameter.
    assert.ok(layers.every((layer) => layer.batchNorm === true && layer.units === 16));
    assert.ok(!Object.keys(walk.params).some((name) => name.endsWith("batchNorm")));
  }
});

Deno.test("configForParams() rebuilds the run config a trial trained", () => {
  const params = {
    "model.layers.length": 2,
    "model.layers.0.units": 64,
    "model.layers.0.dropout": 0.1,
    "model.layers.1.units": 32,
    "model.layers.1.dropout": 0.25,
    "optimizer.type": "adam",
    "optimizer.lr": 0.003,
    "optimizer.betas.0": 0.85,
  };
  const config = configForParams({ epochs: 2 }, { ...depthSpace, ...optimizerSpace }, params);
  assert.deepEqual(
    config.model.layers.map(({ units, batchNorm, dropout }) => [units, batchNorm, dropout]),
    [[64, true, 0.1], [32, true, 0.25]],
  );
  assert.equal(config.optimizer.type, "adam");
  assert.equal(config.optimizer.lr, 0.003);
  assert.ok(config.optimizer.type === "adam" && config.optimizer.betas[0] === 0.85);
  assert.equal(config.epochs, 2);
});

Deno.test("configForParams() throws naming the param the walk reaches but the trial lacks", () => {
  const params = { "optimizer.type": "sgd", "optimizer.lr": 0.01 };
  assert.throws(
    () => configForParams({}, optimizerSpace, params),
    /lack "optimizer\.momentum", which this study's space searches/,
  );
  assert.throws(
    () => configForParams({}, depthSpace, { "model.layers.length": 1 }),
    /lack "model\.layers\.0\.units"/,
  );
});

Deno.test("spaceParams() widens a path searched with two ranges in two branches", () => {
  const lr = spaceParams(optimizerSpace)["optimizer.lr"];
  assert.ok(lr.type === "float");
  assert.deepEqual([lr.low, lr.high, lr.log], [1e-5, 0.3, true]);
  assert.deepEqual(Object.keys(spaceParams(optimizerSpace)).sort(), [
    "optimizer.betas.0",
    "optimizer.lr",
    "optimizer.momentum",
    "optimizer.type",
  ]);
});

Deno.test("spaceParams() lists each searched layer field up to the depth entry's high", () => {
  const params = spaceParams(depthSpace);
  const expected = ["model.layers.length"];
  for (let i = 0; i < 4; i++) expected.push(`model.layers.${i}.units`, `model.layers.${i}.dropout`);
  assert.deepEqual(Object.keys(params).sort(), expected.sort());
  assert.deepEqual(params["model.layers.length"], { type: "int", low: 2, high: 4, log: false });
  assert.deepEqual(params["model.layers.3.units"], { type: "int", low: 16, high: 128, log: true });
});
