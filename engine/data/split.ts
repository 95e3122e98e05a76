/**
 * From a loaded {@linkcode Dataset} to the three contiguous tables a backend trains on.
 *
 * @module
 */

import type { Dataset, Examples, PreparedData } from "./dataset.ts";
import type { DataSpec } from "../spec.ts";
import { inputTransform } from "./transform.ts";
import { lowbias32, Rng } from "../random.ts";

/** Salt that gives the split its own stream, independent of the weights drawn from the seed. */
const SPLIT_STREAM = 0x73706c74; // "splt"

/**
 * Splits the data as DESIGN.md says.
 *
 * 1. The pool is the first `trainSize` training examples (all when absent); the official test
 *    set, when there is one, is kept as test, truncated to its first `testSize` examples.
 * 2. The pool is shuffled with a seeded permutation and cut into consecutive slices
 *    train | dev | test, of sizes dev = round(n·split.dev), test = round(n·split.test) (only
 *    without an official test set) and train = the rest; `split.train` is implied by the other
 *    two. 60000 examples with dev 0.1 give 54000 / 6000.
 *
 * Rows are copied, so each split is one contiguous table in its shuffled order.
 */
export function prepareData(dataset: Dataset, spec: DataSpec, seed: number): PreparedData {
  const pool = firstRows(dataset.train, dataset.features, spec.trainSize, "trainSize", dataset);
  const officialTest = dataset.test;
  const n = pool.count;
  checkFraction(spec.split.train, "train");
  checkFraction(spec.split.dev, "dev");
  let testRows = 0;
  if (officialTest) {
    if (spec.split.test) {
      throw new Error(
        `data.split.test must be absent or 0 for "${dataset.id}": it has an official test set ` +
          `of ${officialTest.count} examples, got ${spec.split.test}`,
      );
    }
  } else {
    if (spec.testSize !== undefined) {
      throw new Error(
        `data.testSize applies only to datasets with an official test set, and "${dataset.id}" ` +
          `has none: use data.split.test`,
      );
    }
    if (spec.split.test === undefined) {
      throw new Error(
        `data.split.test is required for "${dataset.id}": it has no official test set, ` +
          `so give train, dev and test fractions`,
      );
    }
    checkFraction(spec.split.test, "test");
    testRows = Math.round(n * spec.split.test);
  }
  const devRows = Math.round(n * spec.split.dev);
  const trainRows = n - devRows - testRows;
  if (trainRows < 1) {
    throw new Error(
      `data.split leaves no training rows: ${n} examples give dev ${devRows} and test ` +
        `${testRows}, expected dev + test below 1`,
    );
  }
  const test = officialTest
    ? copy(firstRows(officialTest, dataset.features, spec.testSize, "testSize", dataset))
    : undefined;
  if ((test?.count ?? testRows) < 1) {
    throw new Error(
      `data.split.test gives 0 test rows out of ${n}, expected at least 1; raise data.split.test`,
    );
  }

  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  new Rng(lowbias32((seed ^ SPLIT_STREAM) >>> 0) | 0).shuffle(order);
  const train = gather(pool, dataset.features, order.subarray(0, trainRows));
  const dev = gather(pool, dataset.features, order.subarray(trainRows, trainRows + devRows));
  return {
    features: dataset.features,
    classes: dataset.classes,
    transform: inputTransform(dataset, spec.normalize),
    train,
    dev,
    test: test ?? gather(pool, dataset.features, order.subarray(trainRows + devRows)),
  };
}

function checkFraction(value: number, name: string): void {
  if (!(value >= 0 && value <= 1)) {
    throw new Error(`data.split.${name} must be a fraction in [0, 1], got ${value}`);
  }
}

/** A view of the first `size` rows (all when absent). */
function firstRows(
  examples: Examples,
  features: number,
  size: number | undefined,
  field: "trainSize" | "testSize",
  dataset: Dataset,
): Examples {
  const count = size ?? examples.count;
  if (!(Number.isInteger(count) && count >= 1)) {
    throw new Error(`data.${field} must be an integer ≥ 1, got ${size}`);
  }
  if (count > examples.count) {
    const set = field === "trainSize" ? "training" : "test";
    throw new Error(
      `data.${field} is ${count} but "${dataset.id}" has only ${examples.count} ${set} examples`,
    );
  }
  return {
    count,
    inputs: examples.inputs.subarray(0, count * features),
    labels: examples.labels.subarray(0, count),
  };
}

/** Own buffers, so a backend never shares memory with the cached dataset. */
function copy(examples: Examples): Examples {
  return {
    count: examples.count,
    inputs: examples.inputs.slice(),
    labels: examples.labels.slice(),
  };
}

function gather(source: Examples, features: number, rows: Uint32Array): Examples {
  const inputs = source.inputs instanceof Uint8Array
    ? new Uint8Array(rows.length * features)
    : new Float32Array(rows.length * features);
  const labels = new Uint8Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    inputs.set(source.inputs.subarray(row * features, (row + 1) * features), i * features);
    labels[i] = source.labels[row];
  }
  return { count: rows.length, inputs, labels };
}
