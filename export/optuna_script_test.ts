import assert from "node:assert/strict";
import { parseStudySpec, type StudySpec } from "../config/study_schema.ts";
import { configForParams, walkSpace } from "../config/space_walk.ts";
import type { ParamSpec } from "../config/space_schema.ts";
import { Rng } from "../engine/random.ts";
import type { ParamValue } from "../tuner/frozen_trial.ts";
import { assertParses, findPython, runPython } from "../tests/python_helpers.ts";
import { baseConstants, optunaScript, suggestConfig } from "./optuna_script.ts";
import { sections } from "./pytorch_script.ts";
import { pythonLiteral } from "./python_source.ts";
import { configDefaults } from "./study_defaults.ts";

const python = await findPython();

function study(input: Record<string, unknown>): StudySpec {
  const parsed = parseStudySpec({ name: "study", ...input });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.spec;
}

/** Between them, every kind of entry, and paths through parts the base leaves out. */
const STUDIES: Record<string, StudySpec> = {
  "an optimizer with a sub-space per type, and Adam's betas through the default list": study({
    base: { epochs: 2 },
    space: {
      "optimizer.lr": { type: "float", low: 1e-4, high: 1e-1, log: true },
      "optimizer.type": {
        type: "categorical",
        choices: ["sgd", "rmsprop", "adam"],
        when: {
          sgd: {
            "optimizer.momentum": { type: "float", low: 0.5, high: 0.9 },
            "optimizer.nesterov": { type: "categorical", choices: [false, true] },
          },
          adam: { "optimizer.betas.0": { type: "float", low: 0.8, high: 0.95 } },
        },
      },
    },
  }),
  "a searched depth, units on a log scale, the first layer of the default list": study({
    sampler: { type: "random", seed: 3 },
    pruner: { type: "asha" },
    base: { data: { normalize: null }, regularization: { l1: 1e-5 } },
    space: {
      "model.layers": {
        type: "layers",
        low: 1,
        high: 3,
        layer: {
          units: { type: "int", low: 16, high: 256, log: true },
          activation: { type: "categorical", choices: ["relu", "gelu", "none"] },
          batchNorm: true,
          dropout: { type: "float", low: 0, high: 0.5, step: 0.1 },
        },
      },
      "regularization.l2": { type: "float", low: 0, high: 1e-3 },
    },
  }),
  "a scheduler of either type, clipping's norm, stochastic batches, early stopping's mode": study({
    direction: "minimize",
    metric: "devLoss",
    pruner: { type: "none" },
    base: {
      earlyStopping: { metric: "devAccuracy" },
      gradientClipping: { type: "norm", maxNorm: 1 },
      model: { init: "xavier_normal" },
    },
    space: {
      "scheduler.type": {
        type: "categorical",
        choices: ["linear", "reduce_on_plateau"],
        when: {
          linear: { "scheduler.totalIters": { type: "int", low: 1, high: 5 } },
          reduce_on_plateau: { "scheduler.factor": { type: "float", low: 0.1, high: 0.5 } },
        },
      },
      "gradientClipping.normType": { type: "categorical", choices: [1, 2, "inf"] },
      "gradientClipping.maxNorm": { type: "float", low: 0.5, high: 5 },
      "batch.mode": { type: "categorical", choices: ["stochastic", "minibatch"] },
      "earlyStopping.patience": { type: "int", low: 1, high: 4 },
      "model.layers.0.units": { type: "int", low: 64, high: 512, step: 64 },
      "data.normalize.mean": { type: "float", low: 0.1, high: 0.5 },
    },
  }),
  "a grid over a flat space": study({
    sampler: { type: "grid" },
    base: { epochs: 1 },
    space: {
      "optimizer.lr": { type: "float", low: 0.001, high: 0.003, step: 0.001 },
      "batch.size": { type: "categorical", choices: [32, 64] },
    },
  }),
};

/** A value of `param` drawn with `rng` (the scale does not matter here, only the range). */
function draw(param: ParamSpec, rng: Rng): ParamValue {
  if (param.type === "categorical") return param.choices[rng.int(param.choices.length)];
  const step = param.step ?? (param.type === "int" ? 1 : 0);
  if (step === 0) return param.low + rng.uniform() * (param.high - param.low);
  return param.low + step * rng.int(Math.floor((param.high - param.low) / step + 1e-9) + 1);
}

Deno.test("optunaScript() lines stay within 100 characters", () => {
  for (const [name, spec] of Object.entries(STUDIES)) {
    const long = optunaScript({ id: 1, name: "s", spec }).split("\n").filter((line) =>
      line.length > 100
    );
    assert.deepEqual(long, [], name);
  }
});

Deno.test({
  name: "optunaScript() writes valid Python for every kind of space (ast.parse; needs python3)",
  ignore: python === null,
  async fn() {
    const scripts = Object.fromEntries(
      Object.entries(STUDIES).map(([name, spec]) => [name, optunaScript({ id: 2, name, spec })]),
    );
    await assertParses(python!, scripts);
  },
});

Deno.test("optunaScript() draws each entry with suggest_* and sets sampler and pruner", () => {
  const script = optunaScript({ id: 2, name: "s", spec: STUDIES[Object.keys(STUDIES)[0]] });
  assert.ok(script.includes(
    'params["optimizer.lr"] = trial.suggest_float("optimizer.lr", 0.0001, 0.1, log=True)',
  ));
  assert.ok(script.includes('    if params["optimizer.type"] == "sgd":\n'));
  assert.ok(script.includes("optuna.samplers.TPESampler("));
  assert.ok(script.includes("constant_liar=True"));
  assert.ok(script.includes("optuna.pruners.MedianPruner("));
  const depth = optunaScript({ id: 2, name: "s", spec: Object.values(STUDIES)[1] });
  assert.ok(depth.includes('trial.suggest_int(f"model.layers.{i}.units", 16, 256, log=True)'));
  assert.ok(depth.includes("optuna.samplers.RandomSampler(seed=3)"));
  assert.ok(depth.includes("SuccessiveHalvingPruner("));
  const grid = optunaScript({ id: 2, name: "s", spec: STUDIES["a grid over a flat space"] });
  assert.ok(
    grid.includes('grid = {"optimizer.lr": [0.001, 0.002, 0.003], "batch.size": [32, 64]}'),
  );
});

Deno.test("optunaScript() refuses a study that searches the dataset", () => {
  const spec = study({
    base: { epochs: 1 },
    space: { "data.dataset": { type: "categorical", choices: ["mnist", "fashion-mnist"] } },
  });
  assert.throws(() => optunaScript({ name: "s", spec }), /searches data\.dataset/);
});

Deno.test({
  name: "the script's suggest_config builds the run config configForParams() builds (python3)",
  ignore: python === null,
  async fn() {
    const rng = new Rng(11);
    for (const [name, spec] of Object.entries(STUDIES)) {
      const trials = Array.from({ length: 8 }, () => walkSpace(spec.space, (_, p) => draw(p, rng)));
      const expected = trials.map((trial) => configForParams(spec.base, spec.space, trial.params));
      const driver = [
        "import copy, json, sys",
        baseConstants({ name, spec }),
        `DEFAULTS = ${pythonLiteral(configDefaults())}`,
        ...sections(["study_config"], new Set()),
        suggestConfig(spec.space),
        "class FixedTrial:",
        "    def __init__(self, params):",
        "        self.params, self.asked = params, []",
        "    def suggest_float(self, name, low, high, step=None, log=False):",
        "        self.asked.append(name)",
        "        return self.params[name]",
        "    suggest_int = suggest_float",
        "    def suggest_categorical(self, name, choices):",
        "        assert self.params[name] in choices, name",
        "        return self.suggest_float(name, None, None)",
        "out = []",
        "for params in json.load(sys.stdin):",
        "    trial = FixedTrial(params)",
        "    out.append({'config': suggest_config(trial), 'asked': trial.asked})",
        "print(json.dumps(out))",
      ].join("\n");
      const result = await runPython(python!, ["-c", driver], {
        stdin: JSON.stringify(trials.map((trial) => trial.params)),
      });
      assert.equal(result.code, 0, `${name}: ${result.stderr}`);
      const actual = JSON.parse(result.stdout) as { config: unknown; asked: string[] }[];
      actual.forEach((trial, i) => {
        assert.deepEqual(trial.asked, Object.keys(trials[i].params), `${name}: trial ${i}'s draws`);
        assert.deepEqual(
          trial.config,
          JSON.parse(JSON.stringify(expected[i])),
          `${name}: trial ${i}`,
        );
      });
    }
  },
});

/** A study over one float with `pruner`, its script's pruner lines. */
function prunerLines(pruner: Record<string, unknown>): string {
  const spec = study({
    base: { epochs: 2 },
    pruner,
    space: { "optimizer.lr": { type: "float", low: 1e-4, high: 1e-1, log: true } },
  });
  const script = optunaScript({ id: 3, name: "s", spec });
  // From the line after the sampler's to the return of create_study().
  const lines = script.split("\n");
  const first = lines.findIndex((line) => /^ {4}(wrapped|pruner) = /.test(line));
  const last = lines.findIndex((line, i) => i > first && line.startsWith("    return "));
  return lines.slice(first, last).map((line) => line.slice(4)).join("\n");
}

const PRUNERS: [Record<string, unknown>, string][] = [
  [{ type: "percentile", percentile: 25, nMinTrials: 2 }, "PercentilePruner"],
  [{ type: "hyperband", maxResource: 20 }, "HyperbandPruner"],
  [{ type: "threshold", upper: 2.5, nWarmupSteps: 1 }, "ThresholdPruner"],
  [{ type: "patient", patience: 3, wrapped: { type: "median" } }, "PatientPruner"],
  [{ type: "patient", patience: 2, minDelta: 0.01 }, "PatientPruner"],
  [{ type: "none" }, "NopPruner"],
];

Deno.test("optunaScript() writes each pruner as Optuna's class with its knobs", () => {
  for (const [pruner, name] of PRUNERS) {
    const long = prunerLines(pruner).split("\n").filter((line) => line.length > 96);
    assert.deepEqual(long, [], `${name}: lines within 100 characters`);
    assert.match(prunerLines(pruner), new RegExp(`optuna\\.pruners\\.${name}\\(`), name);
  }
  assert.match(prunerLines(PRUNERS[0][0]), /percentile=25, .*n_min_trials=2/);
  assert.match(prunerLines(PRUNERS[1][0]), /min_resource=1, max_resource=20, reduction_factor=3/);
  assert.match(prunerLines(PRUNERS[3][0]), /wrapped = optuna\.pruners\.MedianPruner\(/);
  assert.match(prunerLines(PRUNERS[3][0]), /PatientPruner\(wrapped, patience=3, min_delta=0\)/);
  assert.match(prunerLines(PRUNERS[4][0]), /PatientPruner\(None, patience=2, min_delta=0\.01\)/);
});

const optunaPython = await findPython(["optuna"]);

Deno.test({
  name: "each pruner line builds that pruner in Optuna (needs python3-optuna)",
  ignore: optunaPython === null,
  async fn() {
    for (const [pruner, name] of PRUNERS) {
      const code = `import optuna\n${prunerLines(pruner)}\nprint(type(pruner).__name__)`;
      const result = await runPython(optunaPython!, ["-c", code]);
      assert.equal(result.code, 0, `${name}: ${result.stderr}`);
      assert.equal(result.stdout.trim(), name);
    }
  },
});

Deno.test({
  name: "a gp study's script builds GPSampler where Optuna has it, else TPE (needs python3-optuna)",
  ignore: optunaPython === null,
  async fn() {
    const spec = study({
      sampler: { type: "gp", seed: 4, nStartupTrials: 6 },
      space: { "optimizer.lr": { type: "float", low: 1e-4, high: 1e-1, log: true } },
    });
    const lines = optunaScript({ id: 3, name: "s", spec }).split("\n");
    const first = lines.findIndex((line) => line.includes("if hasattr(optuna.samplers"));
    const last = lines.findIndex((line, i) => i > first && /^ {4}(wrapped|pruner) = /.test(line));
    const sampler = lines.slice(first, last).map((line) => line.slice(4)).join("\n");
    assert.match(
      sampler.replace(/\s+/g, " "),
      /GPSampler\( ?seed=4, n_startup_trials=6, deterministic_objective=False ?\)/,
    );
    const code = `import optuna\n${sampler}\n` +
      `print(type(sampler).__name__, sampler._n_startup_trials, hasattr(optuna.samplers, "GPSampler"))`;
    const result = await runPython(optunaPython!, ["-c", code]);
    assert.equal(result.code, 0, result.stderr);
    const [name, startup, hasGp] = result.stdout.trim().split(" ");
    assert.equal(name, hasGp === "True" ? "GPSampler" : "TPESampler");
    assert.equal(startup, "6");
  },
});

Deno.test({
  name: "the script runs the study's parallel as Optuna's n_jobs, auto as 1 on a GPU (python3)",
  ignore: python === null,
  async fn() {
    const jobs = async (parallel: number | "auto", device: string) => {
      const spec = study({ parallel, space: STUDIES["a grid over a flat space"].space });
      const script = optunaScript({ id: 4, name: "s", spec });
      assert.match(script, /study\.optimize\(\n.*n_trials=args\.trials, n_jobs=n_jobs\n/);
      const definition = /^def study_jobs\(.*?(?=\n\n\n)/ms.exec(script)![0];
      const code = `import os\n${baseConstants({ name: "s", spec })}\n${definition}\n` +
        `class Device:\n    type = ${JSON.stringify(device)}\n` +
        `print(study_jobs(STUDY["parallel"], Device()), os.cpu_count())`;
      const result = await runPython(python!, ["-c", code]);
      assert.equal(result.code, 0, result.stderr);
      return result.stdout.trim().split(" ").map(Number);
    };
    assert.deepEqual((await jobs(3, "cpu"))[0], 3);
    assert.deepEqual((await jobs(3, "cuda"))[0], 3);
    assert.equal((await jobs("auto", "cuda"))[0], 1);
    const [auto, cores] = await jobs("auto", "cpu");
    assert.equal(auto, cores);
  },
});
