import assert from "node:assert/strict";
import { finalRunConfig, finalRunOptionsSchema, foldDev } from "./final_run.ts";
import { parseStudySpec, type StudySpec } from "./study_schema.ts";

/** A study over a searched depth and the optimizer, SGD's momentum searched only under SGD. */
function study(): StudySpec {
  const parsed = parseStudySpec({
    name: "depth",
    base: {
      epochs: 5,
      seed: 7,
      data: {
        dataset: "synthetic-binary",
        trainSize: 200,
        split: { train: 0.8, dev: 0.1, test: 0.1 },
      },
    },
    space: {
      "model.layers": {
        type: "layers",
        low: 1,
        high: 3,
        layer: { units: { type: "int", low: 4, high: 16 } },
      },
      "optimizer.type": {
        type: "categorical",
        choices: ["sgd", "adam"],
        when: { sgd: { "optimizer.momentum": { type: "float", low: 0, high: 0.9 } } },
      },
    },
  });
  assert.ok(parsed.ok, JSON.stringify(parsed));
  return parsed.spec;
}

const best = {
  number: 4,
  params: {
    "model.layers.length": 2,
    "model.layers.0.units": 12,
    "model.layers.1.units": 6,
    "optimizer.type": "sgd",
    "optimizer.momentum": 0.5,
  },
};

Deno.test("finalRunConfig() retrains the best trial on the whole pool for twice its epochs with the next seed", () => {
  const config = finalRunConfig(study(), "depth", best);
  assert.deepEqual(config.model.layers.map((layer) => layer.units), [12, 6]);
  assert.equal(config.optimizer.type, "sgd");
  assert.equal(config.optimizer.type === "sgd" && config.optimizer.momentum, 0.5);
  assert.equal(config.data.trainSize, undefined, "the whole training pool");
  assert.deepEqual(config.data.split, { train: 0.8, dev: 0.1, test: 0.1 }, "dev kept");
  assert.equal(config.epochs, 10);
  assert.equal(config.seed, 8);
  assert.equal(config.name, "depth final");
});

Deno.test("finalRunConfig() takes the epochs, seed and pool asked for, and folds dev into training", () => {
  const config = finalRunConfig(study(), "depth", best, {
    epochs: 40,
    seed: 0,
    fullPool: false,
    foldDev: true,
  });
  assert.equal(config.epochs, 40);
  assert.equal(config.seed, 0);
  assert.equal(config.data.trainSize, 200, "the trial's train size kept");
  assert.deepEqual(config.data.split, { train: 0.9, dev: 0, test: 0.1 });
});

Deno.test("finalRunConfig() drops early stopping when the dev split it watches is folded in", () => {
  const spec = study();
  spec.base.earlyStopping = {
    metric: "devLoss",
    mode: "min",
    patience: 2,
    minDelta: 0,
    restoreBest: true,
  };
  assert.equal(finalRunConfig(spec, "depth", best, { foldDev: true }).earlyStopping, null);
  assert.deepEqual(finalRunConfig(spec, "depth", best).earlyStopping, spec.base.earlyStopping);
});

Deno.test("finalRunConfig() names a parameter the best trial lacks", () => {
  const { "optimizer.momentum": _, ...lacking } = best.params;
  assert.throws(
    () => finalRunConfig(study(), "depth", { number: 4, params: lacking }),
    /lack "optimizer\.momentum"/,
  );
});

Deno.test("foldDev() keeps the fractions summing to 1 without float noise", () => {
  assert.deepEqual(foldDev({ train: 0.7, dev: 0.2 }), { train: 0.9, dev: 0 });
});

Deno.test("finalRunOptionsSchema refuses epochs past a run's and unknown fields, quoting them", () => {
  const tooMany = finalRunOptionsSchema.safeParse({ epochs: 20000 });
  assert.ok(!tooMany.success);
  assert.match(tooMany.error.issues[0].message, /Epochs .*20000/);
  const unknown = finalRunOptionsSchema.safeParse({ epoch: 3 });
  assert.ok(!unknown.success);
  assert.match(unknown.error.issues[0].message, /"epoch"/);
});
