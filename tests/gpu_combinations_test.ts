/**
 * WebGpuSession against the CPU reference on random combinations of options (seeded, so the
 * same ones every run): depth, widths, activations, dropout, batch norm, init, loss, optimizer and
 * its options, L2, batch mode and size, class count, input type. gpu_session_test.ts covers each
 * option alone; this catches the paths where options meet (batch norm under a loss, dropout
 * between layers of different activations, decoupled decay with an L2 penalty, …).
 *
 * Left out, because f32 rounding legitimately decides them: an L1 penalty under many steps
 * (sign(w) flips for weights within a step of zero) and batch norm under an adaptive optimizer
 * (the bias before a batch norm has a zero gradient up to rounding, which Adam and RMSprop
 * rescale to full steps). Same tolerances as gpu_session_test.ts.
 *
 * @module
 */

import assert from "node:assert/strict";
import { CpuBackend } from "../engine/cpu/session.ts";
import { Rng } from "../engine/random.ts";
import {
  ACTIVATIONS,
  INIT_SCHEMES,
  type LayerSpec,
  LOSSES,
  type OptimizerSpec,
  type RunConfig,
} from "../engine/spec.ts";
import { WebGpuBackend } from "../engine/webgpu/backend.ts";
import { adapter, assertStateClose, tinyConfig, tinyData, toleranceRatio } from "./gpu_fixtures.ts";
import { gpuTestOptions } from "./gpu_options.ts";

/**
 * Four chosen for spread (adaptive and plain optimizers, batch norm under bce, stochastic
 * batches, a centered RMSprop with momentum) and kept few: on lavapipe each compiles its own
 * kernels, ~10 s cold. `AJUSTE_COMBINATIONS=N` checks seeds 1..N instead. N = 100 on
 * 2026-11-27: 99 pass; #95 (three layers of 33 with dropout, RMSprop with momentum, 128
 * stochastic steps) ends 2.2× over the state tolerance, its drift growing smoothly from 0.01×
 * after 6 steps (f32 against f64 rounding in a noisy trajectory; the same config with a full
 * batch stays at 0.00× over 6 steps).
 */
const SEEDS = Deno.env.get("AJUSTE_COMBINATIONS")
  ? Array.from({ length: Number(Deno.env.get("AJUSTE_COMBINATIONS")) }, (_, i) => i + 1)
  : [3, 8, 11, 12];

function combination(seed: number) {
  const rng = new Rng(seed);
  const pick = <T>(choices: readonly T[]): T => choices[Math.floor(rng.uniform() * choices.length)];
  const type = pick(["sgd", "rmsprop", "adam", "adamw"] as const);
  const adaptive = type !== "sgd";
  const layers: LayerSpec[] = Array.from({ length: pick([0, 1, 2, 3]) }, () => ({
    units: pick([3, 7, 16, 33]),
    activation: pick(ACTIVATIONS),
    batchNorm: !adaptive && rng.uniform() < 0.4,
    dropout: pick([0, 0, 0.1, 0.5]),
  }));
  const weightDecay = pick([0, 0, 1e-3, 0.1]);
  const momentum = pick([0, 0.9]);
  const optimizer: OptimizerSpec = type === "sgd"
    ? {
      type,
      lr: 0.05,
      momentum,
      dampening: momentum > 0 && rng.uniform() < 0.5 ? 0.3 : 0,
      weightDecay,
      nesterov: false,
    }
    : type === "rmsprop"
    ? {
      type,
      lr: 0.003,
      alpha: pick([0.99, 0.9]),
      eps: pick([1e-8, 1e-3]),
      weightDecay,
      momentum,
      centered: rng.uniform() < 0.5,
    }
    : {
      type,
      lr: 0.005,
      betas: [pick([0.9, 0.5]), pick([0.999, 0.9])],
      eps: pick([1e-8, 1e-4]),
      weightDecay,
      amsgrad: rng.uniform() < 0.5,
    };
  if (optimizer.type === "sgd" && optimizer.momentum > 0 && optimizer.dampening === 0) {
    optimizer.nesterov = rng.uniform() < 0.5;
  }
  const batchNorm = layers.some((layer) => layer.batchNorm);
  const config: RunConfig = tinyConfig({
    seed,
    model: { init: pick(INIT_SCHEMES), layers },
    loss: pick(LOSSES),
    optimizer,
    regularization: { l1: 0, l2: pick([0, 0, 1e-3, 1e-2]) },
    batch: {
      mode: batchNorm
        ? pick(["minibatch", "full"] as const)
        : pick(["minibatch", "full", "stochastic"] as const),
      size: pick([5, 16, 30]),
      shuffle: rng.uniform() < 0.8,
    },
  });
  // Row counts leave no single-row batch for batch norm at these sizes.
  const data = tinyData({
    classes: pick([2, 3, 4]),
    train: pick([64, 70]),
    f32: rng.uniform() < 0.3,
  });
  return { config, data };
}

function describe(config: RunConfig): string {
  const layers = config.model.layers.map((layer) =>
    `${layer.units} ${layer.activation}${layer.batchNorm ? " bn" : ""}` +
    (layer.dropout ? ` dropout ${layer.dropout}` : "")
  );
  return `[${layers.join(", ")}] ${config.model.init}, ${config.loss}, ` +
    `${JSON.stringify(config.optimizer)}, l2 ${config.regularization.l2}, ` +
    `${config.batch.mode} ${config.batch.size}`;
}

Deno.test({
  name: "WebGpuSession trains like the CPU reference on random combinations of options",
  ignore: !adapter,
  async fn(t) {
    const backend = await WebGpuBackend.create(gpuTestOptions());
    const cpu = new CpuBackend();
    try {
      for (const seed of SEEDS) {
        const { config, data } = combination(seed);
        await t.step(`#${seed}: ${describe(config)}`, async () => {
          const gpu = await backend.createSession(config, data);
          const reference = await cpu.createSession(config, data);
          try {
            for (let epoch = 0; epoch < 2; epoch++) {
              const options = { evaluate: ["dev"] as const };
              const [g, c] = [
                await gpu.trainEpoch(epoch, options),
                await reference.trainEpoch(epoch, options),
              ];
              assert.equal(g.nonFiniteStep, c.nonFiniteStep, `epoch ${epoch} divergence`);
              for (
                const [what, a, b] of [
                  ["loss", g.loss, c.loss],
                  ["dev loss", g.evaluations!.dev!.loss, c.evaluations!.dev!.loss],
                ] as const
              ) {
                const ratio = toleranceRatio([a], [b], 1e-4, 1e-7);
                assert.ok(ratio <= 1, `epoch ${epoch} ${what}: GPU ${a}, CPU ${b}`);
              }
            }
            assertStateClose(await gpu.getState(), await reference.getState(), 1e-4, 2e-5);
            const rows = Uint32Array.from({ length: data.test.count }, (_, i) => i);
            const ratio = toleranceRatio(
              await gpu.predict("test", rows),
              await reference.predict("test", rows),
              1e-4,
              2e-5,
            );
            assert.ok(ratio <= 1, `predictions off by ${ratio.toFixed(2)}× the tolerance`);
          } finally {
            gpu.dispose();
          }
        });
      }
    } finally {
      backend.destroy();
    }
  },
});
