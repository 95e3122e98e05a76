/**
 * The run the engine's train() tests share: an 8-unit ReLU MLP trained by plain SGD on
 * synthetic-binary with the CPU reference, a fraction of a second per epoch.
 *
 * @module
 */

import type { RunConfig } from "./spec.ts";

/** What the tests that share {@linkcode tinySgdRun} set apart. */
export interface TinySgdRunOptions {
  name: string;
  seed: number;
  batchSize: number;
  epochs: number;
}

/** A CPU run of the small synthetic-binary problem, shuffled minibatches, no regularization. */
export function tinySgdRun({ name, seed, batchSize, epochs }: TinySgdRunOptions): RunConfig {
  return {
    name,
    seed,
    data: {
      dataset: "synthetic-binary",
      normalize: null,
      split: { train: 0.6, dev: 0.2, test: 0.2 },
    },
    model: {
      init: "default",
      layers: [{ units: 8, activation: "relu", batchNorm: false, dropout: 0 }],
    },
    loss: "cross_entropy",
    optimizer: {
      type: "sgd",
      lr: 0.1,
      momentum: 0,
      dampening: 0,
      weightDecay: 0,
      nesterov: false,
    },
    regularization: { l1: 0, l2: 0 },
    batch: { mode: "minibatch", size: batchSize, shuffle: true },
    epochs,
    device: "cpu",
  };
}
