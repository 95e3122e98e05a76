/**
 * A runaway run, as a user launches one by mistake: Adam at lr 1000 blows the weights up in its
 * first steps, and the run ends `diverged` with the epoch and the loss, not `completed`, on both
 * backends.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Backend } from "../engine/backend.ts";
import { CpuBackend } from "../engine/cpu/session.ts";
import type { RunConfig } from "../engine/spec.ts";
import { train } from "../engine/train.ts";
import { WebGpuBackend } from "../engine/webgpu/backend.ts";
import { adapter } from "./gpu_fixtures.ts";
import { gpuTestOptions } from "./gpu_options.ts";

const config: RunConfig = {
  name: "runaway",
  seed: 0,
  data: {
    dataset: "synthetic-binary",
    normalize: null,
    split: { train: 0.3, dev: 0.1, test: 0.1 },
  },
  model: {
    init: "default",
    layers: [{ units: 8, activation: "relu", batchNorm: false, dropout: 0 }],
  },
  loss: "cross_entropy",
  optimizer: {
    type: "adam",
    lr: 1000,
    betas: [0.9, 0.999],
    eps: 1e-8,
    weightDecay: 0,
    amsgrad: false,
  },
  regularization: { l1: 0, l2: 0 },
  batch: { mode: "minibatch", size: 32, shuffle: true },
  epochs: 5,
  device: "cpu",
};

async function assertDivergesInFirstEpoch(backend: Backend) {
  const result = await train(config, { roots: { mnist: "unused" }, backend });
  assert.equal(result.status, "diverged");
  assert.equal(result.test, undefined, "a diverged run has no test metrics");
  assert.equal(result.divergedAt?.epoch, 1);
  // Its start is what a zero output scores on two classes, ln 2.
  assert.match(
    result.divergedAt?.message ?? "",
    /^Train loss \d\.\d{3}e\+\d+ at epoch 1 grew past 10000× its start \(0\.6931\)$/,
  );
  // The epoch stays on the record, so its curve shows how far the loss went.
  assert.equal(result.epochs.length, 1);
  assert.ok(result.epochs[0].trainLoss > 1e4 * Math.log(2), String(result.epochs[0].trainLoss));
}

Deno.test("train() with Adam at lr 1000 ends diverged at epoch 1 with its loss, on the CPU", async () => {
  await assertDivergesInFirstEpoch(new CpuBackend());
});

Deno.test({
  name: "train() with Adam at lr 1000 ends diverged at epoch 1 with its loss, on the GPU",
  ignore: !adapter,
  async fn() {
    const backend = await WebGpuBackend.create(gpuTestOptions());
    try {
      await assertDivergesInFirstEpoch(backend);
    } finally {
      backend.destroy();
    }
  },
});
