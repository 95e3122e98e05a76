import assert from "node:assert/strict";
import type { Dataset, Examples } from "./dataset.ts";
import type { DataSpec } from "../spec.ts";
import { prepareData } from "./split.ts";

/** Rows whose two features are (row id, −row id), so a split's rows can be traced back. */
function table(count: number, offset = 0): Examples {
  const inputs = new Float32Array(count * 2);
  for (let i = 0; i < count; i++) {
    inputs[2 * i] = offset + i;
    inputs[2 * i + 1] = -(offset + i);
  }
  return { count, inputs, labels: Uint8Array.from({ length: count }, (_, i) => i % 3) };
}

function dataset(train: number, test?: number): Dataset {
  return {
    id: "fake",
    name: "fake",
    features: 2,
    classes: 3,
    train: table(train),
    test: test === undefined ? undefined : table(test, 1_000_000),
    pixels: false,
    classNames: ["0", "1", "2"],
  };
}

function spec(overrides: Partial<DataSpec> = {}): DataSpec {
  return { dataset: "fake", normalize: null, split: { train: 0.9, dev: 0.1 }, ...overrides };
}

const ids = (examples: Examples) =>
  Array.from({ length: examples.count }, (_, i) => examples.inputs[2 * i]);

Deno.test("prepareData() keeps the official test set and splits 60000 into 54000/6000", () => {
  const data = prepareData(dataset(60000, 10000), spec(), 0);
  assert.equal(data.train.count, 54000);
  assert.equal(data.dev.count, 6000);
  assert.equal(data.test.count, 10000);
  assert.deepEqual(ids(data.test).slice(0, 3), [1_000_000, 1_000_001, 1_000_002]);
  const seen = new Set([...ids(data.train), ...ids(data.dev)]);
  assert.equal(seen.size, 60000, "train and dev are disjoint and cover the pool");
});

Deno.test("prepareData() copies whole rows with their labels", () => {
  const data = prepareData(dataset(50), spec({ split: { train: 0.6, dev: 0.2, test: 0.2 } }), 3);
  for (const split of [data.train, data.dev, data.test]) {
    for (let i = 0; i < split.count; i++) {
      const id = split.inputs[2 * i];
      assert.equal(split.inputs[2 * i + 1], -id);
      assert.equal(split.labels[i], id % 3);
    }
  }
});

Deno.test("prepareData() without an official test set cuts train/dev/test from the pool", () => {
  const data = prepareData(dataset(1000), spec({ split: { train: 0.8, dev: 0.1, test: 0.1 } }), 1);
  assert.deepEqual([data.train.count, data.dev.count, data.test.count], [800, 100, 100]);
  const all = [...ids(data.train), ...ids(data.dev), ...ids(data.test)];
  assert.equal(new Set(all).size, 1000);
});

Deno.test("prepareData() is reproducible for a seed and differs for another seed", () => {
  const a = prepareData(dataset(500, 10), spec(), 42);
  const b = prepareData(dataset(500, 10), spec(), 42);
  const c = prepareData(dataset(500, 10), spec(), 43);
  assert.deepEqual(ids(a.train), ids(b.train));
  assert.deepEqual(ids(a.dev), ids(b.dev));
  assert.notDeepEqual(ids(a.dev), ids(c.dev));
});

Deno.test("prepareData() takes the first trainSize and testSize examples", () => {
  const data = prepareData(dataset(1000, 100), spec({ trainSize: 200, testSize: 30 }), 0);
  assert.equal(data.train.count + data.dev.count, 200);
  assert.ok([...ids(data.train), ...ids(data.dev)].every((id) => id < 200));
  assert.deepEqual(ids(data.test), Array.from({ length: 30 }, (_, i) => 1_000_000 + i));
});

Deno.test("prepareData() allows an empty dev split", () => {
  const data = prepareData(dataset(100, 10), spec({ split: { train: 1, dev: 0 } }), 0);
  assert.equal(data.train.count, 100);
  assert.equal(data.dev.count, 0);
});

Deno.test("prepareData() keeps u8 pixels as u8 and carries the input transform", () => {
  const pixels: Dataset = {
    ...dataset(10, 2),
    pixels: true,
    train: { count: 10, inputs: new Uint8Array(20).fill(255), labels: new Uint8Array(10) },
  };
  const data = prepareData(pixels, spec({ normalize: { mean: 0.5, std: 0.5 } }), 0);
  assert.ok(data.train.inputs instanceof Uint8Array);
  assert.equal(data.train.inputs[0], 255);
  assert.equal(data.transform.shift, -1);
});

Deno.test("prepareData() rejects sizes beyond the data, naming the field and both counts", () => {
  assert.throws(
    () => prepareData(dataset(100, 10), spec({ trainSize: 101 }), 0),
    /data.trainSize is 101 but "fake" has only 100 training examples/,
  );
  assert.throws(
    () => prepareData(dataset(100, 10), spec({ testSize: 11 }), 0),
    /data.testSize is 11 but "fake" has only 10 test examples/,
  );
  assert.throws(
    () => prepareData(dataset(100, 10), spec({ trainSize: 0 }), 0),
    /data.trainSize must be an integer ≥ 1, got 0/,
  );
});

Deno.test("prepareData() checks split.test against whether the dataset has a test set", () => {
  assert.throws(
    () => prepareData(dataset(100, 10), spec({ split: { train: 0.8, dev: 0.1, test: 0.1 } }), 0),
    /data.split.test must be absent or 0 for "fake": it has an official test set of 10/,
  );
  assert.equal(
    prepareData(dataset(100, 10), spec({ split: { train: 0.9, dev: 0.1, test: 0 } }), 0).test
      .count,
    10,
  );
  assert.throws(() => prepareData(dataset(100), spec(), 0), /data.split.test is required/);
  assert.throws(
    () =>
      prepareData(
        dataset(100),
        spec({ testSize: 5, split: { train: 0.8, dev: 0.1, test: 0.1 } }),
        0,
      ),
    /data.testSize applies only to datasets with an official test set/,
  );
  assert.throws(
    () => prepareData(dataset(10), spec({ split: { train: 0.9, dev: 0.1, test: 0.01 } }), 0),
    /data.split.test gives 0 test rows out of 10/,
  );
});

Deno.test("prepareData() rejects fractions outside [0, 1] and splits with no training rows", () => {
  assert.throws(
    () => prepareData(dataset(100, 10), spec({ split: { train: 0.9, dev: 1.5 } }), 0),
    /data.split.dev must be a fraction in \[0, 1\], got 1.5/,
  );
  assert.throws(
    () => prepareData(dataset(100), spec({ split: { train: 0, dev: 0.5, test: 0.5 } }), 0),
    /data.split leaves no training rows: 100 examples give dev 50 and test 50/,
  );
});
