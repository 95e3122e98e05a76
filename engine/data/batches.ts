/**
 * Batch order for one epoch. The CPU and GPU backends both call {@linkcode epochOrder}, so they
 * see the same examples in the same batches for a given seed and epoch.
 *
 * @module
 */

import type { BatchSpec } from "../spec.ts";
import { lowbias32, Rng } from "../random.ts";

/** One epoch's visiting order and how it is cut into batches. */
export interface EpochOrder {
  /** A permutation of 0..count-1 (the identity when the batch spec does not shuffle). */
  order: Uint32Array;
  batchSize: number;
  steps: number;
}

/**
 * Order of the `count` training rows in `epoch` (0-based). With `shuffle` it is a Fisher–Yates
 * permutation from `new Rng(lowbias32(seed ^ lowbias32(epoch + 1)) | 0)`: a fresh stream per
 * epoch, so epoch k's order does not depend on how many draws earlier epochs made.
 * Batch size: 1 for `stochastic`, min(size, count) for `minibatch`, count for `full`; the last
 * batch may be smaller, as with PyTorch's `DataLoader(drop_last=False)`.
 */
export function epochOrder(
  count: number,
  batch: BatchSpec,
  seed: number,
  epoch: number,
): EpochOrder {
  if (!(Number.isInteger(count) && count >= 1)) {
    throw new RangeError(`Batching needs at least 1 training example, got ${count}`);
  }
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  if (batch.shuffle) {
    new Rng(lowbias32((seed ^ lowbias32((epoch + 1) >>> 0)) >>> 0) | 0).shuffle(order);
  }
  const batchSize = batchSizeFor(count, batch);
  return { order, batchSize, steps: Math.ceil(count / batchSize) };
}

function batchSizeFor(count: number, batch: BatchSpec): number {
  switch (batch.mode) {
    case "stochastic":
      return 1;
    case "full":
      return count;
    case "minibatch":
      if (!(Number.isInteger(batch.size) && batch.size >= 1)) {
        throw new RangeError(`batch.size must be an integer ≥ 1, got ${batch.size}`);
      }
      return Math.min(batch.size, count);
  }
}

/** The rows of batch `step`: a view into `order`, shorter than `batchSize` only for the last. */
export function batchRows(order: Uint32Array, batchSize: number, step: number): Uint32Array {
  const start = step * batchSize;
  if (!(Number.isInteger(step) && step >= 0 && start < order.length)) {
    throw new RangeError(
      `Batch step ${step} is out of range: ${order.length} rows make ` +
        `${Math.ceil(order.length / batchSize)} batches of ${batchSize}`,
    );
  }
  return order.subarray(start, Math.min(start + batchSize, order.length));
}
