/**
 * CMA-ES and QMC studies through the study-file path: parsed and defaulted as a study file or
 * the API gives them, sampled by the sampler the file names over a space with numeric and
 * categorical params, refused with a message naming the field, and exported as Optuna code.
 */
import assert from "node:assert/strict";
import { parseStudySpec, type StudySpec } from "../config/study_schema.ts";
import { optunaScript } from "../export/optuna_script.ts";
import { studySampler, suggestTrialConfig } from "../jobs/study_space.ts";
import { createStudy } from "../tuner/mod.ts";
import { specToValues, valuesToStudyInput } from "../views/studies/study_form_state.ts";
import { findPython, runPython } from "./python_helpers.ts";

const space = {
  "optimizer.lr": { type: "float", low: 1e-4, high: 1e-1, log: true },
  "optimizer.momentum": { type: "float", low: 0.5, high: 0.99 },
  "batch.size": { type: "int", low: 16, high: 256, log: true },
  "optimizer.nesterov": { type: "categorical", choices: [false, true] },
};

function parse(input: Record<string, unknown>) {
  return parseStudySpec({
    name: "s",
    space,
    base: { epochs: 1, optimizer: { type: "sgd" }, batch: { mode: "minibatch", size: 64 } },
    ...input,
  });
}

function spec(sampler: unknown): StudySpec {
  const result = parse({ sampler });
  assert.ok(result.ok, JSON.stringify(!result.ok && result.issues));
  return result.spec;
}

/** A score standing in for dev accuracy, best at lr 0.05, momentum 0.95, batch 200, Nesterov:
 * far from the middle of the box, where CMA-ES starts. */
function score(config: ReturnType<typeof suggestTrialConfig>): number {
  const c = config as unknown as {
    optimizer: { lr: number; momentum: number; nesterov: boolean };
    batch: { size: number };
  };
  return 1 - (Math.log10(c.optimizer.lr) + 1.3) ** 2 / 4 - 4 * (c.optimizer.momentum - 0.95) ** 2 -
    (Math.log2(c.batch.size) - 7.64) ** 2 / 16 - (c.optimizer.nesterov ? 0 : 0.05);
}

Deno.test("study files name cmaes and qmc, with Optuna's defaults", () => {
  assert.deepEqual(spec({ type: "cmaes", seed: 3 }).sampler, {
    type: "cmaes",
    seed: 3,
    nStartupTrials: 1,
    restartStrategy: "none",
    incPopsize: 2,
    considerPrunedTrials: false,
  });
  assert.deepEqual(spec({ type: "qmc" }).sampler, {
    type: "qmc",
    qmcType: "sobol",
    scramble: false,
  });
});

Deno.test("the New study form keeps every cmaes and qmc knob (study → form → study)", () => {
  for (
    const sampler of [
      {
        type: "cmaes",
        seed: 5,
        nStartupTrials: 3,
        popsize: 12,
        sigma0: 0.4,
        restartStrategy: "ipop",
        incPopsize: 3,
        considerPrunedTrials: true,
      },
      { type: "cmaes" },
      { type: "cmaes", restartStrategy: "bipop" },
      { type: "qmc", qmcType: "halton", scramble: true, seed: 8 },
      { type: "qmc" },
    ]
  ) {
    const before = spec(sampler);
    const after = parseStudySpec(valuesToStudyInput(specToValues(before)));
    assert.ok(after.ok, JSON.stringify(!after.ok && after.issues));
    assert.deepEqual(after.spec.sampler, before.sampler);
  }
});

Deno.test("bad cmaes and qmc knobs are refused naming the field and what is allowed", () => {
  const issues = (input: Record<string, unknown>) => {
    const result = parse(input);
    assert.ok(!result.ok);
    return result.issues;
  };
  const [qmcType] = issues({ sampler: { type: "qmc", qmcType: "faure" } });
  assert.equal(qmcType.path, "sampler.qmcType");
  assert.match(qmcType.message, /sobol.*halton/);
  const [restart] = issues({ sampler: { type: "cmaes", restartStrategy: "sep" } });
  assert.equal(restart.path, "sampler.restartStrategy");
  assert.match(restart.message, /none, ipop, bipop/);
  const [popsize] = issues({ sampler: { type: "cmaes", popsize: 1 } });
  assert.equal(popsize.path, "sampler.popsize");
  const [objectives] = issues({
    sampler: { type: "cmaes" },
    metrics: ["devAccuracy", "parameterCount"],
  });
  assert.equal(objectives.path, "sampler.type");
  assert.match(objectives.message, /cmaes handles one objective/);
  // QMC's points do not depend on the values: several objectives are fine.
  assert.ok(parse({ sampler: { type: "qmc" }, metrics: ["devAccuracy", "parameterCount"] }).ok);
});

for (const sampler of [{ type: "cmaes", seed: 1 }, { type: "qmc", qmcType: "halton" }]) {
  Deno.test(`a ${sampler.type} study file runs: numeric params by ${sampler.type}, the choice at random`, async () => {
    const studySpec = spec(sampler);
    const study = await createStudy({ direction: "maximize", sampler: studySampler(studySpec) });
    await study.optimize((trial) => score(suggestTrialConfig(trial, studySpec)), { nTrials: 60 });
    const trials = study.trials;
    assert.equal(new Set(trials.map((t) => t.params["optimizer.nesterov"])).size, 2);
    for (const t of trials) assert.ok(Number.isInteger(t.params["batch.size"]));
    if (sampler.type === "cmaes") {
      // Three numeric params: generations of 4 + ⌊3 ln 3⌋ = 7 trials after the first.
      assert.equal(trials[59].systemAttrs["cma:generation"], Math.floor(58 / 7));
      // It learns: the last generation scores better on average than the first.
      const mean = (ts: typeof trials) => ts.reduce((a, t) => a + t.value!, 0) / ts.length;
      const first = mean(trials.slice(1, 8)), last = mean(trials.slice(50, 57));
      assert.ok(last > first + 0.1, `generation 0 ${first}, generation 7 ${last}`);
    } else {
      // Halton's second point is (1/2, 1/3, 1/5) of the box, in suggestion order.
      const t2 = trials[2].params;
      assert.ok(Math.abs(Math.log10(t2["optimizer.lr"] as number) - (-4 + 3 / 2)) < 1e-9);
      assert.ok(Math.abs((t2["optimizer.momentum"] as number) - (0.5 + 0.49 / 3)) < 1e-9);
    }
  });
}

const optunaPython = await findPython(["optuna", "cmaes"]);

Deno.test({
  name: "cmaes and qmc studies export as Optuna's CmaEsSampler and QMCSampler (needs optuna)",
  ignore: optunaPython === null,
  async fn() {
    const samplerLines = (sampler: unknown) => {
      const lines = optunaScript({ id: 1, name: "s", spec: spec(sampler) }).split("\n");
      const first = lines.findIndex((l) => /^ {4}(# Optuna's QMC|sampler = )/.test(l));
      const last = lines.findIndex((l, i) => i > first && /^ {4}pruner = /.test(l));
      return lines.slice(first, last).map((l) => l.slice(4)).join("\n");
    };
    const cmaes = samplerLines({
      type: "cmaes",
      seed: 2,
      sigma0: 0.5,
      popsize: 10,
      restartStrategy: "ipop",
      incPopsize: 3,
    });
    const qmc = samplerLines({ type: "qmc", qmcType: "halton", scramble: true, seed: 4 });
    const code = `import optuna\n${cmaes}\n` +
      "print(sampler._sigma0, sampler._popsize, sampler._restart_strategy, sampler._inc_popsize," +
      " sampler._n_startup_trials)\n" +
      `${qmc}\nprint(sampler._qmc_type, sampler._scramble, sampler._seed)`;
    const result = await runPython(optunaPython!, ["-W", "ignore", "-c", code]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), "0.5 10 ipop 3 1\nhalton True 4");
  },
});
