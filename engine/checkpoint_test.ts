import assert from "node:assert/strict";
import {
  decodeCheckpoint,
  encodeCheckpoint,
  resumeConflict,
  type TrainingCheckpoint,
} from "./checkpoint.ts";
import { CpuBackend } from "./cpu/session.ts";
import { decodeSafetensors, encodeSafetensors } from "./safetensors.ts";
import type { RunConfig } from "./spec.ts";
import { train } from "./train.ts";

const config: RunConfig = {
  name: "checkpoint",
  seed: 3,
  data: {
    dataset: "synthetic-binary",
    normalize: null,
    split: { train: 0.6, dev: 0.2, test: 0.2 },
  },
  model: {
    init: "default",
    layers: [{ units: 8, activation: "relu", batchNorm: true, dropout: 0 }],
  },
  loss: "cross_entropy",
  optimizer: {
    type: "adam",
    lr: 0.01,
    betas: [0.9, 0.999],
    eps: 1e-8,
    weightDecay: 0,
    amsgrad: true,
  },
  regularization: { l1: 0, l2: 0 },
  batch: { mode: "minibatch", size: 16, shuffle: true },
  epochs: 5,
  device: "cpu",
};

const roots = { mnist: "unused" };

function sample(): TrainingCheckpoint {
  const weights = [
    { name: "hidden.0.weight", shape: [2, 2], data: Float32Array.of(1, -0, NaN, 3.5) },
    { name: "hidden.0.norm.num_batches_tracked", shape: [], data: Float32Array.of(12) },
  ];
  return {
    epoch: 2,
    config,
    session: {
      epochs: 2,
      weights,
      optimizer: {
        steps: 24,
        momentumUsed: true,
        state: { exp_avg: [Float32Array.of(0.25, -1, 2, 3)], exp_avg_sq: [new Float32Array(4)] },
      },
      scheduler: { lr: 0.005, best: Infinity, numBadEpochs: 1, cooldownCounter: 0 },
      best: weights.map((t) => ({ ...t, data: t.data.map((x) => x * 2) })),
    },
    earlyStopping: { best: -Infinity, wait: 0, bestEpoch: null },
    startLoss: 0.69,
  };
}

Deno.test("a checkpoint survives encoding: tensors to the bit, ±Infinity, counters, config", () => {
  const original = sample();
  const decoded = decodeCheckpoint(encodeCheckpoint(original));
  assert.deepEqual(decoded.config, original.config);
  assert.equal(decoded.session.scheduler.best, Infinity);
  assert.equal(decoded.earlyStopping?.best, -Infinity);
  assert.equal(Object.is(decoded.session.weights[0].data[1], -0), true);
  assert.ok(Number.isNaN(decoded.session.weights[0].data[2]));
  assert.deepEqual(
    { ...decoded, session: { ...decoded.session, weights: [] } },
    { ...original, session: { ...original.session, weights: [] } },
  );
  assert.deepEqual(decoded.session.weights.map((t) => t.name), [
    "hidden.0.weight",
    "hidden.0.norm.num_batches_tracked",
  ]);
});

Deno.test("decodeCheckpoint refuses a weights file and names a missing tensor", () => {
  assert.throws(
    () => decodeCheckpoint(encodeSafetensors(sample().session.weights)),
    /not an ajuste checkpoint/,
  );
  const { state, metadata } = decodeSafetensors(encodeCheckpoint(sample()));
  const without = state.filter((t) => t.name !== "model.hidden.0.weight");
  assert.throws(
    () => decodeCheckpoint(encodeSafetensors(without, metadata)),
    /lacks tensor "model\.hidden\.0\.weight"/,
  );
});

Deno.test("resumeConflict allows more epochs, another name or device, and names what differs", () => {
  assert.equal(
    resumeConflict(config, { ...config, epochs: 9, name: "x", device: "auto" }, 5),
    null,
  );
  assert.match(resumeConflict(config, { ...config, epochs: 4 }, 5)!, /after epoch 5.*trains 4/);
  const other = { ...config, seed: 4, batch: { ...config.batch, size: 8 } };
  assert.match(resumeConflict(config, other, 2)!, /other settings \(batch, seed\)/);
  // Key order is not a difference.
  const reordered = Object.fromEntries(Object.entries(config).reverse()) as unknown as RunConfig;
  assert.equal(resumeConflict(config, reordered, 2), null);
});

Deno.test("train() saves after the epochs its interval allows and after the last", async () => {
  let clock = 0;
  const saved: number[] = [];
  await train(config, {
    roots,
    backend: new CpuBackend(),
    // Each epoch "takes" 4 s; with a 10 s interval, epoch 4 is the first to start 10 s after
    // the start, so it saves, and so does epoch 5, the last.
    now: () => clock,
    onEpoch: () => void (clock += 4000),
    checkpoints: { everySeconds: 10, save: (c) => void saved.push(c.epoch) },
  });
  assert.deepEqual(saved, [4, 5]);
});

Deno.test("train() refuses a checkpoint of another run or with the wrong epoch records", async () => {
  const checkpoints: TrainingCheckpoint[] = [];
  const whole = await train(config, {
    roots,
    backend: new CpuBackend(),
    checkpoints: { everySeconds: 0, save: (c) => void checkpoints.push(c) },
  });
  const checkpoint = checkpoints[1];
  await assert.rejects(
    train({ ...config, seed: 9 }, {
      roots,
      backend: new CpuBackend(),
      resume: { checkpoint, epochs: whole.epochs.slice(0, 2) },
    }),
    /Cannot resume from this checkpoint: .*other settings \(seed\)/,
  );
  await assert.rejects(
    train(config, {
      roots,
      backend: new CpuBackend(),
      resume: { checkpoint, epochs: whole.epochs.slice(0, 1) },
    }),
    /checkpoint after epoch 2 with the records of epochs 1/,
  );
});

Deno.test("a checkpoint inside an epoch keeps its sums and the epoch's start weights", () => {
  const original = sample();
  const startWeights = [
    { name: "hidden.0.linear.weight", shape: [2, 2], data: Float32Array.of(0.5, -0, 1e-30, 7) },
  ];
  original.session.position = {
    backend: "cpu",
    epoch: 2,
    step: 7,
    sums: [1.5, 3, 112],
    startWeights,
  };
  const decoded = decodeCheckpoint(encodeCheckpoint(original));
  assert.deepEqual(decoded.session.position, original.session.position);
  assert.equal(Object.is(decoded.session.position!.startWeights![0].data[1], -0), true);
});
