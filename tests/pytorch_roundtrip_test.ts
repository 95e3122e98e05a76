/**
 * The round trip with PyTorch (Debian's python3-torch): for configs spanning every activation,
 * batch norm, dropout, every optimizer, L1/L2, each loss, schedulers, clipping and early stopping,
 * ajuste trains the config on the CPU, then its generated script
 *
 * - with `--weights` loads ajuste's weights file and prints the stored test accuracy exactly and
 *   the test loss to float32 rounding (|Δ| ≤ 1e-6 relative: torch sums in its own order);
 * - trained anew by PyTorch lands in ajuste's accuracy band. The seeds differ (PyTorch draws the
 *   weights, batch order, dropout and dev rows), so the band is what seed-to-seed spread allows on
 *   these small runs: 6 points on MNIST, 15 on the 200 test rows of the synthetic data, whose
 *   labels are noise.
 *
 * A CSV file (header, quoted label) goes the same way, and a study's Optuna script runs its trials.
 * Every test is ignored where no Python imports torch (and optuna, for the study); the GPU-trained
 * one also without a WebGPU adapter (lavapipe is one).
 *
 * @module
 */

import assert from "node:assert/strict";
import { defaultDatasetRoots } from "../config/paths.ts";
import { parseRunConfig, type RunConfigInput } from "../config/schema.ts";
import type { RunConfig } from "../engine/spec.ts";
import type { Backend } from "../engine/backend.ts";
import { CpuBackend } from "../engine/cpu/session.ts";
import { train } from "../engine/mod.ts";
import { Rng } from "../engine/random.ts";
import { encodeSafetensors, runMetadata } from "../engine/safetensors.ts";
import { WebGpuBackend } from "../engine/webgpu/backend.ts";
import { parseStudySpec } from "../config/study_schema.ts";
import { optunaScript } from "../export/optuna_script.ts";
import { pytorchScript } from "../export/pytorch_script.ts";
import { adapter } from "./gpu_fixtures.ts";
import { gpuTestOptions } from "./gpu_options.ts";
import { findPython, runPython } from "./python_helpers.ts";

const torchPython = await findPython(["torch"]);
const roots = defaultDatasetRoots();

const MNIST_SMALL = { dataset: "mnist", trainSize: 3000, testSize: 1000 };

interface Case {
  config: RunConfigInput;
  /** The widest gap between ajuste's and PyTorch's test accuracy that seeds explain. */
  band: number;
  /** Trained by the WebGPU engine (which sums in its own order) rather than the CPU reference. */
  gpu?: boolean;
}

const CASES: Record<string, Case> = {
  "ReLU, batch norm and dropout, Adam with amsgrad, Kaiming init, StepLR, clipping by norm": {
    band: 0.06,
    config: {
      data: MNIST_SMALL,
      epochs: 3,
      model: {
        init: "kaiming_uniform",
        layers: [{ units: 64, activation: "relu", batchNorm: true, dropout: 0.2 }],
      },
      optimizer: { type: "adam", amsgrad: true },
      scheduler: { type: "step", stepSize: 2, gamma: 0.5 },
      gradientClipping: { type: "norm", maxNorm: 5 },
      batch: { size: 64 },
    },
  },
  "sigmoid and tanh, SGD with Nesterov momentum, MSE, Xavier init, L2, cosine schedule": {
    band: 0.06,
    config: {
      data: MNIST_SMALL,
      epochs: 3,
      loss: "mse",
      model: {
        init: "xavier_normal",
        layers: [{ units: 64, activation: "tanh" }, { units: 32, activation: "sigmoid" }],
      },
      optimizer: { type: "sgd", lr: 0.1, momentum: 0.9, nesterov: true },
      regularization: { l2: 1e-4 },
      scheduler: { type: "cosine_annealing", tMax: 3 },
      batch: { size: 32 },
    },
  },
  "leaky ReLU and GELU, centered RMSprop, BCE on one-hot rows, LeCun init, L1, early stopping": {
    band: 0.06,
    config: {
      data: MNIST_SMALL,
      epochs: 4,
      loss: "bce",
      model: {
        init: "lecun_normal",
        layers: [
          { units: 64, activation: "leaky_relu", dropout: 0.1 },
          { units: 32, activation: "gelu", batchNorm: true },
        ],
      },
      optimizer: { type: "rmsprop", lr: 1e-3, centered: true, momentum: 0.5, weightDecay: 1e-4 },
      regularization: { l1: 1e-6 },
      earlyStopping: { metric: "devAccuracy", patience: 1 },
      gradientClipping: { type: "value", clipValue: 1 },
      batch: { size: 64 },
    },
  },
  "no activation after batch norm, AdamW, OneCycleLR, MNIST's usual Normalize(0.1307, 0.3081)": {
    band: 0.06,
    config: {
      data: { ...MNIST_SMALL, normalize: { mean: 0.1307, std: 0.3081 } },
      epochs: 2,
      model: {
        init: "lecun_uniform",
        layers: [{ units: 64, activation: "none", batchNorm: true }, { units: 32 }],
      },
      optimizer: { type: "adamw", weightDecay: 0.05 },
      scheduler: { type: "one_cycle", maxLr: 0.01 },
      batch: { size: 32 },
    },
  },
  "trained on the GPU: batch norm, GELU and dropout, Adam": {
    band: 0.06,
    gpu: true,
    config: {
      data: MNIST_SMALL,
      epochs: 2,
      model: { layers: [{ units: 64, batchNorm: true, activation: "gelu", dropout: 0.1 }] },
      batch: { size: 64 },
    },
  },
  "the synthetic data, BCE with logits on one unit, ReduceLROnPlateau, full batch": {
    band: 0.15,
    config: {
      seed: 5,
      data: {
        dataset: "synthetic-binary",
        normalize: null,
        split: { train: 0.7, dev: 0.1, test: 0.2 },
      },
      loss: "bce_with_logits",
      epochs: 20,
      model: { init: "xavier_uniform", layers: [{ units: 16, activation: "relu" }] },
      optimizer: { type: "sgd", lr: 0.5 },
      scheduler: { type: "reduce_on_plateau", patience: 2 },
      batch: { mode: "full" },
    },
  },
};

const OUTPUT = /^test loss (\S+) accuracy (\S+) \((\d+) examples\)$/m;

/** The script's own test metrics, from its output. */
function testLine(stdout: string): { loss: number; accuracy: number; count: number } {
  const match = OUTPUT.exec(stdout);
  if (!match) throw new Error(`The script printed no test line:\n${stdout}`);
  return { loss: Number(match[1]), accuracy: Number(match[2]), count: Number(match[3]) };
}

/** Trains `config` on `backend`, returning its result and its weights file. */
async function trainRun(config: RunConfig, backend: Backend) {
  let weights: Uint8Array | undefined;
  const result = await train(config, {
    roots,
    backend,
    onFinish: async (session) => {
      weights = encodeSafetensors(await session.getState(), runMetadata({ config, version: "0" }));
    },
  });
  return { result, weights: weights! };
}

/**
 * Trains `config` in ajuste, then runs its script with `--weights` and anew (in `dir`), checking
 * both against the stored test metrics; `data` is the script's `--data`, if it takes one.
 */
async function roundTrip(
  name: string,
  config: RunConfig,
  { band, backend, data, dir }: {
    band: number;
    backend: Backend;
    data: string | null;
    dir: string;
  },
): Promise<void> {
  const { result, weights } = await trainRun(config, backend);
  assert.equal(result.status, "completed");
  const stored = result.test!;
  await Deno.writeTextFile(`${dir}/run.py`, pytorchScript({ id: 1, config, test: stored }));
  await Deno.writeFile(`${dir}/run.safetensors`, weights);
  const dataArgs = data === null ? [] : ["--data", data];
  const tested = await runPython(
    torchPython!,
    ["run.py", ...dataArgs, "--weights", "run.safetensors"],
    { cwd: dir },
  );
  assert.equal(tested.code, 0, tested.stderr);
  assert.ok(!tested.stdout.includes("Warning"), tested.stdout);
  const reproduced = testLine(tested.stdout);
  assert.equal(reproduced.count, stored.count);
  assert.equal(
    Math.round(reproduced.accuracy * stored.count),
    Math.round(stored.accuracy * stored.count),
  );
  assert.ok(
    Math.abs(reproduced.loss - stored.loss) <= 1e-6 * Math.abs(stored.loss),
    `test loss ${reproduced.loss}, ajuste stored ${stored.loss}`,
  );

  const trained = await runPython(torchPython!, ["run.py", ...dataArgs], { cwd: dir });
  assert.equal(trained.code, 0, trained.stderr);
  const own = testLine(trained.stdout);
  assert.ok(
    Math.abs(own.accuracy - stored.accuracy) <= band,
    `PyTorch's accuracy ${own.accuracy} is more than ${band} from ajuste's ${stored.accuracy}`,
  );
  console.log(`${name}: ajuste ${stored.accuracy}, PyTorch ${own.accuracy}`);
}

function runConfig(input: RunConfigInput): RunConfig {
  const parsed = parseRunConfig(input);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.config;
}

for (const [name, { config: input, band, gpu }] of Object.entries(CASES)) {
  Deno.test({
    name: `PyTorch script (python3-torch${gpu ? ", a WebGPU adapter" : ""}): ${name}`,
    ignore: torchPython === null || (gpu === true && !adapter),
    async fn() {
      const config = runConfig({ device: gpu ? "gpu" : "cpu", ...input });
      const backend = gpu ? await WebGpuBackend.create(gpuTestOptions()) : new CpuBackend();
      const dir = await Deno.makeTempDir({ prefix: "ajuste-torch-" });
      try {
        const data = config.data.dataset === "mnist" ? roots.mnist : null;
        await roundTrip(name, config, { band, backend, data, dir });
      } finally {
        if (backend instanceof WebGpuBackend) backend.destroy();
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}

/** Three Gaussian blobs in 4 dimensions, 200 rows each, as a CSV file with a header. */
function blobsCsv(): string {
  const rng = new Rng(9);
  const rows = ["a,b,c,d,label"];
  for (let i = 0; i < 600; i++) {
    const label = i % 3;
    const features = [0, 1, 2, 3].map((f) => (f === label ? 2 : 0) + rng.normal());
    rows.push([...features.map((x) => x.toFixed(6)), `"${label}"`].join(","));
  }
  return rows.join("\n") + "\n";
}

Deno.test({
  name: "PyTorch script (python3-torch): a CSV file with a header and a quoted label, SGD, dropout",
  ignore: torchPython === null,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "ajuste-torch-" });
    try {
      const path = `${dir}/blobs.csv`;
      await Deno.writeTextFile(path, blobsCsv());
      const config = runConfig({
        device: "cpu",
        data: { dataset: `csv:${path}`, split: { train: 0.7, dev: 0.1, test: 0.2 } },
        epochs: 5,
        model: { layers: [{ units: 16, dropout: 0.2 }] },
        optimizer: { type: "sgd", lr: 0.05, momentum: 0.9 },
        batch: { size: 16 },
      });
      await roundTrip("CSV", config, { band: 0.06, backend: new CpuBackend(), data: path, dir });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

const optunaPython = await findPython(["torch", "optuna"]);

Deno.test({
  name: "Optuna script (python3-torch, python3-optuna): a study with a sub-space and a searched " +
    "depth runs its trials and prints the best",
  ignore: optunaPython === null,
  async fn() {
    const parsed = parseStudySpec({
      name: "roundtrip",
      trials: 3,
      sampler: { seed: 1 },
      base: {
        device: "cpu",
        epochs: 2,
        data: {
          dataset: "synthetic-binary",
          normalize: null,
          split: { train: 0.7, dev: 0.1, test: 0.2 },
        },
        earlyStopping: { patience: 1 },
      },
      space: {
        "optimizer.type": {
          type: "categorical",
          choices: ["sgd", "adam"],
          when: { sgd: { "optimizer.momentum": { type: "float", low: 0, high: 0.9 } } },
        },
        "model.layers": {
          type: "layers",
          low: 1,
          high: 2,
          layer: { units: { type: "int", low: 4, high: 16, log: true }, batchNorm: true },
        },
      },
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const script = optunaScript({ id: 1, name: "roundtrip", spec: parsed.spec });
    const dir = await Deno.makeTempDir({ prefix: "ajuste-optuna-" });
    try {
      await Deno.writeTextFile(`${dir}/study.py`, script);
      const result = await runPython(optunaPython!, ["study.py", "--no-plots"], { cwd: dir });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr.match(/Trial \d+ finished/g)?.length, 3, result.stderr);
      assert.match(result.stdout, /^Best trial #\d: devAccuracy [0-9.]+$/m);
      assert.match(result.stdout, /^ {4}model\.layers\.length = [12]$/m);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
