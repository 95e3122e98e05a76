import assert from "node:assert/strict";
import type { Backend, NamedTensor, TrainingSession } from "./backend.ts";
import { CpuBackend } from "./cpu/session.ts";
import type { EarlyStoppingSpec, RunConfig } from "./spec.ts";
import { type RunResult, train } from "./train.ts";

/** Random labels (synthetic-binary): the dev loss soon rises as the model memorises. */
const base: RunConfig = {
  name: "early",
  seed: 5,
  data: {
    dataset: "synthetic-binary",
    normalize: null,
    split: { train: 0.6, dev: 0.2, test: 0.2 },
  },
  model: {
    init: "default",
    layers: [{ units: 32, activation: "relu", batchNorm: true, dropout: 0.1 }],
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
  epochs: 30,
  device: "cpu",
};

const stopping: EarlyStoppingSpec = {
  metric: "devLoss",
  mode: "min",
  patience: 2,
  minDelta: 0,
  restoreBest: true,
};

const roots = { mnist: "unused" };

/** The CPU backend; its sessions say they queue epochs when `queues` is set. */
function cpuBackend(queues: boolean): Backend {
  const cpu = new CpuBackend();
  return {
    kind: cpu.kind,
    description: cpu.description,
    async createSession(config: RunConfig, data: Parameters<CpuBackend["createSession"]>[1]) {
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

async function run(
  config: RunConfig,
  queues = false,
): Promise<{ result: RunResult; state: NamedTensor[] }> {
  let state: NamedTensor[] = [];
  const result = await train(config, {
    roots,
    backend: cpuBackend(queues),
    onFinish: async (session) => {
      state = await session.getState();
    },
  });
  return { result, state };
}

Deno.test("train() with earlyStopping stops after patience epochs and keeps the best epoch's weights", async () => {
  const { result, state } = await run({ ...base, earlyStopping: stopping });
  assert.equal(result.status, "completed");
  const early = result.earlyStop;
  assert.ok(early?.stoppedEpoch && early.bestEpoch, "this run should stop early");
  assert.equal(early.stoppedEpoch, early.bestEpoch + stopping.patience);
  assert.equal(result.epochs.length, early.stoppedEpoch);
  assert.equal(
    early.message,
    `Stopped early at epoch ${early.stoppedEpoch}; best epoch ${early.bestEpoch}`,
  );
  const losses = result.epochs.map((epoch) => epoch.devLoss!);
  assert.equal(Math.min(...losses), losses[early.bestEpoch - 1]);
  // The same run trained for exactly its best epoch's number of epochs: the same weights, bit for
  // bit, and the same test metrics.
  const best = await run({ ...base, epochs: early.bestEpoch });
  assert.deepEqual(state, best.state);
  assert.deepEqual(result.test, best.result.test);
  assert.deepEqual(result.predictions, best.result.predictions);
});

Deno.test("train() with earlyStopping gives the same run when the session queues epochs", async () => {
  const plain = await run({ ...base, earlyStopping: stopping });
  const queued = await run({ ...base, earlyStopping: stopping }, true);
  assert.deepEqual(queued.result.earlyStop, plain.result.earlyStop);
  assert.deepEqual(queued.state, plain.state);
  assert.deepEqual(queued.result.test, plain.result.test);
  // Without restoreBest the run keeps the weights of the epoch it stopped at, not the queued one's.
  const last = await run({ ...base, earlyStopping: { ...stopping, restoreBest: false } }, true);
  const stopped = last.result.earlyStop!.stoppedEpoch!;
  const trained = await run({ ...base, epochs: stopped });
  assert.deepEqual(last.state, trained.state);
  assert.notDeepEqual(last.state, plain.state);
});

Deno.test("train() refuses earlyStopping when the dev split is empty", async () => {
  await assert.rejects(
    run({
      ...base,
      data: { ...base.data, split: { train: 0.8, dev: 0, test: 0.2 } },
      earlyStopping: stopping,
    }),
    /earlyStopping watches devLoss, but the dev split is empty/,
  );
});
