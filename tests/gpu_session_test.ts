/**
 * WebGpuSession against the CPU reference (CpuSession) on a tiny dataset (64–70 rows × 12
 * features, 3 classes, hidden 16/8, batch 16): same initial state for every init scheme, then
 * two epochs of training for every optimizer and option, activation, loss, batch norm,
 * dropout, penalty, batch mode and input type, comparing each epoch's loss and accuracy, the
 * final parameters and buffers, evaluation and predictions.
 *
 * Tolerance: parameters within 1e-4·|cpu| + 2e-5 after 8–10 steps; losses within 1e-4
 * relative; accuracies within one example. The GPU computes in f32 and the CPU in f64, so each
 * step differs by f32 rounding and the optimizers carry it forward. Batch norm is tested with
 * SGD: after batch norm a Linear bias has a zero gradient up to rounding noise, which Adam
 * rescales to full-size steps in either backend, differently.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { TrainingSession } from "../engine/backend.ts";
import { CpuBackend } from "../engine/cpu/session.ts";
import type { PreparedData } from "../engine/data/dataset.ts";
import type { LayerSpec, OptimizerSpec, RunConfig } from "../engine/spec.ts";
import { INIT_SCHEMES } from "../engine/spec.ts";
import { WebGpuBackend } from "../engine/webgpu/backend.ts";
import {
  adapter,
  assertStateClose,
  layers,
  tinyConfig,
  tinyData,
  toleranceRatio,
} from "./gpu_fixtures.ts";
import { gpuTestOptions } from "./gpu_options.ts";

const STATE_RTOL = 1e-4;
const STATE_ATOL = 2e-5;
const LOSS_RTOL = 1e-4;

const cpu = new CpuBackend();

async function sessions(backend: WebGpuBackend, config: RunConfig, data: PreparedData) {
  return {
    gpu: await backend.createSession(config, data),
    cpu: await cpu.createSession(config, data),
  };
}

function assertNear(actual: number, expected: number, rtol: number, what: string): void {
  const ratio = toleranceRatio([actual], [expected], rtol, 1e-7);
  assert.ok(ratio <= 1, `${what}: GPU ${actual}, CPU ${expected}`);
}

/** Trains both for `epochs`, comparing every epoch, the final state, evaluation and outputs. */
async function assertTrainsLikeCpu(
  backend: WebGpuBackend,
  config: RunConfig,
  data: PreparedData = tinyData(),
  epochs = 2,
): Promise<void> {
  const { gpu, cpu } = await sessions(backend, config, data);
  try {
    assertStateClose(await gpu.getState(), await cpu.getState(), 0, 0);
    for (let epoch = 0; epoch < epochs; epoch++) {
      const [g, c] = [await gpu.trainEpoch(epoch), await cpu.trainEpoch(epoch)];
      assert.equal(g.steps, c.steps);
      assertNear(g.loss, c.loss, LOSS_RTOL, `epoch ${epoch} loss`);
      assert.ok(
        Math.abs(g.accuracy - c.accuracy) <= 1 / data.train.count + 1e-12,
        `epoch ${epoch} accuracy`,
      );
    }
    assertStateClose(await gpu.getState(), await cpu.getState(), STATE_RTOL, STATE_ATOL);
    await assertEvaluatesLikeCpu(gpu, cpu, data);
  } finally {
    gpu.dispose();
  }
}

async function assertEvaluatesLikeCpu(
  gpu: TrainingSession,
  cpu: TrainingSession,
  data: PreparedData,
) {
  const [g, c] = [await gpu.evaluate("dev"), await cpu.evaluate("dev")];
  assert.equal(g.count, c.count);
  assertNear(g.loss, c.loss, LOSS_RTOL, "dev loss");
  const mismatched = g.confusion.reduce((sum, v, i) => sum + Math.abs(v - c.confusion[i]), 0);
  assert.ok(mismatched <= 2, `dev confusion matrices differ by ${mismatched / 2} examples`);
  const rows = Uint32Array.from({ length: data.test.count }, (_, i) => (i * 7) % data.test.count);
  const ratio = toleranceRatio(
    await gpu.predict("test", rows),
    await cpu.predict("test", rows),
    1e-4,
    2e-5,
  );
  assert.ok(ratio <= 1, `predictions off by ${ratio.toFixed(2)}× the tolerance`);
}

const SGD: OptimizerSpec = {
  type: "sgd",
  lr: 0.1,
  momentum: 0,
  dampening: 0,
  weightDecay: 0,
  nesterov: false,
};
const RMSPROP: OptimizerSpec = {
  type: "rmsprop",
  lr: 0.003,
  alpha: 0.99,
  eps: 1e-8,
  weightDecay: 0,
  momentum: 0,
  centered: false,
};
const ADAM: OptimizerSpec = {
  type: "adam",
  lr: 0.01,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0,
  amsgrad: false,
};

Deno.test({
  name: "WebGpuSession trains like the CPU reference for every option",
  ignore: !adapter,
  async fn(t) {
    const backend = await WebGpuBackend.create(gpuTestOptions());
    const run = (config: Partial<RunConfig>, data?: PreparedData, epochs?: number) =>
      assertTrainsLikeCpu(backend, tinyConfig(config), data, epochs);
    const model = (options: Parameters<typeof layers>[0]) => ({
      init: "default" as const,
      layers: layers(options),
    });
    try {
      await t.step("initial state equals the CPU's for every init scheme", async () => {
        for (const init of INIT_SCHEMES) {
          const config = tinyConfig({ model: { init, layers: layers({}) } });
          const { gpu, cpu } = await sessions(backend, config, tinyData());
          assertStateClose(await gpu.getState(), await cpu.getState(), 0, 0);
          gpu.dispose();
        }
      });
      await t.step(
        "adam with dropout 0.2 and a short last batch (70 rows)",
        () => run({ model: model({ dropout: 0.2 }) }, tinyData({ train: 70 })),
      );
      await t.step("adam with weight decay and amsgrad, L1 and L2 penalties", () =>
        run({
          optimizer: { ...ADAM, weightDecay: 0.01, amsgrad: true, betas: [0.8, 0.99] },
          regularization: { l1: 1e-4, l2: 1e-3 },
        }));
      await t.step(
        "adamw",
        () => run({ optimizer: { ...ADAM, type: "adamw", weightDecay: 0.05 } }),
      );
      await t.step("sgd, plain and with momentum, dampening and weight decay", async () => {
        await run({ optimizer: SGD });
        await run({ optimizer: { ...SGD, momentum: 0.9, dampening: 0.2, weightDecay: 1e-3 } });
      });
      await t.step(
        "sgd with nesterov momentum",
        () => run({ optimizer: { ...SGD, momentum: 0.9, nesterov: true } }),
      );
      await t.step("rmsprop, plain and centered with momentum and weight decay", async () => {
        await run({ optimizer: RMSPROP });
        await run({ optimizer: { ...RMSPROP, centered: true, momentum: 0.5, weightDecay: 1e-3 } });
      });
      await t.step("sigmoid, tanh, leaky_relu, gelu and none activations", async () => {
        const pairs = [["sigmoid", "tanh"], ["leaky_relu", "gelu"], ["none", "relu"]] as const;
        for (const [first, second] of pairs) {
          const hidden = layers({ dropout: 0.1 });
          hidden[0] = { ...hidden[0], activation: first };
          hidden[1] = { ...hidden[1], activation: second };
          await run({ model: { init: "default", layers: hidden }, optimizer: SGD });
        }
      });
      await t.step("batch norm with dropout, running statistics in evaluation", () =>
        run({
          model: model({ batchNorm: true, dropout: 0.1 }),
          optimizer: { ...SGD, momentum: 0.9 },
        }));
      await t.step("mse, bce_with_logits and bce losses (one output for two classes)", async () => {
        await run({ loss: "mse", optimizer: SGD });
        await run({ loss: "bce_with_logits" });
        await run({ loss: "bce_with_logits" }, tinyData({ classes: 2 }));
        await run({ loss: "bce", optimizer: SGD }, tinyData({ classes: 2 }));
      });
      await t.step("full-batch and unshuffled minibatches, f32 inputs", async () => {
        await run({ batch: { mode: "full", size: 16, shuffle: true }, optimizer: SGD });
        await run(
          { batch: { mode: "minibatch", size: 16, shuffle: false } },
          tinyData({ f32: true }),
        );
      });
      await t.step("stochastic batches of one example", () =>
        run(
          {
            batch: { mode: "stochastic", size: 1, shuffle: true },
            optimizer: { ...SGD, lr: 0.01 },
          },
          tinyData({ train: 24 }),
          1,
        ));
      await t.step(
        "no hidden layers (multinomial logistic regression)",
        () => run({ model: { init: "xavier_uniform", layers: [] } }),
      );
    } finally {
      backend.destroy();
    }
  },
});

Deno.test({
  name:
    "WebGpuSession on a GPU's kernels (tiled, depth split 3 ways) trains like the CPU reference",
  ignore: !adapter,
  async fn(t) {
    // What a hardware adapter runs, whatever this one is: matmul_tile with split-K products,
    // their reduce dispatches, and the shared scratch across train and evaluation kernels.
    const backend = await WebGpuBackend.create({ matmul: "tile", splitK: 3 });
    // 40 and 36 units and batches of 40 (then 30): products 3 slabs deep (TILE_K 16), so every
    // share holds work, and 2 deep in the short batch, so one share is empty.
    const wide = (options: Partial<LayerSpec>) =>
      layers(options).map((layer, l) => ({ ...layer, units: l === 0 ? 40 : 36 }));
    const batch = { mode: "minibatch" as const, size: 40, shuffle: true };
    try {
      // Batch norm only under SGD: a bias before batch norm has a zero gradient up to rounding,
      // which Adam scales into full steps (see tests/gpu_combinations_test.ts).
      await t.step("adam with dropout 0.2 and a short last batch", () =>
        assertTrainsLikeCpu(
          backend,
          tinyConfig({ model: { init: "default", layers: wide({ dropout: 0.2 }) }, batch }),
          tinyData({ train: 70 }),
        ));
      await t.step("sgd with momentum, batch norm and dropout", () =>
        assertTrainsLikeCpu(
          backend,
          tinyConfig({
            model: { init: "default", layers: wide({ batchNorm: true, dropout: 0.1 }) },
            optimizer: { ...SGD, momentum: 0.9 },
            batch,
          }),
          tinyData({ train: 70 }),
        ));
      await t.step("sgd with momentum, gelu then tanh, no dropout", () => {
        const hidden = wide({});
        hidden[0] = { ...hidden[0], activation: "gelu" };
        hidden[1] = { ...hidden[1], activation: "tanh" };
        return assertTrainsLikeCpu(
          backend,
          tinyConfig({
            model: { init: "default", layers: hidden },
            optimizer: { ...SGD, momentum: 0.9 },
            batch,
          }),
          tinyData({ train: 70 }),
        );
      });
    } finally {
      backend.destroy();
    }
  },
});
