import assert from "node:assert/strict";
import type { BatchSpec } from "../spec.ts";
import { batchRows, epochOrder } from "./batches.ts";

const minibatch = (size: number, shuffle: boolean): BatchSpec => ({
  mode: "minibatch",
  size,
  shuffle,
});

function batches(count: number, batch: BatchSpec, seed = 0, epoch = 0): number[][] {
  const { order, batchSize, steps } = epochOrder(count, batch, seed, epoch);
  return Array.from({ length: steps }, (_, step) => [...batchRows(order, batchSize, step)]);
}

Deno.test("epochOrder() minibatch without shuffle keeps order and ends with a partial batch", () => {
  assert.deepEqual(batches(10, minibatch(4, false)), [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  const { batchSize, steps } = epochOrder(10, minibatch(4, false), 0, 0);
  assert.deepEqual([batchSize, steps], [4, 3]);
});

Deno.test("epochOrder() minibatch with shuffle visits every row once per epoch", () => {
  const cut = batches(10, minibatch(4, true), 5, 0);
  assert.deepEqual(cut.map((b) => b.length), [4, 4, 2]);
  assert.deepEqual(cut.flat().sort((a, b) => a - b), [...Array(10).keys()]);
  assert.notDeepEqual(cut.flat(), [...Array(10).keys()]);
});

Deno.test("epochOrder() minibatch larger than the data is one batch of all rows", () => {
  const { batchSize, steps } = epochOrder(5, minibatch(128, true), 0, 0);
  assert.deepEqual([batchSize, steps], [5, 1]);
});

Deno.test("epochOrder() stochastic uses batches of one row", () => {
  const { order, batchSize, steps } = epochOrder(
    6,
    { mode: "stochastic", size: 64, shuffle: true },
    1,
    0,
  );
  assert.deepEqual([batchSize, steps], [1, 6]);
  assert.deepEqual([...batchRows(order, batchSize, 5)], [order[5]]);
});

Deno.test("epochOrder() full uses the whole train split as one batch", () => {
  assert.deepEqual(batches(7, { mode: "full", size: 64, shuffle: false }), [[0, 1, 2, 3, 4, 5, 6]]);
});

Deno.test("epochOrder() is the same for a (seed, epoch) and differs across epochs and seeds", () => {
  const spec = minibatch(32, true);
  const first = epochOrder(1000, spec, 9, 3).order;
  assert.deepEqual(epochOrder(1000, spec, 9, 3).order, first);
  assert.notDeepEqual(epochOrder(1000, spec, 9, 4).order, first);
  assert.notDeepEqual(epochOrder(1000, spec, 10, 3).order, first);
});

Deno.test("epochOrder() and batchRows() reject impossible inputs", () => {
  assert.throws(
    () => epochOrder(0, minibatch(4, true), 0, 0),
    /at least 1 training example, got 0/,
  );
  assert.throws(
    () => epochOrder(10, minibatch(0, true), 0, 0),
    /batch.size must be an integer ≥ 1, got 0/,
  );
  const { order } = epochOrder(10, minibatch(4, false), 0, 0);
  assert.throws(
    () => batchRows(order, 4, 3),
    /Batch step 3 is out of range: 10 rows make 3 batches of 4/,
  );
});
