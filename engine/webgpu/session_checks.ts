/**
 * What a WebGPU session checks and derives from its config before it allocates anything: the
 * CPU reference's batch-norm rule, the input storage of the splits, and the parameter count.
 *
 * @module
 */

import type { PreparedData } from "../data/dataset.ts";
import type { RunConfig } from "../spec.ts";

/** The most state sections an optimizer keeps (Adam with amsgrad, centered RMSprop with momentum). */
export const OPTIMIZER_STATE_SECTIONS_MAX = 3;

/** Parameters of the MLP: every Linear's weight and bias, and γ, β per batch norm. */
export function parameterCount(config: RunConfig, features: number, outputs: number): number {
  let count = 0;
  let inFeatures = features;
  for (const layer of config.model.layers) {
    count += layer.units * inFeatures + layer.units + (layer.batchNorm ? 2 * layer.units : 0);
    inFeatures = layer.units;
  }
  return count + outputs * inFeatures + outputs;
}

/** The CPU reference's check and message: torch refuses batch norm on a batch of one row. */
export function assertBatchNormBatches(config: RunConfig, count: number, batchSize: number): void {
  const lastBatch = count - (Math.ceil(count / batchSize) - 1) * batchSize;
  if (config.model.layers.some((layer) => layer.batchNorm) && Math.min(batchSize, lastBatch) < 2) {
    throw new RangeError(
      `Batch norm needs batches of at least 2 rows, but batch.mode "${config.batch.mode}" with ` +
        `size ${batchSize} over ${count} training rows makes a batch of 1; ` +
        `use a batch size that leaves no single-row batch or turn batchNorm off`,
    );
  }
}

/** How the first layer reads inputs: every split must store them the same way. */
export function inputKindOf(data: PreparedData): "data_u8" | "data_f32" {
  const kinds = new Set(
    [data.train, data.dev, data.test].map((split) =>
      split.inputs instanceof Uint8Array ? "data_u8" : "data_f32"
    ),
  );
  if (kinds.size > 1) {
    throw new TypeError("Dataset splits must all store inputs as u8 or all as f32, got a mix");
  }
  return [...kinds][0] as "data_u8" | "data_f32";
}
