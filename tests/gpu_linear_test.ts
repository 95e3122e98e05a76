/**
 * The linear kernels (forward with the fused gather, activation and dropout; backward to the
 * input and to the parameters) against their CPU twins, for every tile shape on sizes that are
 * not multiples of any tile, and for the matmul_block variants CPU adapters use, on shapes
 * that take each of their paths (quads aligned or not, partial blocks, a partial last quad).
 *
 * Tolerance: |gpu − cpu| ≤ 1e-5·|cpu| + 1e-5. The CPU sums products in f64, the GPU in f32
 * (fused multiply-adds, tile order), which differs by a few f32 ulps of the sum's terms.
 *
 * @module
 */

import assert from "node:assert/strict";
import { activationBackward, activationForward } from "../engine/cpu/activations.ts";
import { dropoutBackward, dropoutForward, dropoutMask } from "../engine/cpu/dropout.ts";
import { gatherInputs } from "../engine/cpu/gather.ts";
import { linearBackward, linearForward } from "../engine/cpu/linear.ts";
import {
  linearBackwardDataDispatch,
  linearBackwardDataKernel,
} from "../engine/kernels/linear_backward_data.ts";
import {
  linearBackwardWeightDispatch,
  linearBackwardWeightKernel,
} from "../engine/kernels/linear_backward_weight.ts";
import {
  linearForwardDispatch,
  linearForwardKernel,
  type LinearShape,
} from "../engine/kernels/linear_forward.ts";
import {
  CANDIDATES,
  FEW_ROWS,
  type MatmulTile,
  tileCols,
  tileRows,
} from "../engine/kernels/matmul_tile.ts";
import type { Activation } from "../engine/spec.ts";
import { adapter, toleranceRatio } from "./gpu_fixtures.ts";
import { KernelHarness, randomFloats } from "./gpu_harness.ts";

const RTOL = 1e-5;
const ATOL = 1e-5;

function assertClose(actual: Float32Array, expected: Float32Array, what: string): void {
  const ratio = toleranceRatio(actual.subarray(0, expected.length), expected, RTOL, ATOL);
  assert.ok(ratio <= 1, `${what}: off by ${ratio.toFixed(2)}× the tolerance`);
}

interface Case {
  rows: number;
  inFeatures: number;
  outFeatures: number;
  activation: Activation;
  dropout: number;
  tile: MatmulTile;
  /** matmul_block instead of matmul_tile (`tile` then unused). */
  blocks?: boolean;
  /** Shares of the depth (split-K); the context's choice when absent. */
  splitK?: number;
}

/** Beyond the engine's own choices, tiles bench/tile_sweep.ts tries: 16 words a thread
 * prefetched per operand, and workgroups of 32 and 16 threads. */
const SWEPT: MatmulTile[] = [
  { wgRows: 8, wgCols: 8, tileK: 32 },
  { wgRows: 8, wgCols: 8, tileK: 16 },
  { wgRows: 4, wgCols: 16, tileK: 32 }, // 32 words of B a thread: loads slab by slab
  { wgRows: 4, wgCols: 8, tileK: 16 },
  { wgRows: 4, wgCols: 4, tileK: 8 },
];
const TILES = [...CANDIDATES, ...FEW_ROWS, ...SWEPT];

/** Dataset rows the first layer gathers from, through a shuffled order starting at `first`. */
const DATA_ROWS = 90;
const FIRST = 5;

async function checkForwardFromPixels(harness: KernelHarness, c: Case): Promise<void> {
  const { rows, inFeatures: k, outFeatures: n } = c;
  const pixels = Uint8Array.from(randomFloats(DATA_ROWS * k, 1), (x) => Math.floor((x + 1) * 128));
  const order = Uint32Array.from({ length: DATA_ROWS }, (_, i) => (i * 37 + 11) % DATA_ROWS);
  const weight = randomFloats(n * k, 2, 0.3);
  const bias = randomFloats(n, 3, 0.3);
  const transform = { scale: 1 / 255 / 0.3081, shift: -0.1307 / 0.3081 };
  const shape: LinearShape = {
    inFeatures: k,
    outFeatures: n,
    weightOffset: n, // bias first, to exercise offsets
    biasOffset: 0,
    maxRows: rows,
    source: { kind: "data_u8", transform },
    tile: c.tile,
    blocks: c.blocks ?? false,
    splitK: c.splitK,
  };
  const epilogue = { activation: c.activation, layer: 1, dropout: c.dropout };
  const kernel = await linearForwardKernel(harness.context, shape, { epilogue, training: true });
  assert.equal(kernel.splits, c.blocks ? 1 : c.splitK ?? kernel.splits);
  const params = new Float32Array(n + n * k);
  params.set(bias, 0);
  params.set(weight, n);
  const pre = harness.buffer(rows * n * 4);
  const act = harness.buffer(rows * n * 4);
  const dispatch = linearForwardDispatch(harness.context, kernel, shape, {
    source: harness.buffer(pixels),
    order: harness.buffer(order),
    params: harness.buffer(params),
    preActivation: pre,
    activation: act,
    sourceRows: DATA_ROWS,
    partials: harness.buffer(Math.max(16, kernel.partialWords * 4)),
  });
  const step = { rows, first: FIRST, dropoutSeed: 99, globalStep: 12 };
  const [gpuZ, gpuA] = await harness.runFloats([[dispatch, step]], [pre, act]);

  const x = new Float32Array(rows * k);
  const examples = { count: DATA_ROWS, inputs: pixels, labels: new Uint8Array(DATA_ROWS) };
  gatherInputs(examples, k, order.subarray(FIRST, FIRST + rows), transform, x);
  const z = new Float32Array(rows * n);
  linearForward(x, weight, bias, rows, k, n, z);
  const a = new Float32Array(rows * n);
  activationForward(c.activation, z, a);
  const mask = new Uint8Array(rows * n);
  dropoutMask(c.dropout, 99, 12, 1, mask);
  dropoutForward(a, mask, c.dropout, a);
  assertClose(gpuZ, z, "Z");
  assertClose(gpuA, a, "A");
}

async function checkBackward(harness: KernelHarness, c: Case): Promise<void> {
  const { rows, inFeatures: k, outFeatures: n } = c;
  const x = randomFloats(rows * k, 4);
  const weight = randomFloats(n * k, 5, 0.3);
  const bias = randomFloats(n, 6, 0.3);
  const dY = randomFloats(rows * n, 7);
  const pre = randomFloats(rows * k, 8, 2);
  const params = new Float32Array(n * k + n);
  params.set(weight, 0);
  params.set(bias, n * k);
  const shape: LinearShape = {
    inFeatures: k,
    outFeatures: n,
    weightOffset: 0,
    biasOffset: n * k,
    maxRows: rows,
    source: { kind: "activations" },
    tile: c.tile,
    blocks: c.blocks ?? false,
    splitK: c.splitK,
  };
  const previous = { activation: c.activation, layer: 0, dropout: c.dropout };
  const context = harness.context;
  const weightKernel = await linearBackwardWeightKernel(context, shape);
  const dataKernel = await linearBackwardDataKernel(context, { ...shape, previous });
  const grads = harness.buffer(params.byteLength);
  const gradInput = harness.buffer(rows * k * 4);
  const gradOutput = harness.buffer(dY);
  const weightDispatch = linearBackwardWeightDispatch(context, weightKernel, shape, {
    gradOutput,
    source: harness.buffer(x),
    order: harness.buffer(new Uint32Array(1)),
    grads,
    sourceRows: rows,
    partials: harness.buffer(Math.max(16, weightKernel.partialWords * 4)),
  });
  const dataDispatch = linearBackwardDataDispatch(context, dataKernel, { ...shape, previous }, {
    gradOutput,
    params: harness.buffer(params),
    preActivation: harness.buffer(pre),
    gradInput,
    partials: harness.buffer(Math.max(16, dataKernel.partialWords * 4)),
  });
  const step = { rows, dropoutSeed: 3, globalStep: 40 };
  const [gpuGrads, gpuDx] = await harness.runFloats(
    [[weightDispatch, step], [dataDispatch, step]],
    [grads, gradInput],
  );

  const dWeight = new Float32Array(n * k);
  const dBias = new Float32Array(n);
  const dX = new Float32Array(rows * k);
  linearBackward(x, weight, dY, rows, k, n, { dWeight, dBias, dX });
  const mask = new Uint8Array(rows * k);
  dropoutMask(c.dropout, 3, 40, 0, mask);
  dropoutBackward(dX, mask, c.dropout, dX);
  const post = new Float32Array(rows * k);
  activationForward(c.activation, pre, post);
  activationBackward(c.activation, pre, post, dX, dX);
  assertClose(gpuGrads.subarray(0, n * k), dWeight, "dW");
  assertClose(gpuGrads.subarray(n * k), dBias, "db");
  assertClose(gpuDx, dX, "dX");
}

Deno.test({
  name: "linear kernels match engine/cpu/linear.ts for every tile on ragged shapes",
  ignore: !adapter,
  async fn(t) {
    const harness = await KernelHarness.open();
    try {
      for (const tile of TILES) {
        const label = `${tileRows(tile)}×${tileCols(tile)} tile`;
        const c: Case = {
          rows: tileRows(tile) + 3,
          inFeatures: 37,
          outFeatures: tileCols(tile) + 5,
          activation: "gelu",
          dropout: 0.25,
          tile,
        };
        await t.step(
          `linear_forward gathers u8 pixels, adds bias, GELU and dropout (${label})`,
          () => checkForwardFromPixels(harness, c),
        );
        await t.step(
          `linear_backward_* give dW, db and dX through dropout and GELU (${label})`,
          () => checkBackward(harness, c),
        );
      }
      // Split-K: depths of 37 (forward), 69 or more (backward data) and the batch (backward
      // weight) shared 2, 3 and 7 ways, more ways than slabs included (empty shares).
      for (const [tile, splitK] of [[TILES[0], 2], [SWEPT[0], 3], [CANDIDATES[1], 7]] as const) {
        const c: Case = {
          rows: tileRows(tile) + 5,
          inFeatures: 37,
          outFeatures: tileCols(tile) + 5,
          activation: "tanh",
          dropout: 0.25,
          tile,
          splitK,
        };
        const label = `${tileRows(tile)}×${tileCols(tile)} tile, ${splitK} shares`;
        await t.step(`split-K linear_forward (${label})`, () => checkForwardFromPixels(harness, c));
        await t.step(`split-K linear_backward_* (${label})`, () => checkBackward(harness, c));
      }
      const small = { rows: 3, inFeatures: 5, outFeatures: 2, dropout: 0, tile: TILES[0] };
      await t.step("linear kernels handle shapes smaller than one tile", async () => {
        for (const activation of ["relu", "none"] as const) {
          await checkForwardFromPixels(harness, { ...small, activation });
          await checkBackward(harness, { ...small, activation });
        }
      });
    } finally {
      harness.destroy();
    }
  },
});

Deno.test({
  name: "linear kernels on matmul_block match engine/cpu/linear.ts on ragged and aligned shapes",
  ignore: !adapter,
  async fn(t) {
    const harness = await KernelHarness.open();
    try {
      // [rows, in, out]: batches of 1 and 7; rows, columns and depths past whole 8×8 blocks
      // and 64×64 workgroups; features that are (36, 64, 12) and are not (37, 5, 69, 10)
      // multiples of 4, so quads are read aligned or as two loads, with a partial last quad.
      const shapes = [[1, 37, 10], [7, 36, 12], [67, 37, 69], [9, 64, 12], [3, 5, 2]];
      for (const [rows, inFeatures, outFeatures] of shapes) {
        const c: Case = {
          rows,
          inFeatures,
          outFeatures,
          activation: "gelu",
          dropout: 0.25,
          tile: TILES[0],
          blocks: true,
        };
        const label = `${rows} rows, ${inFeatures} → ${outFeatures}`;
        await t.step(
          `linear_forward_block gathers u8 pixels, GELU and dropout (${label})`,
          () => checkForwardFromPixels(harness, c),
        );
        await t.step(
          `linear_backward_*_block give dW, db and dX (${label})`,
          () => checkBackward(harness, c),
        );
      }
      await t.step("linear kernels on matmul_block without dropout, with ReLU", async () => {
        const c = { rows: 7, inFeatures: 36, outFeatures: 12, dropout: 0, tile: TILES[0] };
        await checkForwardFromPixels(harness, { ...c, activation: "relu", blocks: true });
        await checkBackward(harness, { ...c, activation: "relu", blocks: true });
      });
    } finally {
      harness.destroy();
    }
  },
});
