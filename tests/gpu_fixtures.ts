/**
 * Shared pieces of the GPU tests: a tiny dataset, run configs, the adapter gate, and comparisons
 * with stated tolerances. Shapes stay small because lavapipe runs WGSL on the CPU.
 *
 * @module
 */

import type { NamedTensor } from "../engine/backend.ts";
import type { Examples, PreparedData } from "../engine/data/dataset.ts";
import { Rng } from "../engine/random.ts";
import type { LayerSpec, RunConfig } from "../engine/spec.ts";
import { requestAdapter } from "../engine/webgpu/adapter.ts";

/** The adapter the GPU tests need; `null` skips them (no WebGPU, or no Vulkan driver). */
export const adapter: GPUAdapter | null = await requestAdapter();

function examples(
  count: number,
  features: number,
  classes: number,
  rng: Rng,
  pixels: boolean,
  background = 0,
): Examples {
  const inputs = pixels ? new Uint8Array(count * features) : new Float32Array(count * features);
  const labels = new Uint8Array(count);
  for (let r = 0; r < count; r++) {
    labels[r] = rng.int(classes);
    for (let f = 0; f < features; f++) {
      // Inputs that carry the label, so a few steps of training visibly help.
      const signal = f % classes === labels[r] ? 0.6 : 0;
      let value = Math.min(1, Math.max(0, rng.uniform() * 0.6 + signal));
      // MNIST-like: a share of the pixels is background (0), whatever the label.
      if (background > 0 && rng.uniform() < background) value = 0;
      inputs[r * features + f] = pixels ? Math.round(value * 255) : value * 2 - 1;
    }
  }
  return { count, inputs, labels };
}

/**
 * 64 train / 24 dev / 20 test rows of 12 features in 3 classes (u8 pixels unless `f32`);
 * `background` of the pixels 0, as MNIST's background, when given.
 */
export function tinyData(
  options: { classes?: number; f32?: boolean; train?: number; background?: number } = {},
): PreparedData {
  const classes = options.classes ?? 3;
  const rng = new Rng(1234);
  const pixels = !options.f32;
  return {
    features: 12,
    classes,
    transform: pixels ? { scale: 1 / 255 / 0.5, shift: -1 } : { scale: 1, shift: 0 },
    train: examples(options.train ?? 64, 12, classes, rng, pixels, options.background),
    dev: examples(24, 12, classes, rng, pixels, options.background),
    test: examples(20, 12, classes, rng, pixels, options.background),
  };
}

const HIDDEN: LayerSpec[] = [
  { units: 16, activation: "relu", batchNorm: false, dropout: 0 },
  { units: 8, activation: "relu", batchNorm: false, dropout: 0 },
];

/** A run config with torch defaults (Adam 1e-3), two hidden layers 16/8, batch 16. */
export function tinyConfig(overrides: Partial<RunConfig> = {}): RunConfig {
  return {
    name: "gpu-parity",
    seed: 7,
    data: { dataset: "synthetic", normalize: null, split: { train: 0.9, dev: 0.1 } },
    model: { init: "default", layers: HIDDEN },
    loss: "cross_entropy",
    optimizer: {
      type: "adam",
      lr: 1e-2,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      amsgrad: false,
    },
    regularization: { l1: 0, l2: 0 },
    batch: { mode: "minibatch", size: 16, shuffle: true },
    epochs: 2,
    device: "gpu",
    ...overrides,
  };
}

/** Hidden layers 16/8 with the same options on both. */
export function layers(options: Partial<LayerSpec>): LayerSpec[] {
  return HIDDEN.map((layer) => ({ ...layer, ...options }));
}

/** max |a − b| / (atol + rtol·|b|) over all elements; ≤ 1 means within tolerance. */
export function toleranceRatio(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  rtol: number,
  atol: number,
) {
  if (a.length !== b.length) throw new Error(`Length ${a.length} differs from ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i] || (Number.isNaN(a[i]) && Number.isNaN(b[i]))) continue;
    const ratio = Math.abs(a[i] - b[i]) / (atol + rtol * Math.abs(b[i]));
    worst = Math.max(worst, Number.isNaN(ratio) ? Infinity : ratio);
  }
  return worst;
}

/** Throws naming the tensor when any element of `actual` is outside rtol/atol of `expected`. */
export function assertStateClose(
  actual: NamedTensor[],
  expected: NamedTensor[],
  rtol: number,
  atol: number,
): void {
  if (actual.map((t) => t.name).join() !== expected.map((t) => t.name).join()) {
    throw new Error(
      `State names differ: ${actual.map((t) => t.name)} vs ${expected.map((t) => t.name)}`,
    );
  }
  actual.forEach((tensor, i) => {
    const ratio = toleranceRatio(tensor.data, expected[i].data, rtol, atol);
    if (ratio > 1) {
      throw new Error(
        `${tensor.name} differs from the CPU reference beyond rtol ${rtol}, atol ${atol} ` +
          `(worst element at ${ratio.toFixed(2)}× the tolerance)`,
      );
    }
  });
}
