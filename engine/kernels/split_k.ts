/**
 * Split-K for the three linear kernels on `shaders/matmul_tile.wgsl`: when a product has few
 * output tiles for the device (a batch of 128 against 512 units makes 32 tiles of 64 × 32 on a
 * GPU of 132 multiprocessors) and a long depth, its depth is shared among `SPLIT_K` workgroups
 * per tile (the grid's z). Each writes its partial product to a scratch buffer, and the kernel's
 * reduce entry point sums the shares in order and applies the kernel's epilogue: two dispatches
 * instead of one, each far shorter. On the H100 the slabs of one workgroup run one after the
 * other at ~1.4 µs each whatever the tile, so the 49 slabs of a 784-deep product took ~100 µs.
 *
 * @module
 */

import type { GpuContext } from "../webgpu/gpu_context.ts";
import {
  assertCapacity,
  bindKernel,
  type Dispatch,
  type Kernel,
  type KernelDefinition,
} from "./kernel.ts";

/** At most this many shares of one product. */
export const MAX_SPLITS = 16;
/** A share gets at least this many slabs (TILE_K deep each): fewer would not pay the reduce. */
export const MIN_SLABS_PER_SPLIT = 4;
/** Threads of a workgroup of the reduce entry points (`@workgroup_size(256)`). */
export const REDUCE_WORKGROUP = 256;
/** Largest workgroup count of one dimension WebGPU guarantees. */
const MAX_WORKGROUPS = 65535;

/** A matmul kernel with, when it splits its depth, the reduce kernel that finishes it. */
export interface MatmulKernels {
  readonly matmul: Kernel;
  /** Null when SPLIT_K is 1 (or on matmul_block). */
  readonly reduce: Kernel | null;
  /** Shares of the depth. */
  readonly splits: number;
  /** Words of scratch the shares need (0 without split). */
  readonly partialWords: number;
}

/** Where a product's partials live: its output's rows and columns (the stride of one share). */
export interface PartialShape {
  rows: number;
  cols: number;
}

/**
 * Shares of the depth for a product of `workgroups` output tiles and `depth` on a device that
 * wants `target` workgroups: enough to reach the target, each with at least
 * {@linkcode MIN_SLABS_PER_SPLIT} slabs, at most {@linkcode MAX_SPLITS}.
 */
export function chooseSplit(
  workgroups: number,
  depth: number,
  tileK: number,
  target: number,
): number {
  const slabs = Math.ceil(depth / tileK);
  const splits = Math.min(
    MAX_SPLITS,
    Math.floor(target / workgroups),
    Math.floor(slabs / MIN_SLABS_PER_SPLIT),
  );
  return Math.max(1, splits);
}

/** The override constants of matmul_tile.wgsl's split-K for `splits` shares of `partial`. */
export function splitConstants(splits: number, partial: PartialShape): Record<string, number> {
  return splits > 1
    ? { SPLIT_K: splits, PARTIAL_COLS: partial.cols, PARTIAL_STRIDE: partial.rows * partial.cols }
    : {};
}

/**
 * Compiles `definition` with `constants` and, when `splits` > 1, its reduce entry point
 * `reduceEntry` with the same constants. Falls back to one share when the reduce grid would
 * exceed the workgroup count WebGPU guarantees per dimension.
 */
export async function compileMatmul(
  context: GpuContext,
  definition: KernelDefinition,
  reduceEntry: string,
  constants: Record<string, number>,
  splits: number,
  partial: PartialShape,
): Promise<MatmulKernels> {
  const elements = partial.rows * partial.cols;
  const shares = Math.ceil(elements / REDUCE_WORKGROUP) > MAX_WORKGROUPS ? 1 : splits;
  const all = { ...constants, ...splitConstants(shares, partial) };
  const [matmul, reduce] = await Promise.all([
    context.kernel(definition, all),
    shares > 1 ? context.kernel({ ...definition, entryPoint: reduceEntry }, all) : null,
  ]);
  return { matmul, reduce, splits: shares, partialWords: shares > 1 ? shares * elements : 0 };
}

/** The same for a kernel without split (matmul_block): no reduce, no scratch. */
export function unsplit(kernel: Kernel): MatmulKernels {
  return { matmul: kernel, reduce: null, splits: 1, partialWords: 0 };
}

/**
 * The dispatches of a matmul kernel: the product over the grid `grid(rows)` (times the shares
 * along z), then, when split, the reduce over `elements(rows)` output elements. `buffers` are
 * the kernel's bindings in order with `partials` inserted at `partialsAt` (matmul_tile kernels
 * only; matmul_block kernels take `buffers` as they are).
 */
export function matmulDispatches(
  context: GpuContext,
  kernels: MatmulKernels,
  buffers: readonly GPUBuffer[],
  options: {
    partials: GPUBuffer | undefined;
    partialsAt: number | null;
    maxRows: number;
    grid: (rows: number) => [number, number, number];
    elements: (rows: number) => number;
  },
): Dispatch[] {
  const { matmul, reduce, splits, partialWords } = kernels;
  const name = matmul.definition.name;
  const partials = options.partials ?? context.placeholder;
  const bound = [...buffers];
  if (options.partialsAt !== null) {
    if (partialWords > 0) assertCapacity(name, "partials", partials, partialWords);
    bound.splice(options.partialsAt, 0, partials);
  }
  const first: Dispatch = {
    kernel: matmul,
    bindGroup: bindKernel(context.device, matmul, bound),
    maxRows: options.maxRows,
    workgroups: (rows) => {
      const [x, y] = options.grid(rows);
      return [x, y, splits];
    },
  };
  if (!reduce) return [first];
  return [first, {
    kernel: reduce,
    bindGroup: bindKernel(context.device, reduce, bound),
    maxRows: options.maxRows,
    workgroups: (rows) => [Math.ceil(options.elements(rows) / REDUCE_WORKGROUP), 1, 1],
  }];
}
