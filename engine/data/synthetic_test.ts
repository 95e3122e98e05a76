import assert from "node:assert/strict";
import { syntheticBinary } from "./synthetic.ts";

Deno.test("syntheticBinary() is 1000×10 standard normals with 0/1 labels and no test set", () => {
  const dataset = syntheticBinary(0);
  assert.equal(dataset.train.count, 1000);
  assert.equal(dataset.features, 10);
  assert.equal(dataset.classes, 2);
  assert.equal(dataset.test, undefined);
  assert.equal(dataset.pixels, false);
  const xs = [...dataset.train.inputs];
  const mean = xs.reduce((sum, x) => sum + x, 0) / xs.length;
  const variance = xs.reduce((sum, x) => sum + (x - mean) ** 2, 0) / xs.length;
  assert.ok(Math.abs(mean) < 0.05, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1) < 0.06, `variance ${variance}`);
  const ones = dataset.train.labels.reduce((sum, y) => sum + y, 0);
  assert.ok(dataset.train.labels.every((y) => y === 0 || y === 1));
  assert.ok(ones > 430 && ones < 570, `ones ${ones}`);
});

Deno.test("syntheticBinary() is reproducible for a seed and differs across seeds", () => {
  const a = syntheticBinary(7), b = syntheticBinary(7), c = syntheticBinary(8);
  assert.deepEqual(a.train.inputs, b.train.inputs);
  assert.deepEqual(a.train.labels, b.train.labels);
  assert.notDeepEqual(a.train.inputs, c.train.inputs);
  assert.notDeepEqual(a.train.labels, c.train.labels);
});
