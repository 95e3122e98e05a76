import assert from "node:assert/strict";
import { createStudy } from "./create_study.ts";
import {
  gridFromSpace,
  type ParamSpec,
  prunerFromSpec,
  samplerFromSpec,
  suggestFromSpace,
} from "./from_spec.ts";
import { HyperbandPruner } from "./pruners/hyperband.ts";
import { MedianPruner } from "./pruners/median.ts";
import { NopPruner } from "./pruners/nop.ts";
import { PatientPruner } from "./pruners/patient.ts";
import { SuccessiveHalvingPruner } from "./pruners/successive_halving.ts";
import { ThresholdPruner } from "./pruners/threshold.ts";
import { GridSampler } from "./samplers/grid.ts";
import { TpeSampler } from "./samplers/tpe/sampler.ts";

const space: Record<string, ParamSpec> = {
  "optimizer.lr": { type: "float", low: 1e-4, high: 1e-1, log: true },
  "batch.size": { type: "int", low: 32, high: 512, log: true },
  "model.layers.0.units": { type: "int", low: 64, high: 1024, step: 64 },
  "optimizer.type": { type: "categorical", choices: ["sgd", "rmsprop", "adam"] },
};

Deno.test("suggestFromSpace() returns every dotted path with a value from its range", async () => {
  const study = await createStudy({ sampler: samplerFromSpec({ type: "tpe", seed: 0 }) });
  await study.optimize((trial) => {
    const params = suggestFromSpace(trial, space);
    assert.deepEqual(Object.keys(params), Object.keys(space));
    assert.deepEqual(params, trial.params);
    return params["optimizer.lr"] as number;
  }, { nTrials: 12 });
  for (const trial of study.trials) {
    const units = trial.params["model.layers.0.units"] as number;
    assert.ok(units % 64 === 0 && units >= 64 && units <= 1024);
    assert.ok(["sgd", "rmsprop", "adam"].includes(trial.params["optimizer.type"] as string));
  }
});

Deno.test("suggestFromSpace() names the dotted path of a bad range", async () => {
  const study = await createStudy();
  const trial = await study.ask();
  assert.throws(
    () =>
      suggestFromSpace(trial, { "optimizer.lr": { type: "float", low: 0, high: 1, log: true } }),
    /Parameter "optimizer.lr" is log-scaled with low 0/,
  );
});

Deno.test("samplerFromSpec() and prunerFromSpec() build what the type names", () => {
  assert.ok(
    samplerFromSpec({ type: "tpe", multivariate: true, constantLiar: true }) instanceof TpeSampler,
  );
  assert.ok(prunerFromSpec({ type: "median", nWarmupSteps: 2 }) instanceof MedianPruner);
  assert.equal(
    (prunerFromSpec({ type: "median", nWarmupSteps: 2 }) as MedianPruner).nWarmupSteps,
    2,
  );
  assert.ok(
    prunerFromSpec({ type: "asha", reductionFactor: 3 }) instanceof SuccessiveHalvingPruner,
  );
  assert.ok(prunerFromSpec({ type: "none" }) instanceof NopPruner);
  assert.throws(
    () => samplerFromSpec({ type: "bohb" } as never),
    /use "tpe", "random", "grid", "nsga2", "gp", "cmaes" or "qmc"/,
  );
  assert.ok(prunerFromSpec({ type: "hyperband" }) instanceof HyperbandPruner);
  assert.ok(prunerFromSpec({ type: "threshold", upper: 2 }) instanceof ThresholdPruner);
  const patient = prunerFromSpec({ type: "patient", patience: 2, wrapped: { type: "median" } });
  assert.ok((patient as PatientPruner).wrapped instanceof MedianPruner);
  assert.equal(
    (prunerFromSpec({ type: "percentile", percentile: 30 }) as MedianPruner).percentile,
    30,
  );
  assert.throws(
    () => prunerFromSpec({ type: "wavelet" } as never),
    /use "median", "percentile", "asha", "hyperband", "threshold", "patient" or "none"/,
  );
});

Deno.test("samplerFromSpec() derives a grid from the space and runs every point once", async () => {
  const small: Record<string, ParamSpec> = {
    "optimizer.type": { type: "categorical", choices: ["sgd", "adam"] },
    "model.layers.0.dropout": { type: "float", low: 0, high: 0.3, step: 0.1 },
  };
  const dropout = gridFromSpace(small)["model.layers.0.dropout"];
  assert.deepEqual(Array.from({ length: dropout.size }, (_, k) => dropout.at(k)), [
    0,
    0.1,
    0.2,
    0.3,
  ]);
  const sampler = samplerFromSpec({ type: "grid", seed: 1 }, small);
  assert.equal((sampler as GridSampler).size, 8);
  const study = await createStudy({ sampler });
  await study.optimize((trial) => Object.keys(suggestFromSpace(trial, small)).length, {
    nTrials: 20,
  });
  assert.equal(study.trials.length, 8);
  assert.throws(() => gridFromSpace(space), /Grid search over "optimizer.lr" needs a step/);
});

Deno.test("gridFromSpace() never writes out a range: a grid over a seed's 2^32 values starts at once", async () => {
  const huge: Record<string, ParamSpec> = {
    seed: { type: "int", low: 0, high: 2 ** 32 - 1 },
    "model.layers.0.units": { type: "int", low: 1, high: 1000 },
  };
  const sampler = samplerFromSpec({ type: "grid", seed: 5 }, huge) as GridSampler;
  assert.equal(sampler.size, 2 ** 32 * 1000);
  const study = await createStudy({ sampler });
  await study.optimize((trial) => {
    const params = suggestFromSpace(trial, huge);
    assert.ok(Number.isInteger(params.seed) && (params.seed as number) < 2 ** 32);
    return params["model.layers.0.units"] as number;
  }, { nTrials: 5 });
  const points = new Set(study.trials.map((t) => JSON.stringify(t.params)));
  assert.equal(points.size, 5, "five different points");
});

Deno.test("GridSampler refuses a grid of more points than can be numbered, saying how many", () => {
  const space: Record<string, ParamSpec> = Object.fromEntries(
    ["a", "b", "c"].map((name) => [name, { type: "int", low: 0, high: 999_999 }]),
  );
  assert.throws(
    () => samplerFromSpec({ type: "grid" }, space),
    /The grid has 1\.00e\+18 points \(1000000 × 1000000 × 1000000\), more than 9007199254740991/,
  );
});
