import assert from "node:assert/strict";
import type { Examples, PreparedData } from "../data/dataset.ts";
import { finishLayerStats } from "../layer_stats.ts";
import { Rng } from "../random.ts";
import type { LayerSpec, RunConfig } from "../spec.ts";
import { CpuLayerStats, layerSums, type LayerValues, weightHistogram } from "./layer_stats.ts";
import { lossForward } from "./losses.ts";
import { Mlp } from "./mlp.ts";
import { CpuBackend } from "./session.ts";

const RELU: LayerSpec = { units: 2, activation: "relu", batchNorm: false, dropout: 0 };

/** 3 probe rows × 2 units, fan-in 4 (R = 2, bins 0.125 wide). */
function values(spec: LayerSpec, pre: number[]): LayerValues {
  return {
    spec,
    preActivation: Float32Array.from(pre),
    activation: Float32Array.from(pre, (x) => Math.max(0, x)),
    weight: Float32Array.from([-3, -2, 0, 0.0625, 1.99, 2, 5, 0.5]),
    start: Float32Array.from([-3, -2, 0, 0.0625, 1.99, 2, 2, 4.5]),
    fanIn: 4,
    gradientSquares: 9,
  };
}

Deno.test("layerSums() and finishLayerStats() give a ReLU layer's statistics as computed by hand", () => {
  // Rows [1, −1], [2, −2], [−3, −0.5]: unit 1 is never positive, so half the units are dead.
  const stats = finishLayerStats(layerSums(values(RELU, [1, -1, 2, -2, -3, -0.5])), {
    spec: RELU,
    fanIn: 4,
    rows: 3,
    startKnown: true,
  });
  // Pre-activations: mean −3.5/6; Σ (x − mean)² = Σ x² − 6·mean² = 19.25 − 2.041666….
  assert.ok(Math.abs(stats.preActivationMean - -3.5 / 6) < 1e-12);
  assert.ok(Math.abs(stats.preActivationStd - Math.sqrt((19.25 - 3.5 ** 2 / 6) / 6)) < 1e-12);
  // Activations 1, 0, 2, 0, 0, 0: mean 0.5, centred squares 0.25·5 + 2.25 = 3.5.
  assert.equal(stats.activationMean, 0.5);
  assert.ok(Math.abs(stats.activationStd - Math.sqrt(3.5 / 6)) < 1e-12);
  assert.equal(stats.deadShare, 0.5);
  assert.equal(stats.saturatedShare, null);
  // Σ w² = 9 + 4 + 0 + 0.00390625 + 3.9601 + 4 + 25 + 0.25; ‖ΔW‖ = ‖(3, −4)‖ = 5.
  assert.ok(Math.abs(stats.weightNorm - Math.sqrt(46.21400625)) < 1e-6);
  assert.equal(stats.gradientNorm, 3);
  assert.ok(
    Math.abs(stats.updateRatio! - 5 / Math.sqrt(9 + 4 + 0.00390625 + 3.9601 + 4 + 4 + 20.25)) <
      1e-6,
  );
  // −3 and −2 in the first bin (−3 clamped), 0 and 1/16 in bin 16, 0.5 in bin 20, 1.99, 2 and
  // 5 in the last (2 and 5 clamped).
  const counts = new Array(32).fill(0);
  counts[0] = 2;
  counts[16] = 2;
  counts[20] = 1;
  counts[31] = 3;
  assert.deepEqual(stats.weightHistogram, { limit: 2, counts });
});

Deno.test("finishLayerStats() counts saturation for sigmoid (|x| > 4) and tanh (|x| > 2) only", () => {
  const pre = [4.5, -1, 3, -4.01, 0, 2.5];
  const share = (activation: LayerSpec["activation"]) => {
    const spec = { ...RELU, activation };
    const stats = finishLayerStats(layerSums(values(spec, pre)), {
      spec,
      fanIn: 4,
      rows: 3,
      startKnown: false,
    });
    assert.equal(stats.updateRatio, null, "no update ratio without the start weights");
    return [stats.saturatedShare, stats.deadShare];
  };
  assert.deepEqual(share("sigmoid"), [2 / 6, null]);
  assert.deepEqual(share("tanh"), [4 / 6, null]);
  assert.deepEqual(share("none"), [null, null]);
  // Every unit is positive on some row: none dead, for each of the ReLU family and GELU.
  assert.deepEqual(share("leaky_relu"), [null, 0]);
  assert.deepEqual(share("gelu"), [null, 0]);
});

Deno.test("weightHistogram() puts values on a bin edge in the bin above", () => {
  const counts = weightHistogram(Float32Array.from([-1, -0.9375, 0, 0.9375, 1]), 1);
  assert.deepEqual([counts[0], counts[1], counts[16], counts[31]], [1, 1, 1, 2]);
});

Deno.test("weightHistogram() clamps infinite and far values into the end bins and counts no NaN", () => {
  const weight = Float32Array.from([-Infinity, -5, -1.01, NaN, 0.99, 1e30, Infinity]);
  const counts = weightHistogram(weight, 1);
  assert.deepEqual([counts[0], counts[31]], [3, 3]);
  assert.equal(counts.reduce((sum, c) => sum + c, 0), 6);
});

const FEATURES = 3;

function examples(count: number, rng: Rng): Examples & { inputs: Float32Array } {
  const inputs = Float32Array.from({ length: count * FEATURES }, () => rng.normal());
  const labels = Uint8Array.from({ length: count }, () => rng.int(2));
  return { count, inputs, labels };
}

/** 300 train rows, so the probe takes the first 256. */
function data(): PreparedData & { train: { inputs: Float32Array } } {
  const rng = new Rng(3);
  return {
    features: FEATURES,
    classes: 2,
    transform: { scale: 1, shift: 0 },
    train: examples(300, rng),
    dev: examples(10, rng),
    test: examples(10, rng),
  };
}

const HIDDEN: LayerSpec = { units: 5, activation: "relu", batchNorm: false, dropout: 0 };

/** One full-batch step of SGD with lr 0: the weights never move, the gradient is known. */
const FROZEN: RunConfig = {
  name: "frozen",
  seed: 11,
  data: { dataset: "synthetic", normalize: null, split: { train: 0.9, dev: 0.1 } },
  model: { init: "kaiming_uniform", layers: [HIDDEN] },
  loss: "cross_entropy",
  optimizer: { type: "sgd", lr: 0, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false },
  regularization: { l1: 0, l2: 0.5 },
  gradientClipping: { type: "norm", maxNorm: 1e-6, normType: 2 },
  batch: { mode: "full", size: 300, shuffle: false },
  epochs: 1,
  device: "cpu",
};

Deno.test("CpuSession's layer statistics: the probe's first 256 rows in eval mode, the data loss's gradient before penalty and clipping", async () => {
  const prepared = data();
  const session = await new CpuBackend().createSession(FROZEN, prepared);
  const result = await session.trainEpoch(0);
  const state = await session.getState();
  session.dispose();
  const weight = state.find((t) => t.name === "hidden.0.linear.weight")!.data;
  const bias = state.find((t) => t.name === "hidden.0.linear.bias")!.data;
  // The probe's pre-activations by hand: x·Wᵀ + b over rows 0..255.
  const pre: number[] = [];
  for (let r = 0; r < 256; r++) {
    for (let u = 0; u < HIDDEN.units; u++) {
      let z = bias[u];
      for (let k = 0; k < FEATURES; k++) {
        z += prepared.train.inputs[r * FEATURES + k] * weight[u * FEATURES + k];
      }
      pre.push(z);
    }
  }
  const mean = pre.reduce((a, b) => a + b) / pre.length;
  const std = Math.sqrt(pre.reduce((a, x) => a + (x - mean) ** 2, 0) / pre.length);
  const [stats] = result.layers!;
  assert.ok(Math.abs(stats.preActivationMean - mean) < 1e-5, `${stats.preActivationMean} ${mean}`);
  assert.ok(Math.abs(stats.preActivationStd - std) < 1e-5);
  const dead = [0, 1, 2, 3, 4].filter((u) => pre.every((z, i) => i % 5 !== u || z <= 0)).length;
  assert.equal(stats.deadShare, dead / 5);
  assert.equal(stats.updateRatio, 0);
  assert.ok(Math.abs(stats.weightNorm - Math.hypot(...weight)) < 1e-6);
  // The data loss's gradient of the same weights over the whole train split (the one batch).
  const mlp = new Mlp({ features: FEATURES, layers: [HIDDEN], outputs: 2 }, "default", new Rng(0));
  for (const tensor of mlp.parameters) {
    tensor.data.set(state.find((t) => t.name === tensor.name)!.data);
  }
  const logits = mlp.forward(prepared.train.inputs, 300, {
    training: true,
    dropout: { masks: [null] },
  });
  const dLogits = new Float32Array(600);
  lossForward("cross_entropy", logits, prepared.train.labels, 300, 2, dLogits);
  mlp.backward(dLogits);
  const expected = Math.hypot(...mlp.gradients[0]);
  // Clipping to 1e-6 or the L2 penalty's 0.5·2·W would have shown.
  assert.ok(expected > 1e-3);
  assert.ok(Math.abs(stats.gradientNorm - expected) < 1e-6 * expected, `${stats.gradientNorm}`);
});

Deno.test("CpuSession leaves layer statistics out when the config turns them off", async () => {
  const session = await new CpuBackend().createSession({ ...FROZEN, layerStats: false }, data());
  const result = await session.trainEpoch(0);
  session.dispose();
  assert.equal(result.layers, undefined);
});

Deno.test("CpuLayerStats takes each epoch's start weights afresh, not the first epoch's", () => {
  const layers = [{ units: 4, activation: "relu" as const, batchNorm: false, dropout: 0 }];
  const model = new Mlp({ features: 3, layers, outputs: 2 }, "default", new Rng(1));
  const stats = new CpuLayerStats(model);
  const weight = model.parameters[0].data;
  stats.epochStarted();
  weight.fill(0.5);
  stats.epochStarted();
  weight.fill(0.25);
  assert.deepEqual([...stats.startWeights()![0].data], Array(12).fill(0.5));
});
