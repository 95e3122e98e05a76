import assert from "node:assert/strict";
import { parseStudySpec, type StudySpec } from "../../../config/study_schema.ts";
import { studySampler, suggestTrialConfig } from "../../../jobs/study_space.ts";
import type { RunConfig } from "../../../engine/spec.ts";
import { createStudy } from "../../create_study.ts";
import { TrialState } from "../../frozen_trial.ts";
import { GpSampler } from "./sampler.ts";

function parse(input: Record<string, unknown>): StudySpec {
  const result = parseStudySpec({ name: "gp-study", base: { epochs: 1 }, ...input });
  assert.ok(result.ok, JSON.stringify(!result.ok && result.issues));
  return result.spec;
}

const space = {
  "optimizer.type": {
    type: "categorical",
    choices: ["sgd", "adam"],
    when: {
      sgd: { "optimizer.momentum": { type: "float", low: 0.5, high: 0.99 } },
      adam: { "optimizer.betas.0": { type: "float", low: 0.8, high: 0.99 } },
    },
  },
  "optimizer.lr": { type: "float", low: 1e-4, high: 1, log: true },
  "model.layers": {
    type: "layers",
    low: 1,
    high: 3,
    layer: { units: { type: "int", low: 16, high: 256, step: 16 } },
  },
};

/** Best near lr = 0.01 with SGD, two layers of about 128 units. */
function score(config: RunConfig): number {
  const optimizer = config.optimizer;
  const layers = config.model.layers;
  return -((Math.log10(optimizer.lr) + 2) ** 2) - (optimizer.type === "sgd" ? 0 : 0.5) -
    Math.abs(layers.length - 2) * 0.3 - ((layers[0].units - 128) / 256) ** 2;
}

Deno.test("a study file with sampler gp runs end to end and homes in on the best region", async () => {
  const spec = parse({
    direction: "maximize",
    sampler: { type: "gp", seed: 0, nStartupTrials: 8 },
    space,
  });
  assert.deepEqual(spec.sampler, {
    type: "gp",
    seed: 0,
    nStartupTrials: 8,
    deterministicObjective: false,
  });
  const sampler = studySampler(spec);
  assert.ok(sampler instanceof GpSampler);
  const study = await createStudy({ direction: "maximize", sampler });
  const configs: RunConfig[] = [];
  await study.optimize((trial) => {
    const config = suggestTrialConfig(trial, spec);
    configs.push(config);
    return score(config);
  }, { nTrials: 24 });
  assert.ok(study.trials.every((trial) => trial.state === TrialState.COMPLETE));
  for (const [i, trial] of study.trials.entries()) {
    assert.equal(configs[i].optimizer.type, trial.params["optimizer.type"]);
    assert.equal(configs[i].model.layers.length, trial.params["model.layers.length"]);
    const branch = trial.params["optimizer.type"] === "sgd"
      ? "optimizer.momentum"
      : "optimizer.betas.0";
    assert.ok(branch in trial.params, `trial ${i} has ${branch}`);
  }
  // The modelled trials sit far closer to lr = 0.01 than the random start-up ones.
  const distance = (from: number, to: number) => {
    const d = study.trials.slice(from, to).map((t) =>
      Math.abs(Math.log10(t.params["optimizer.lr"] as number) + 2)
    );
    return d.sort((a, b) => a - b)[d.length >> 1];
  };
  assert.ok(distance(14, 24) < distance(0, 8) / 3, `${distance(14, 24)} vs ${distance(0, 8)}`);
  assert.ok(study.bestValue > -0.05, `best ${study.bestValue}`);
});

Deno.test("a study file refuses sampler gp with several metrics or constraints, naming sampler.type", () => {
  for (
    const extra of [
      { metrics: ["devAccuracy", "epochSeconds"] },
      { constraints: [{ metric: "parameterCount", max: 100000 }] },
    ]
  ) {
    const result = parseStudySpec({
      name: "gp-study",
      sampler: { type: "gp" },
      space: { "optimizer.lr": { type: "float", low: 1e-4, high: 1, log: true } },
      ...extra,
    });
    assert.ok(!result.ok);
    assert.equal(result.issues[0].path, "sampler.type", JSON.stringify(result.issues));
    assert.match(result.issues[0].message, /Sampler gp handles one objective without constraints/);
  }
});
