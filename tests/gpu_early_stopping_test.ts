/**
 * Early stopping on the GPU against the CPU reference, through `train()`: the same stopping and
 * best epochs, and the best epoch's weights (kept by device-side copies, engine/webgpu/
 * kept_weights.ts) within gpu_session_test.ts's tolerances: parameters and batch-norm buffers
 * within 1e-4·|cpu| + 2e-5. Run with epochs queued before the last one's readback
 * (pipelineEpochs, as on hardware adapters) and without.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Backend, NamedTensor } from "../engine/backend.ts";
import { CpuBackend } from "../engine/cpu/session.ts";
import type { RunConfig } from "../engine/spec.ts";
import { type RunResult, train } from "../engine/train.ts";
import { WebGpuBackend } from "../engine/webgpu/backend.ts";
import { WebGpuSession } from "../engine/webgpu/session.ts";
import { adapter, assertStateClose, toleranceRatio } from "./gpu_fixtures.ts";
import { gpuTestOptions } from "./gpu_options.ts";

/** Random labels (synthetic-binary): the dev loss soon rises as the model memorises. */
const config: RunConfig = {
  name: "gpu-early-stopping",
  seed: 5,
  data: {
    dataset: "synthetic-binary",
    normalize: null,
    split: { train: 0.6, dev: 0.2, test: 0.2 },
  },
  model: {
    init: "default",
    layers: [{ units: 32, activation: "relu", batchNorm: true, dropout: 0 }],
  },
  loss: "cross_entropy",
  // SGD, as gpu_session_test.ts with batch norm: the bias before it has a zero gradient up to
  // rounding, which Adam would scale up to full steps.
  optimizer: {
    type: "sgd",
    lr: 0.5,
    momentum: 0.9,
    dampening: 0,
    weightDecay: 0,
    nesterov: false,
  },
  regularization: { l1: 0, l2: 0 },
  batch: { mode: "minibatch", size: 32, shuffle: true },
  epochs: 30,
  device: "cpu",
  earlyStopping: { metric: "devLoss", mode: "min", patience: 2, minDelta: 0, restoreBest: true },
};

const roots = { mnist: "unused" };

async function run(backend: Backend, runConfig: RunConfig) {
  let state: NamedTensor[] = [];
  const result: RunResult = await train(runConfig, {
    roots,
    backend,
    onFinish: async (session) => {
      state = await session.getState();
    },
  });
  return { result, state };
}

Deno.test({
  name: "train() on the GPU stops at the CPU's epoch and keeps the CPU's best weights",
  ignore: !adapter,
  async fn(t) {
    const gpu = await WebGpuBackend.create(gpuTestOptions());
    try {
      for (const restoreBest of [true, false]) {
        const runConfig = { ...config, earlyStopping: { ...config.earlyStopping!, restoreBest } };
        const cpu = await run(new CpuBackend(), runConfig);
        assert.ok(cpu.result.earlyStop?.stoppedEpoch, "this run should stop early on the CPU");
        for (const pipelineEpochs of [false, true]) {
          await t.step(`restoreBest ${restoreBest}, pipelineEpochs ${pipelineEpochs}`, async () => {
            const backend: Backend = {
              kind: "webgpu",
              description: gpu.description,
              createSession: (c, data) =>
                WebGpuSession.create(gpu.context, c, data, { pipelineEpochs }),
            };
            const { result, state } = await run(backend, runConfig);
            assert.deepEqual(result.earlyStop, cpu.result.earlyStop);
            assertStateClose(state, cpu.state, 1e-4, 2e-5);
            const ratio = toleranceRatio([result.test!.loss], [cpu.result.test!.loss], 1e-4, 1e-7);
            assert.ok(
              ratio <= 1,
              `test loss: GPU ${result.test!.loss}, CPU ${cpu.result.test!.loss}`,
            );
          });
        }
      }
    } finally {
      gpu.destroy();
    }
  },
});
