/**
 * Per-layer statistics (engine/layer_stats.ts) of WebGpuSession against the CPU reference, two
 * epochs on the tiny dataset for each activation that counts something, batch norm, dropout,
 * L1/L2 and clipping.
 *
 * Tolerances: means, stds, norms and the update ratio within 2e-3·|cpu| + 1e-5 (the weights
 * themselves differ by f32 rounding carried through the steps, and the GPU sums in f32 where the
 * CPU sums in f64); the dead share by at most one unit (a unit whose largest pre-activation sits
 * at 0 within rounding may fall either side); the saturated share by at most 3 probe values and
 * the histogram by at most 4 counts in all (values within rounding of a threshold or a bin edge).
 *
 * @module
 */

import assert from "node:assert/strict";
import { CpuBackend } from "../engine/cpu/session.ts";
import type { PreparedData } from "../engine/data/dataset.ts";
import type { LayerStats } from "../engine/layer_stats.ts";
import type { RunConfig } from "../engine/spec.ts";
import { WebGpuBackend } from "../engine/webgpu/backend.ts";
import { adapter, layers, tinyConfig, tinyData } from "./gpu_fixtures.ts";
import { gpuTestOptions } from "./gpu_options.ts";

const RTOL = 2e-3;
const ATOL = 1e-5;

const SGD: RunConfig["optimizer"] = {
  type: "sgd",
  lr: 0.05,
  momentum: 0.9,
  dampening: 0,
  weightDecay: 0,
  nesterov: false,
};

/** Adam with `lr`: large ones saturate sigmoid and tanh and leave ReLU units dead. */
function adam(lr: number): RunConfig["optimizer"] {
  return { type: "adam", lr, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false };
}

const CASES: Record<string, Partial<RunConfig>> = {
  "relu with batch norm (SGD)": {
    model: { init: "kaiming_uniform", layers: layers({ batchNorm: true }) },
    optimizer: SGD,
  },
  "tanh, saturating": {
    model: { init: "xavier_normal", layers: layers({ activation: "tanh" }) },
    optimizer: adam(0.2),
  },
  "sigmoid, saturating": {
    model: { init: "kaiming_normal", layers: layers({ activation: "sigmoid" }) },
    optimizer: adam(0.3),
  },
  "leaky_relu with dropout, a unit dead": {
    model: { init: "default", layers: layers({ activation: "leaky_relu", dropout: 0.3 }) },
    optimizer: adam(0.2),
  },
  "gelu with L1 and L2": {
    model: { init: "lecun_uniform", layers: layers({ activation: "gelu" }) },
    regularization: { l1: 1e-3, l2: 1e-2 },
  },
  "wide layers, summed over several workgroups each": {
    model: {
      init: "default",
      layers: [
        { units: 520, activation: "relu", batchNorm: false, dropout: 0 },
        { units: 9, activation: "tanh", batchNorm: false, dropout: 0 },
      ],
    },
  },
  "relu with clipping by norm and L2": {
    gradientClipping: { type: "norm", maxNorm: 0.05, normType: 2 },
    regularization: { l1: 0, l2: 1e-2 },
  },
};

function near(actual: number | null, expected: number | null, what: string): void {
  if (expected === null || actual === null) {
    assert.equal(actual, expected, what);
    return;
  }
  assert.ok(
    Math.abs(actual - expected) <= ATOL + RTOL * Math.abs(expected),
    `${what}: GPU ${actual}, CPU ${expected}`,
  );
}

function assertStatsClose(
  gpu: LayerStats,
  cpu: LayerStats,
  units: number,
  rows: number,
  what: string,
) {
  for (
    const key of [
      "preActivationMean",
      "preActivationStd",
      "activationMean",
      "activationStd",
      "weightNorm",
      "gradientNorm",
      "updateRatio",
    ] as const
  ) {
    near(gpu[key], cpu[key], `${what} ${key}`);
  }
  assert.equal(gpu.deadShare === null, cpu.deadShare === null, `${what} deadShare`);
  if (cpu.deadShare !== null) {
    assert.ok(Math.abs(gpu.deadShare! - cpu.deadShare) * units <= 1 + 1e-9, `${what} dead units`);
  }
  assert.equal(gpu.saturatedShare === null, cpu.saturatedShare === null, `${what} saturated`);
  if (cpu.saturatedShare !== null) {
    const apart = Math.abs(gpu.saturatedShare! - cpu.saturatedShare) * rows * units;
    assert.ok(apart <= 3 + 1e-6, `${what} saturated values ${apart} apart`);
  }
  assert.equal(gpu.weightHistogram.limit, cpu.weightHistogram.limit);
  const moved = gpu.weightHistogram.counts.reduce(
    (sum, count, bin) => sum + Math.abs(count - cpu.weightHistogram.counts[bin]),
    0,
  );
  assert.ok(moved <= 4, `${what} histogram: ${moved} counts apart`);
}

async function assertLayerStatsLikeCpu(
  backend: WebGpuBackend,
  config: RunConfig,
  data: PreparedData,
): Promise<void> {
  const gpu = await backend.createSession(config, data);
  const cpu = await new CpuBackend().createSession(config, data);
  try {
    for (let epoch = 0; epoch < 2; epoch++) {
      const [g, c] = [await gpu.trainEpoch(epoch), await cpu.trainEpoch(epoch)];
      assert.equal(g.layers?.length, config.model.layers.length);
      c.layers!.forEach((expected, l) => {
        const { units } = config.model.layers[l];
        const rows = Math.min(256, data.train.count);
        assertStatsClose(g.layers![l], expected, units, rows, `epoch ${epoch} layer ${l}`);
      });
    }
  } finally {
    gpu.dispose();
    cpu.dispose();
  }
}

Deno.test({
  name: "WebGpuSession's layer statistics match the CPU reference's",
  ignore: !adapter,
  async fn(t) {
    const backend = await WebGpuBackend.create(gpuTestOptions());
    try {
      for (const [name, overrides] of Object.entries(CASES)) {
        await t.step(name, async () => {
          await assertLayerStatsLikeCpu(backend, tinyConfig(overrides), tinyData());
        });
      }
      await t.step("a probe of the first 256 of 300 train rows", async () => {
        await assertLayerStatsLikeCpu(backend, tinyConfig(), tinyData({ train: 300 }));
      });
    } finally {
      backend.destroy();
    }
  },
});

Deno.test({
  name: "WebGpuSession leaves layer statistics out when the config turns them off",
  ignore: !adapter,
  async fn() {
    const backend = await WebGpuBackend.create(gpuTestOptions());
    try {
      const session = await backend.createSession(tinyConfig({ layerStats: false }), tinyData());
      const result = await session.trainEpoch(0, { evaluate: ["dev"] });
      session.dispose();
      assert.equal(result.layers, undefined);
      assert.ok(result.evaluations?.dev);
    } finally {
      backend.destroy();
    }
  },
});
