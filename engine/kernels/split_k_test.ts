import assert from "node:assert/strict";
import {
  CANDIDATES,
  chooseTile,
  FEW_ROWS,
  GPU_TARGET_WORKGROUPS,
  PORTABLE_WORKGROUP_BYTES,
  tileBytes,
  tileGrid,
} from "./matmul_tile.ts";
import { chooseSplit, MAX_SPLITS, MIN_SLABS_PER_SPLIT, splitConstants } from "./split_k.ts";

const GPU = GPU_TARGET_WORKGROUPS;

Deno.test("chooseSplit() shares a deep product of few tiles, and nothing else", () => {
  // Batch 128 against 512 units, 784 deep: 32 tiles of 64 × 32 take 12 shares of ~4 slabs.
  assert.equal(chooseSplit(32, 784, 16, GPU), 12);
  // The output layer's 10 units read back into 256: one slab, nothing to share.
  assert.equal(chooseSplit(8, 10, 16, GPU), 1);
  // A product that already fills the device.
  assert.equal(chooseSplit(2048, 4096, 16, GPU), 1);
  // A CPU adapter wants 8 workgroups: never shares a product of 8 tiles or more.
  assert.equal(chooseSplit(8, 4096, 16, 8), 1);
});

Deno.test("chooseSplit() keeps every share at least MIN_SLABS_PER_SPLIT deep, at most MAX_SPLITS", () => {
  for (const workgroups of [1, 2, 9, 32, 68, 200, 1000]) {
    for (const depth of [1, 10, 37, 128, 256, 784, 1024, 60000]) {
      const splits = chooseSplit(workgroups, depth, 16, GPU);
      assert.ok(splits >= 1 && splits <= MAX_SPLITS, `${workgroups} tiles, depth ${depth}`);
      if (splits > 1) {
        assert.ok(Math.ceil(depth / 16) / splits >= MIN_SLABS_PER_SPLIT);
        assert.ok(workgroups * splits <= GPU);
      }
    }
  }
});

Deno.test("splitConstants() sets the shares and the partials' layout only when splitting", () => {
  assert.deepEqual(splitConstants(1, { rows: 128, cols: 512 }), {});
  assert.deepEqual(splitConstants(4, { rows: 128, cols: 10 }), {
    SPLIT_K: 4,
    PARTIAL_COLS: 10,
    PARTIAL_STRIDE: 1280,
  });
});

Deno.test("chooseTile() takes 64 × 64 tiles for big products and 64 × 32 for small ones", () => {
  const [big, small] = CANDIDATES;
  assert.deepEqual(chooseTile(1024, 512, GPU), big);
  assert.deepEqual(chooseTile(128, 512, GPU), small);
  assert.deepEqual(chooseTile(128, 10, GPU), small);
  // The chosen tile always covers the product.
  for (const [rows, cols] of [[9, 1], [128, 785], [1024, 257]]) {
    const tile = chooseTile(rows, cols, GPU);
    const [x, y] = tileGrid(tile, rows, cols);
    assert.ok(x * 4 * tile.wgCols >= cols && y * 4 * tile.wgRows >= rows);
  }
});

Deno.test("every tile the engine picks fits the workgroup memory every WebGPU device has", () => {
  // A 4 × 256 tile 32 deep (33 KB) once passed on lavapipe and an H100 but not on 32 KB devices.
  for (const tile of [...CANDIDATES, ...FEW_ROWS]) {
    assert.ok(tileBytes(tile) <= PORTABLE_WORKGROUP_BYTES, JSON.stringify(tile));
  }
});
