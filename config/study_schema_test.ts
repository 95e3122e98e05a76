import assert from "node:assert/strict";
import { z } from "zod";
import type { SgdSpec } from "../engine/spec.ts";
import { prunerFromSpec } from "../tuner/from_spec.ts";
import {
  applyParams,
  parseStudySpec,
  setPath,
  type StudySpec,
  studySpecSchema,
} from "./study_schema.ts";

/** The study file of DESIGN.md. */
const designStudy = {
  name: "mnist-lr",
  direction: "maximize",
  metric: "devAccuracy",
  trials: 30,
  sampler: { type: "tpe", seed: 0 },
  pruner: { type: "median" },
  base: { epochs: 5 },
  space: {
    "optimizer.lr": { type: "float", low: 1e-4, high: 1e-1, log: true },
    "batch.size": { type: "int", low: 32, high: 512, log: true },
    "model.layers.0.units": { type: "int", low: 64, high: 1024, step: 64 },
    "optimizer.type": { type: "categorical", choices: ["sgd", "rmsprop", "adam"] },
  },
};

function parsedStudy(input: unknown): StudySpec {
  const result = parseStudySpec(input);
  assert.ok(result.ok, `expected a valid study, got ${JSON.stringify(result)}`);
  return result.spec;
}

Deno.test("parseStudySpec() accepts DESIGN.md's study and fills Optuna's defaults", () => {
  const spec = parsedStudy(designStudy);
  assert.deepEqual(spec.sampler, {
    type: "tpe",
    seed: 0,
    nStartupTrials: 10,
    nEiCandidates: 24,
    multivariate: false,
    constantLiar: true,
  });
  assert.deepEqual(spec.pruner, {
    type: "median",
    nStartupTrials: 5,
    nWarmupSteps: 0,
    intervalSteps: 1,
  });
  assert.deepEqual(spec.base, { epochs: 5 });
  assert.deepEqual(spec.space["model.layers.0.units"], {
    type: "int",
    low: 64,
    high: 1024,
    step: 64,
    log: false,
  });
});

Deno.test("parseStudySpec() defaults direction, metric, trials, sampler and pruner", () => {
  const spec = parsedStudy({
    name: "minimal",
    space: { "regularization.l2": { type: "float", low: 0, high: 0.01 } },
  });
  assert.equal(spec.direction, "maximize");
  assert.equal(spec.metric, "devAccuracy");
  assert.equal(spec.trials, 20);
  assert.equal(spec.sampler.type, "tpe");
  assert.equal(spec.pruner.type, "median");
  assert.deepEqual(spec.base, {});
});

Deno.test("parseStudySpec() gives the asha pruner Optuna's defaults, minResource auto", () => {
  const spec = parsedStudy({ ...designStudy, pruner: { type: "asha" } });
  assert.deepEqual(spec.pruner, {
    type: "asha",
    minResource: "auto",
    reductionFactor: 4,
    minEarlyStoppingRate: 0,
  });
});

Deno.test("parseStudySpec() takes an asha minResource of auto or a positive integer", () => {
  for (const minResource of ["auto", 1, 3]) {
    const spec = parsedStudy({ ...designStudy, pruner: { type: "asha", minResource } });
    assert.ok(spec.pruner.type === "asha" && spec.pruner.minResource === minResource);
  }
});

Deno.test("parseStudySpec() gives hyperband, percentile, threshold and patient Optuna's defaults", () => {
  const pruner = (input: unknown) => parsedStudy({ ...designStudy, pruner: input }).pruner;
  assert.deepEqual(pruner({ type: "hyperband" }), {
    type: "hyperband",
    minResource: 1,
    maxResource: "auto",
    reductionFactor: 3,
  });
  assert.deepEqual(pruner({ type: "percentile", percentile: 25 }), {
    type: "percentile",
    percentile: 25,
    nStartupTrials: 5,
    nWarmupSteps: 0,
    intervalSteps: 1,
    nMinTrials: 1,
  });
  assert.deepEqual(pruner({ type: "threshold", upper: 2.5 }), {
    type: "threshold",
    upper: 2.5,
    nWarmupSteps: 0,
    intervalSteps: 1,
  });
  // A wrapped pruner without a type is a median pruner, as a top-level one is.
  assert.deepEqual(pruner({ type: "patient", patience: 2, wrapped: {} }), {
    type: "patient",
    patience: 2,
    minDelta: 0,
    wrapped: { type: "median", nStartupTrials: 5, nWarmupSteps: 0, intervalSteps: 1 },
  });
});

Deno.test("parseStudySpec()'s pruners are the ones the tuner builds", () => {
  for (
    const input of [
      { type: "hyperband", maxResource: 20 },
      { type: "percentile", percentile: 10 },
      { type: "threshold", lower: 0.1 },
      { type: "patient", patience: 1, wrapped: { type: "hyperband" } },
    ]
  ) {
    const { pruner } = parsedStudy({ ...designStudy, pruner: input });
    assert.equal(prunerFromSpec(pruner).constructor.name.toLowerCase(), `${input.type}pruner`);
  }
});

Deno.test("parseStudySpec() accepts paths into layers, init and dropout", () => {
  parsedStudy({
    name: "layers",
    base: { optimizer: { type: "sgd" } },
    space: {
      "model.layers.1.dropout": { type: "float", low: 0, high: 0.5 },
      "model.init": { type: "categorical", choices: ["default", "xavier_uniform", "lecun_normal"] },
      "optimizer.momentum": { type: "float", low: 0, high: 0.99 },
      "optimizer.nesterov": { type: "categorical", choices: [false] },
    },
  });
});

const withSpace = (space: unknown, extra: Record<string, unknown> = {}) => ({
  name: "bad",
  space,
  ...extra,
});

/** [what, input, path, message fragment] */
const invalidStudies: Array<[string, unknown, string, string]> = [
  [
    "log with low 0",
    withSpace({ "optimizer.lr": { type: "float", low: 0, high: 0.1, log: true } }),
    "space.optimizer.lr.low",
    "greater than 0 when log is true",
  ],
  [
    "unknown path",
    withSpace({ "optimizer.lrr": { type: "float", low: 1e-4, high: 0.1 } }),
    "space.optimizer.lrr",
    'Unknown field "lrr"',
  ],
  [
    "bad categorical choice",
    withSpace({ "optimizer.type": { type: "categorical", choices: ["sgd", "adagrad"] } }),
    "space.optimizer.type",
    '"adagrad"',
  ],
  [
    "low above high",
    withSpace({ "optimizer.lr": { type: "float", low: 0.1, high: 0.001 } }),
    "space.optimizer.lr.high",
    "greater than low (0.1), got 0.001",
  ],
  [
    "int low above high",
    withSpace({ "batch.size": { type: "int", low: 64, high: 32 } }),
    "space.batch.size.high",
    "at least low (64)",
  ],
  [
    "log with a step",
    withSpace({ "optimizer.lr": { type: "float", low: 1e-4, high: 0.1, log: true, step: 0.01 } }),
    "space.optimizer.lr.step",
    "cannot be combined with log",
  ],
  [
    "step 0",
    withSpace({ "regularization.l2": { type: "float", low: 0, high: 1, step: 0 } }),
    "space.regularization.l2.step",
    "greater than 0",
  ],
  [
    "no choices",
    withSpace({ "model.init": { type: "categorical", choices: [] } }),
    "space.model.init.choices",
    "at least one",
  ],
  [
    "range outside the field's bounds",
    withSpace({ "model.layers.0.dropout": { type: "float", low: 0, high: 1 } }),
    "space.model.layers.0.dropout",
    "Dropout must be in [0, 1), got 1",
  ],
  [
    "float range on an integer field",
    withSpace({ "batch.size": { type: "float", low: 32, high: 512 } }),
    "space.batch.size",
    "Batch size must be an integer",
  ],
  [
    "layer index beyond the base's layers",
    withSpace({ "model.layers.2.units": { type: "int", low: 8, high: 64 } }),
    "space.model.layers.2.units",
    "has items 0 to 1",
  ],
  [
    "path through a number",
    withSpace({ "epochs.max": { type: "int", low: 1, high: 5 } }),
    "space.epochs.max",
    'goes through "epochs"',
  ],
  [
    "malformed path",
    withSpace({ "optimizer..lr": { type: "float", low: 1e-4, high: 0.1 } }),
    "space.optimizer..lr",
    "dotted run config paths",
  ],
  [
    "unknown parameter type",
    withSpace({ "optimizer.lr": { type: "loguniform", low: 1e-4, high: 0.1 } }),
    "space.optimizer.lr.type",
    "float, int, categorical",
  ],
  ["empty space", withSpace({}), "space", "at least one parameter"],
  [
    "grid over an unstepped float",
    withSpace({ "optimizer.lr": { type: "float", low: 1e-4, high: 0.1 } }, {
      sampler: { type: "grid" },
    }),
    "space.optimizer.lr",
    "grid sampler needs a step",
  ],
  [
    "invalid base",
    withSpace({ "optimizer.lr": { type: "float", low: 1e-4, high: 0.1 } }, { base: { epochs: 0 } }),
    "base.epochs",
    "Epochs must be an integer in [1, 10000], got 0",
  ],
  [
    "unknown sampler",
    { ...designStudy, sampler: { type: "bohb" } },
    "sampler.type",
    "tpe, random, grid",
  ],
  ["bad direction", { ...designStudy, direction: "up" }, "direction", "maximize, minimize"],
  ["bad metric", { ...designStudy, metric: "accuracy" }, "metric", "devAccuracy, devLoss"],
  ["trials 0", { ...designStudy, trials: 0 }, "trials", "[1, 10000]"],
  ...[0, 2.5, "Auto", null].map((minResource): [string, unknown, string, string] => [
    `asha minResource ${JSON.stringify(minResource)}`,
    { ...designStudy, pruner: { type: "asha", minResource } },
    "pruner.minResource",
    `Min resource must be an integer of at least 1 or "auto", got ${JSON.stringify(minResource)}`,
  ]),
  [
    "unknown pruner",
    { ...designStudy, pruner: { type: "wavelet" } },
    "pruner.type",
    "median, percentile, asha, hyperband, threshold, patient, none",
  ],
  [
    "hyperband maxResource under minResource",
    { ...designStudy, pruner: { type: "hyperband", minResource: 4, maxResource: 3 } },
    "pruner.maxResource",
    "Max resource must be at least min resource (4), got 3",
  ],
  [
    "hyperband maxResource 0",
    { ...designStudy, pruner: { type: "hyperband", maxResource: 0 } },
    "pruner.maxResource",
    'Max resource must be an integer of at least 1 or "auto", got 0',
  ],
  [
    "percentile without its percentile",
    { ...designStudy, pruner: { type: "percentile" } },
    "pruner.percentile",
    "Percentile is required: a number in [0, 100]",
  ],
  [
    "percentile 120",
    { ...designStudy, pruner: { type: "percentile", percentile: 120 } },
    "pruner.percentile",
    "Percentile must be in [0, 100], got 120",
  ],
  [
    "threshold without bounds",
    { ...designStudy, pruner: { type: "threshold" } },
    "pruner.lower",
    "needs a lower bound, an upper bound, or both",
  ],
  [
    "threshold bounds crossed",
    { ...designStudy, pruner: { type: "threshold", lower: 2, upper: 1 } },
    "pruner.upper",
    "Upper bound must be at least the lower bound (2), got 1",
  ],
  [
    "patient without patience",
    { ...designStudy, pruner: { type: "patient" } },
    "pruner.patience",
    "Patience is required",
  ],
  [
    "patient with a negative minDelta",
    { ...designStudy, pruner: { type: "patient", patience: 1, minDelta: -0.1 } },
    "pruner.minDelta",
    "Min delta must be at least 0, got -0.1",
  ],
  [
    "patient wrapping a patient",
    { ...designStudy, pruner: { type: "patient", patience: 1, wrapped: { type: "patient" } } },
    "pruner.wrapped.type",
    "Wrapped pruner type must be one of median, percentile, asha, hyperband, threshold",
  ],
  [
    "patient wrapping a bad threshold",
    { ...designStudy, pruner: { type: "patient", patience: 1, wrapped: { type: "threshold" } } },
    "pruner.wrapped.lower",
    "needs a lower bound",
  ],
  ["missing name", { space: designStudy.space }, "name", "Study name"],
];

for (const [what, input, path, fragment] of invalidStudies) {
  Deno.test(`parseStudySpec() rejects ${what} at ${path}`, () => {
    const result = parseStudySpec(input);
    assert.ok(!result.ok, `expected an invalid study: ${what}`);
    const issue = result.issues.find((candidate) => candidate.path === path);
    assert.ok(issue, `no issue at "${path}" in ${JSON.stringify(result.issues)}`);
    assert.ok(issue.message.includes(fragment), `"${issue.message}" lacks "${fragment}"`);
  });
}

Deno.test("applyParams() sets nested values and keeps the base's other fields", () => {
  const base = { epochs: 5, model: { layers: [{ units: 100 }, { units: 50, dropout: 0.3 }] } };
  const config = applyParams(base, {
    "optimizer.lr": 0.02,
    "model.layers.1.units": 40,
    "batch.size": 64,
  });
  assert.equal(config.optimizer.lr, 0.02);
  assert.equal(config.batch.size, 64);
  assert.equal(config.epochs, 5);
  assert.deepEqual(config.model.layers[1], {
    units: 40,
    activation: "relu",
    batchNorm: false,
    dropout: 0.3,
  });
  assert.equal(config.model.layers[0].units, 100);
  assert.deepEqual(base.model.layers[1], { units: 50, dropout: 0.3 }, "base must not change");
});

Deno.test("applyParams() indexes the default layers when the base leaves them out", () => {
  const config = applyParams({ epochs: 2 }, { "model.layers.0.units": 64 });
  assert.deepEqual(config.model.layers.map((layer) => [layer.units, layer.dropout]), [
    [64, 0.2],
    [256, 0.2],
  ]);
});

Deno.test("applyParams() switching the optimizer type gives that type's defaults", () => {
  const config = applyParams({ optimizer: { lr: 0.05 } }, {
    "optimizer.type": "sgd",
    "optimizer.momentum": 0.9,
  });
  assert.deepEqual(
    config.optimizer,
    {
      type: "sgd",
      lr: 0.05,
      momentum: 0.9,
      dampening: 0,
      weightDecay: 0,
      nesterov: false,
    } satisfies SgdSpec,
  );
});

Deno.test("applyParams() throws naming the path when a layer index is past the base's layers", () => {
  assert.throws(
    () => applyParams({ model: { layers: [{ units: 8 }] } }, { "model.layers.1.units": 16 }),
    /model\.layers\.1\.units.*item "1" of "model\.layers", which has items 0 to 0/,
  );
  assert.throws(
    () => applyParams({ model: { layers: [] } }, { "model.layers.0.units": 16 }),
    /"model\.layers", which is empty/,
  );
});

Deno.test("applyParams() throws when a value breaks the run config", () => {
  assert.throws(
    () => applyParams({}, { "model.layers.0.dropout": 1.5 }),
    /model\.layers\.0\.dropout: Dropout must be in \[0, 1\), got 1\.5/,
  );
});

Deno.test("setPath() creates missing objects and sets array items in place", () => {
  const target: Record<string, unknown> = { model: { layers: [{ units: 1 }] } };
  setPath(target, "optimizer.lr", 0.1);
  setPath(target, "model.layers.0.units", 7);
  assert.deepEqual(target, { optimizer: { lr: 0.1 }, model: { layers: [{ units: 7 }] } });
});

Deno.test("setPath() refuses paths through values, past array ends or into prototypes", () => {
  assert.throws(() => setPath({ epochs: 5 }, "epochs.max", 1), /goes through "epochs", which is 5/);
  assert.throws(() => setPath({ layers: [] }, "layers.0.units", 1), /which is empty/);
  assert.throws(() => setPath({}, "layers.0.units", 1), /indexes "layers"/);
  assert.throws(() => setPath({}, "__proto__.polluted", 1), /must not use "__proto__"/);
  assert.throws(() => setPath({}, "a..b", 1), /dot-separated/);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

Deno.test("studySpecSchema converts to a JSON Schema", () => {
  const schema = z.toJSONSchema(studySpecSchema, { io: "input" }) as { required: string[] };
  assert.deepEqual(schema.required, ["name", "space"]);
});
