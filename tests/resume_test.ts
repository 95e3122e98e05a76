/**
 * Checkpoints and resume through `train()`: a run stopped after any epoch and resumed from its
 * checkpoint (encoded to bytes and decoded, as the database stores it) ends bit for bit as the
 * same run uninterrupted — weights, batch-norm statistics, every epoch's metrics and lr, test
 * metrics, early stopping's verdict — on the CPU reference and on the GPU (gated on an adapter,
 * with epochs queued ahead as on hardware and without), from epoch ends and from inside epochs
 * (a long epoch is split into parts with a checkpoint after each; split or not, a run ends the
 * same). The configs span what a checkpoint must
 * carry: each optimizer's moments and step count, SGD's first-momentum-step rule, Adam's bias
 * corrections, every kind of schedule state (chainable, per-batch OneCycle with cycled momentum,
 * ReduceLROnPlateau's best/bad epochs/cooldown), early stopping's count and best weights, batch
 * norm's running statistics and dropout's step-keyed masks.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Backend, NamedTensor, TrainingSession } from "../engine/backend.ts";
import { decodeCheckpoint, encodeCheckpoint } from "../engine/checkpoint.ts";
import { CpuBackend } from "../engine/cpu/session.ts";
import type { RunConfig } from "../engine/spec.ts";
import { type EpochRecord, type RunResult, train } from "../engine/train.ts";
import { WebGpuBackend } from "../engine/webgpu/backend.ts";
import { WebGpuSession } from "../engine/webgpu/session.ts";
import { adapter } from "./gpu_fixtures.ts";
import { gpuTestOptions } from "./gpu_options.ts";

const roots = { mnist: "unused" };

const base: RunConfig = {
  name: "resume",
  seed: 11,
  data: {
    dataset: "synthetic-binary",
    normalize: null,
    split: { train: 0.6, dev: 0.2, test: 0.2 },
  },
  model: {
    init: "kaiming_uniform",
    layers: [
      { units: 24, activation: "relu", batchNorm: true, dropout: 0.2 },
      { units: 16, activation: "tanh", batchNorm: false, dropout: 0.1 },
    ],
  },
  loss: "cross_entropy",
  optimizer: {
    type: "adam",
    lr: 0.01,
    betas: [0.9, 0.999],
    eps: 1e-8,
    weightDecay: 0,
    amsgrad: false,
  },
  regularization: { l1: 0, l2: 0 },
  batch: { mode: "minibatch", size: 32, shuffle: true },
  epochs: 6,
  device: "cpu",
};

/** Each carries a different part of the training state across the break. */
const CASES: Record<string, Partial<RunConfig>> = {
  "adam, plateau schedule, early stopping with best weights": {
    scheduler: {
      type: "reduce_on_plateau",
      metric: "devLoss",
      mode: "min",
      factor: 0.5,
      patience: 0,
      threshold: 1e-4,
      thresholdMode: "rel",
      cooldown: 1,
      minLr: 0,
      eps: 1e-8,
    },
    earlyStopping: { metric: "devLoss", mode: "min", patience: 3, minDelta: 0, restoreBest: true },
    regularization: { l1: 1e-4, l2: 1e-3 },
  },
  "sgd with nesterov momentum, step schedule, clipping": {
    optimizer: {
      type: "sgd",
      lr: 0.05,
      momentum: 0.9,
      dampening: 0,
      weightDecay: 1e-4,
      nesterov: true,
    },
    scheduler: { type: "step", stepSize: 2, gamma: 0.5 },
    gradientClipping: { type: "norm", maxNorm: 0.5, normType: 2 },
  },
  "sgd without momentum, OneCycle cycling it from 0": {
    optimizer: {
      type: "sgd",
      lr: 0.05,
      momentum: 0,
      dampening: 0,
      weightDecay: 0,
      nesterov: false,
    },
    scheduler: {
      type: "one_cycle",
      maxLr: 0.1,
      pctStart: 0.3,
      annealStrategy: "cos",
      cycleMomentum: true,
      baseMomentum: 0.85,
      maxMomentum: 0.95,
      divFactor: 25,
      finalDivFactor: 1e4,
      threePhase: false,
    },
  },
  "rmsprop centered with momentum, cosine schedule": {
    optimizer: {
      type: "rmsprop",
      lr: 0.005,
      alpha: 0.99,
      eps: 1e-8,
      weightDecay: 0,
      momentum: 0.5,
      centered: true,
    },
    scheduler: { type: "cosine_annealing", tMax: 4, etaMin: 0.0001 },
  },
  "adamw amsgrad, linear warm-up, early stopping on accuracy without best weights": {
    optimizer: {
      type: "adamw",
      lr: 0.01,
      betas: [0.9, 0.99],
      eps: 1e-8,
      weightDecay: 0.01,
      amsgrad: true,
    },
    scheduler: { type: "linear", startFactor: 0.25, endFactor: 1, totalIters: 3 },
    earlyStopping: {
      metric: "devAccuracy",
      mode: "max",
      patience: 4,
      minDelta: 0,
      restoreBest: false,
    },
  },
};

/** The cases also split inside epochs on the GPU (all are on the CPU). */
const SPLIT_ON_GPU = new Set([
  "adam, plateau schedule, early stopping with best weights",
  "sgd without momentum, OneCycle cycling it from 0",
]);

interface Outcome {
  result: RunResult;
  state: NamedTensor[];
  /** Encoded checkpoints by where they were saved: "3" after epoch 3, "3+7" 7 steps into 4. */
  saved: Map<string, Uint8Array>;
}

async function run(
  backend: Backend,
  config: RunConfig,
  resume?: { bytes: Uint8Array; epochs: EpochRecord[] },
  everySteps?: number,
): Promise<Outcome> {
  let state: NamedTensor[] = [];
  const saved = new Map<string, Uint8Array>();
  const result = await train(config, {
    roots,
    backend,
    checkpoints: {
      everySeconds: 0,
      everySteps,
      save: (checkpoint) => {
        const inside = checkpoint.session.position;
        const at = inside ? `${checkpoint.epoch}+${inside.step}` : `${checkpoint.epoch}`;
        saved.set(at, encodeCheckpoint(checkpoint));
      },
    },
    resume: resume && { checkpoint: decodeCheckpoint(resume.bytes), epochs: resume.epochs },
    onFinish: async (session) => {
      state = await session.getState();
    },
  });
  return { result, state, saved };
}

/** Epoch records without their wall times, which no two runs share. */
function untimed(epochs: EpochRecord[]) {
  return epochs.map(({ seconds: _seconds, ...rest }) => rest);
}

function assertSameBits(actual: NamedTensor[], expected: NamedTensor[], what: string): void {
  assert.deepEqual(actual.map((t) => t.name), expected.map((t) => t.name));
  expected.forEach((tensor, i) => {
    const a = new Uint32Array(actual[i].data.buffer, actual[i].data.byteOffset, tensor.data.length);
    const e = new Uint32Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.length);
    const at = e.findIndex((bits, j) => bits !== a[j]);
    assert.equal(
      at,
      -1,
      `${what}: ${tensor.name}[${at}] is ${actual[i].data[at]}, uninterrupted ${tensor.data[at]}`,
    );
  });
}

/** Checks that `actual` ended exactly as `expected`. */
function assertSameRun(actual: Outcome, expected: Outcome, what: string): void {
  assert.deepEqual(untimed(actual.result.epochs), untimed(expected.result.epochs), what);
  assert.deepEqual(actual.result.test, expected.result.test, what);
  assert.deepEqual(actual.result.earlyStop, expected.result.earlyStop, what);
  assertSameBits(actual.state, expected.state, what);
}

/**
 * Resumes `config` from each checkpoint named in `breaks` ("2": after epoch 2; "2+5": 5 steps
 * into epoch 3, saved by a run split into parts of `everySteps`) and checks it ends as the run
 * never stopped did.
 */
async function assertResumesExactly(
  backend: Backend,
  config: RunConfig,
  breaks: string[],
  everySteps?: number,
): Promise<void> {
  const whole = await run(backend, config);
  assert.equal(whole.result.status, "completed");
  const split = everySteps ? await run(backend, config, undefined, everySteps) : whole;
  if (everySteps) assertSameRun(split, whole, `split into parts of ${everySteps} steps`);
  const trained = whole.result.epochs.length;
  for (const at of breaks.filter((k) => Number.parseInt(k) < trained)) {
    const bytes = split.saved.get(at);
    assert.ok(bytes, `a checkpoint at ${at} (saved: ${[...split.saved.keys()]})`);
    const epoch = Number.parseInt(at);
    const resumed = await run(backend, config, {
      bytes,
      epochs: whole.result.epochs.slice(0, epoch),
    });
    assertSameRun(resumed, whole, `resumed at ${at}`);
  }
}

/** The CPU backend, its sessions saying they queue epochs ahead when `queues` is set. */
function cpuBackend(queues: boolean): Backend {
  const cpu = new CpuBackend();
  return {
    kind: cpu.kind,
    description: cpu.description,
    async createSession(config, data) {
      const session = await cpu.createSession(config, data);
      return new Proxy(session, {
        get(target, key) {
          if (key === "queuesEpochs") return queues;
          const value = Reflect.get(target, key);
          return typeof value === "function" ? value.bind(target) : value;
        },
      }) as TrainingSession;
    },
  };
}

Deno.test("a run resumed from its checkpoint on the CPU ends bit for bit as uninterrupted", async (t) => {
  for (const [name, overrides] of Object.entries(CASES)) {
    await t.step(name, async () => {
      const config = { ...base, ...overrides };
      await assertResumesExactly(cpuBackend(false), config, ["1", "3", "5"]);
      await assertResumesExactly(cpuBackend(true), config, ["2"]);
      // Inside an epoch (15 steps each): after 7 and 14 steps of the third, 7 of the first.
      await assertResumesExactly(cpuBackend(false), config, ["0+7", "2+7", "2+14"], 7);
    });
  }
});

Deno.test({
  name: "a run resumed from its checkpoint on the GPU ends bit for bit as uninterrupted",
  ignore: !adapter,
  async fn(t) {
    const gpu = await WebGpuBackend.create(gpuTestOptions());
    try {
      for (const pipelineEpochs of [false, true]) {
        const backend: Backend = {
          kind: "webgpu",
          description: gpu.description,
          createSession: (c, data) =>
            WebGpuSession.create(gpu.context, c, data, { pipelineEpochs }),
        };
        for (const [name, overrides] of Object.entries(CASES)) {
          await t.step(`${name}, pipelineEpochs ${pipelineEpochs}`, async () => {
            const config = { ...base, ...overrides };
            await assertResumesExactly(backend, config, ["2", "4"]);
            // Inside an epoch (train() queues no epoch ahead of a split one): where a per-batch
            // schedule (OneCycle) and the epoch's device-side sums matter most.
            if (!pipelineEpochs && SPLIT_ON_GPU.has(name)) {
              await assertResumesExactly(backend, config, ["0+7", "3+14"], 7);
            }
          });
        }
      }
    } finally {
      gpu.destroy();
    }
  },
});

Deno.test("a checkpoint saved on the CPU resumes on the GPU", {
  ignore: !adapter,
}, async () => {
  const config = { ...base, ...CASES["sgd with nesterov momentum, step schedule, clipping"] };
  const cpu = await run(cpuBackend(false), config);
  const gpu = await WebGpuBackend.create(gpuTestOptions());
  try {
    const resumed = await run(gpu, config, {
      bytes: cpu.saved.get("3")!,
      epochs: cpu.result.epochs.slice(0, 3),
    });
    assert.equal(resumed.result.status, "completed");
    assert.equal(resumed.result.epochs.length, config.epochs);
    // Not bit for bit (the GPU sums in another order), but the same run: the test loss agrees.
    const [a, b] = [resumed.result.test!.loss, cpu.result.test!.loss];
    assert.ok(Math.abs(a - b) <= 1e-3 * Math.abs(b) + 1e-4, `GPU ${a}, CPU ${b}`);
  } finally {
    gpu.destroy();
  }
});
