import assert from "node:assert/strict";
import { parseStudySpec, type StudySpec } from "../config/study_schema.ts";
import type { RunConfig } from "../engine/spec.ts";
import {
  CategoricalDistribution,
  createStudy,
  FloatDistribution,
  type FrozenTrial,
  TrialState,
} from "../tuner/mod.ts";
import { studySampler, suggestTrialConfig } from "./study_space.ts";

function studySpec(sampler: unknown, space: unknown): StudySpec {
  const result = parseStudySpec({ name: "conditional", sampler, space, base: { epochs: 1 } });
  assert.ok(result.ok, JSON.stringify(!result.ok && result.issues));
  return result.spec;
}

/** The exercise's space: 1–3 hidden layers, SGD with momentum and Nesterov, Adam with a beta. */
const conditionalSpace = {
  "model.layers": {
    type: "layers",
    low: 1,
    high: 3,
    layer: {
      units: { type: "int", low: 16, high: 128, log: true },
      batchNorm: true,
      dropout: { type: "float", low: 0, high: 0.5 },
    },
  },
  "optimizer.type": {
    type: "categorical",
    choices: ["sgd", "adam"],
    when: {
      sgd: {
        "optimizer.lr": { type: "float", low: 1e-3, high: 0.3, log: true },
        "optimizer.momentum": { type: "float", low: 0.5, high: 0.99 },
        "optimizer.nesterov": { type: "categorical", choices: [false, true] },
      },
      adam: {
        "optimizer.lr": { type: "float", low: 1e-5, high: 1e-2, log: true },
        "optimizer.betas.0": { type: "float", low: 0.8, high: 0.99 },
      },
    },
  },
};

/** The params a trial must have, given its optimizer and number of layers. */
function expectedParams(trial: FrozenTrial): string[] {
  const branch = trial.params["optimizer.type"] === "sgd"
    ? ["optimizer.momentum", "optimizer.nesterov"]
    : ["optimizer.betas.0"];
  const layers = Array.from(
    { length: trial.params["model.layers.length"] as number },
    (_, i) => [`model.layers.${i}.units`, `model.layers.${i}.dropout`],
  ).flat();
  return ["model.layers.length", "optimizer.lr", "optimizer.type", ...branch, ...layers].sort();
}

/** A score a sampler can learn from: SGD with high momentum and two layers does best. */
function score(config: RunConfig): number {
  const optimizer = config.optimizer;
  const momentum = optimizer.type === "sgd" ? optimizer.momentum : 0;
  return momentum - Math.abs(config.model.layers.length - 2) * 0.1;
}

async function runStudy(spec: StudySpec, nTrials: number) {
  const study = await createStudy({ direction: "maximize", sampler: studySampler(spec) });
  const configs: RunConfig[] = [];
  await study.optimize((trial) => {
    const config = suggestTrialConfig(trial, spec);
    configs.push(config);
    return score(config);
  }, { nTrials });
  return { trials: study.trials, configs };
}

for (const sampler of [{ type: "tpe", seed: 3, nStartupTrials: 5 }, { type: "random", seed: 3 }]) {
  Deno.test(`suggestTrialConfig() with ${sampler.type} draws only the chosen branch's params`, async () => {
    const { trials, configs } = await runStudy(studySpec(sampler, conditionalSpace), 30);
    assert.equal(trials.length, 30);
    const types = new Set(trials.map((trial) => trial.params["optimizer.type"]));
    assert.deepEqual(types, new Set(["sgd", "adam"]), "both branches are explored");
    for (const [i, trial] of trials.entries()) {
      assert.equal(trial.state, TrialState.COMPLETE);
      assert.deepEqual(Object.keys(trial.params).sort(), expectedParams(trial), `trial ${i}`);
      assert.equal(configs[i].optimizer.type, trial.params["optimizer.type"]);
      assert.equal(configs[i].model.layers.length, trial.params["model.layers.length"]);
      assert.ok(configs[i].model.layers.every((layer) => layer.batchNorm));
    }
  });
}

Deno.test("TpeSampler after its startup trials still samples a branch's params", async () => {
  const spec = studySpec({ type: "tpe", seed: 0, nStartupTrials: 5 }, conditionalSpace);
  const { trials } = await runStudy(spec, 40);
  const lateSgd = trials.slice(5).filter((trial) => trial.params["optimizer.type"] === "sgd");
  assert.ok(lateSgd.length >= 5, `${lateSgd.length} SGD trials after startup`);
  for (const trial of lateSgd) {
    const momentum = trial.params["optimizer.momentum"] as number;
    assert.ok(momentum >= 0.5 && momentum <= 0.99, `momentum ${momentum}`);
  }
});

Deno.test("TpeSampler learns a branch param from the trials that have it, beside ones that lack it", async () => {
  const spec = studySpec({ type: "tpe", seed: 0, nStartupTrials: 5 }, {
    "optimizer.type": conditionalSpace["optimizer.type"],
  });
  const study = await createStudy({ direction: "maximize", sampler: studySampler(spec) });
  const momentum = new FloatDistribution(0.5, 0.99);
  // As in Optuna 3.1, every trial is ranked, then those lacking momentum are left out of both
  // groups: here the Adam trials rank worst and add nothing to where momentum is bad.
  for (let i = 0; i < 10; i++) {
    await study.addTrial({
      state: "COMPLETE",
      value: -1 - i,
      params: { "optimizer.type": "adam" },
      distributions: { "optimizer.type": new CategoricalDistribution(["sgd", "adam"]) },
    });
  }
  for (let i = 0; i < 10; i++) {
    const good = i % 2 === 0;
    await study.addTrial({
      state: "COMPLETE",
      value: good ? 1 : 0,
      params: { "optimizer.momentum": good ? 0.95 + i * 0.001 : 0.55 + i * 0.001 },
      distributions: { "optimizer.momentum": momentum },
    });
  }
  const drawn: number[] = [];
  for (let i = 0; i < 5; i++) {
    const trial = await study.ask();
    drawn.push(trial.suggest("optimizer.momentum", momentum) as number);
    await study.tell(trial, "FAIL");
  }
  assert.ok(drawn.every((value) => value > 0.8), `momentum near the good 0.95: ${drawn}`);
});

Deno.test("GridSampler over a conditional space visits every valid combination once, then stops", async () => {
  const spec = studySpec({ type: "grid", seed: 1 }, {
    "model.layers": {
      type: "layers",
      low: 1,
      high: 2,
      layer: { units: { type: "categorical", choices: [16, 32] } },
    },
    "optimizer.type": {
      type: "categorical",
      choices: ["sgd", "adam"],
      when: {
        sgd: { "optimizer.momentum": { type: "categorical", choices: [0.5, 0.9] } },
        adam: { "optimizer.betas.0": { type: "categorical", choices: [0.9] } },
      },
    },
  });
  // Layers: 2 + 2² = 6; optimizer: 2 (sgd) + 1 (adam) = 3.
  const { trials } = await runStudy(spec, 100);
  assert.equal(trials.length, 18, "the study stops once the grid is visited");
  const points = trials.map((trial) => JSON.stringify(Object.entries(trial.params).sort()));
  assert.equal(new Set(points).size, 18, "no point is visited twice");
  for (const trial of trials) {
    const sgd = trial.params["optimizer.type"] === "sgd";
    assert.equal("optimizer.momentum" in trial.params, sgd);
    assert.equal("optimizer.betas.0" in trial.params, !sgd);
  }
});
