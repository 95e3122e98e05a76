import assert from "node:assert/strict";
import { hashUniform, lowbias32, Rng } from "./random.ts";

Deno.test("Rng is reproducible for a seed and differs across seeds", () => {
  const a = new Rng(42), b = new Rng(42), c = new Rng(43);
  const xs = Array.from({ length: 8 }, () => a.nextU32());
  assert.deepEqual(xs, Array.from({ length: 8 }, () => b.nextU32()));
  assert.notDeepEqual(xs, Array.from({ length: 8 }, () => c.nextU32()));
});

Deno.test("Rng.uniform() has mean 1/2 and stays in [0, 1)", () => {
  const rng = new Rng(1);
  let sum = 0;
  for (let i = 0; i < 100_000; i++) {
    const u = rng.uniform();
    assert.ok(u >= 0 && u < 1);
    sum += u;
  }
  assert.ok(Math.abs(sum / 100_000 - 0.5) < 0.005);
});

Deno.test("Rng.normal() has mean 0 and variance 1", () => {
  const rng = new Rng(2);
  const n = 100_000;
  let sum = 0, sumSq = 0;
  for (let i = 0; i < n; i++) {
    const z = rng.normal();
    sum += z;
    sumSq += z * z;
  }
  assert.ok(Math.abs(sum / n) < 0.02);
  assert.ok(Math.abs(sumSq / n - 1) < 0.02);
});

Deno.test("Rng.int() covers [0, n) evenly", () => {
  const rng = new Rng(3);
  const counts = new Array(7).fill(0);
  for (let i = 0; i < 70_000; i++) counts[rng.int(7)]++;
  for (const c of counts) assert.ok(Math.abs(c - 10_000) < 500, `count ${c}`);
  assert.throws(() => rng.int(0), /1 ≤ n/);
});

Deno.test("Rng.shuffle() permutes every element exactly once", () => {
  const items = Array.from({ length: 100 }, (_, i) => i);
  const shuffled = new Rng(4).shuffle([...items]);
  assert.notDeepEqual(shuffled, items);
  assert.deepEqual([...shuffled].sort((x, y) => x - y), items);
});

Deno.test("lowbias32() matches an independent BigInt computation", () => {
  assert.equal(lowbias32(0), 0);
  const x = 1;
  let h = x ^ (x >>> 16);
  h = Number((BigInt(h) * 0x7feb352dn) & 0xffffffffn);
  h ^= h >>> 15;
  h = Number((BigInt(h >>> 0) * 0x846ca68bn) & 0xffffffffn);
  h ^= h >>> 16;
  assert.equal(lowbias32(1), h >>> 0);
});

Deno.test("hashUniform() is deterministic, keyed by every argument and near-uniform", () => {
  assert.equal(hashUniform(7, 3, 1, 99), hashUniform(7, 3, 1, 99));
  const base = hashUniform(7, 3, 1, 99);
  assert.notEqual(hashUniform(8, 3, 1, 99), base);
  assert.notEqual(hashUniform(7, 4, 1, 99), base);
  assert.notEqual(hashUniform(7, 3, 2, 99), base);
  assert.notEqual(hashUniform(7, 3, 1, 100), base);
  let kept = 0;
  for (let i = 0; i < 100_000; i++) if (hashUniform(0, 0, 0, i) >= 0.2) kept++;
  assert.ok(Math.abs(kept / 100_000 - 0.8) < 0.005);
});
