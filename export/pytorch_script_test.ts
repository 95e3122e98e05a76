import assert from "node:assert/strict";
import { parseRunConfig, type RunConfigInput } from "../config/schema.ts";
import { lowbias32, Rng } from "../engine/random.ts";
import type { RunConfig } from "../engine/spec.ts";
import { assertParses, findPython, runPython } from "../tests/python_helpers.ts";
import { pytorchScript, sections } from "./pytorch_script.ts";

const python = await findPython();

function config(input: RunConfigInput): RunConfig {
  const parsed = parseRunConfig(input);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.config;
}

const SYNTHETIC = {
  dataset: "synthetic-binary",
  normalize: null,
  split: { train: 0.8, dev: 0.1, test: 0.1 },
};

/** Between them, every option a script has code for. */
export const SCRIPT_CONFIGS: Record<string, RunConfigInput> = {
  "the default run": {},
  "batch norm, SGD with Nesterov, StepLR, clipping by norm, Kaiming init": {
    model: {
      init: "kaiming_uniform",
      layers: [{ units: 32, batchNorm: true, activation: "leaky_relu", dropout: 0.1 }],
    },
    optimizer: { type: "sgd", lr: 0.05, momentum: 0.9, nesterov: true },
    scheduler: { type: "step", stepSize: 2 },
    gradientClipping: { type: "norm", maxNorm: 1, normType: "inf" },
  },
  "RMSprop, OneCycleLR, L1 and L2, MSE, a CSV file": {
    data: { dataset: "csv:data/table.csv", split: { train: 0.7, dev: 0.1, test: 0.2 } },
    loss: "mse",
    optimizer: { type: "rmsprop", centered: true, momentum: 0.5 },
    scheduler: { type: "one_cycle", maxLr: 0.01 },
    regularization: { l1: 1e-5, l2: 1e-4 },
  },
  "AdamW, ReduceLROnPlateau, early stopping, BCE, GELU, full batch": {
    data: SYNTHETIC,
    loss: "bce",
    model: { init: "lecun_normal", layers: [{ units: 8, activation: "gelu" }] },
    optimizer: { type: "adamw", amsgrad: true },
    scheduler: { type: "reduce_on_plateau", metric: "devAccuracy", mode: "max" },
    earlyStopping: { metric: "devAccuracy", patience: 2 },
    gradientClipping: { type: "value", clipValue: 0.5 },
    batch: { mode: "full" },
  },
  "Fashion-MNIST, cosine schedule, tanh and sigmoid": {
    data: { dataset: "fashion-mnist", normalize: { mean: 0.2860, std: 0.3530 } },
    model: { layers: [{ units: 64, activation: "tanh" }, { units: 32, activation: "sigmoid" }] },
    scheduler: { type: "cosine_annealing", tMax: 5 },
  },
  "an IDX folder with its own test set, stochastic batches, MultiStepLR": {
    data: { dataset: "idx:/srv/digits" },
    batch: { mode: "stochastic" },
    scheduler: { type: "multi_step", milestones: [2, 4] },
  },
};

Deno.test("pytorchScript() lines stay within 100 characters", () => {
  for (const [name, input] of Object.entries(SCRIPT_CONFIGS)) {
    const long = pytorchScript({ id: 1, config: config(input) }).split("\n").filter((line) =>
      line.length > 100
    );
    assert.deepEqual(long, [], name);
  }
});

Deno.test({
  name: "pytorchScript() writes valid Python for every option (ast.parse; needs python3)",
  ignore: python === null,
  async fn() {
    const scripts = Object.fromEntries(
      Object.entries(SCRIPT_CONFIGS).map((
        [name, input],
      ) => [name, pytorchScript({ id: 7, config: config(input) }, "run-7.py")]),
    );
    await assertParses(python!, scripts);
  },
});

Deno.test("pytorchScript() holds only the code its config uses", () => {
  const plain = pytorchScript({ id: 1, config: config({}) });
  for (const absent of ["make_scheduler", "l1_l2_penalty", "clip_gradients", "EarlyStopping"]) {
    assert.ok(!plain.includes(absent), `the default run has no ${absent}`);
  }
  assert.ok(!plain.includes("Xoshiro128"), "MNIST's test set is its own: no ajuste shuffle");
  assert.ok(!plain.includes("init_weights"), "the default init is nn.Linear's own");
  assert.ok(plain.includes("loss.backward()"));
  assert.ok(plain.includes('TORCHVISION_DATASET = "MNIST"'));

  const rich = pytorchScript({
    id: 1,
    config: config(SCRIPT_CONFIGS["RMSprop, OneCycleLR, L1 and L2, MSE, a CSV file"]),
  });
  assert.ok(rich.includes("schedulers.OneCycleLR("));
  assert.ok(!rich.includes("schedulers.StepLR("), "only the scheduler the run uses");
  assert.ok(rich.includes("torch.optim.RMSprop(") && !rich.includes("torch.optim.SGD("));
  assert.ok(rich.includes("l1_l2_penalty(model, regularization"));
  assert.ok(rich.includes("def ajuste_permutation"), "a CSV file's test set is carved out");
  assert.ok(rich.includes('DATA_PATH = "data/table.csv"'));
});

Deno.test("pytorchScript() states the run's stored test metrics, or None", () => {
  const run = { id: 3, config: config({}), test: { loss: 0.25, accuracy: 0.9375, count: 16 } };
  assert.ok(
    pytorchScript(run).includes('RUN_TEST = {"loss": 0.25, "accuracy": 0.9375, "count": 16}'),
  );
  assert.ok(pytorchScript({ ...run, test: null }).includes("RUN_TEST = None"));
});

Deno.test({
  name: "the script's Xoshiro128 draws engine/random.ts's numbers, shuffles and normals (python3)",
  ignore: python === null,
  async fn() {
    const [xoshiro] = sections(["xoshiro"], new Set(["synthetic", "carved_test"]));
    const driver = [
      "import json, math",
      xoshiro,
      "out = []",
      "for seed in (0, 1, 0x73706C74, 2**32 - 1):",
      "    rng = Xoshiro128(lowbias32(seed))",
      "    out.append({",
      "        'u32': [rng.next_u32() for _ in range(5)],",
      "        'below': [rng.below(n) for n in (1, 2, 7, 60000, 2**32)],",
      "        'normal': [rng.normal() for _ in range(5)],",
      "        'shuffle': rng.shuffle(list(range(20))),",
      "    })",
      "print(json.dumps(out))",
    ].join("\n");
    const result = await runPython(python!, ["-"], { stdin: driver });
    assert.equal(result.code, 0, result.stderr);
    const expected = [0, 1, 0x73706c74, 2 ** 32 - 1].map((seed) => {
      const rng = new Rng(lowbias32(seed >>> 0) | 0);
      return {
        u32: Array.from({ length: 5 }, () => rng.nextU32()),
        below: [1, 2, 7, 60000, 2 ** 32].map((n) => rng.int(n)),
        normal: Array.from({ length: 5 }, () => rng.normal()),
        shuffle: rng.shuffle(Array.from({ length: 20 }, (_, i) => i)),
      };
    });
    assert.deepEqual(JSON.parse(result.stdout), expected);
  },
});
