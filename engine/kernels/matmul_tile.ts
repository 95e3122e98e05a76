/**
 * Tile shapes for `shaders/matmul_tile.wgsl`, the tiled product behind the three linear kernels.
 * Each thread owns a fixed 4×4 block of outputs; the workgroup's shape sets the tile. The tile is
 * chosen per shape: the larger of two when it still gives the device a 32nd of `target`
 * workgroups (a GPU wants a thousand to fill its multiprocessors, and a batch of 128 against 512
 * units makes only 16 tiles of 64×64; split-K, in split_k.ts, shares the depth of a product with
 * too few tiles), with short wide tiles for a handful of rows (stochastic batches of one example).
 * CPU adapters use `matmul_block.wgsl` instead (engine/kernels/matmul_block.ts) unless a shape
 * pins `blocks: false`, as the tile tests do.
 *
 * @module
 */

export interface MatmulTile {
  /** Threads along rows and columns of the workgroup; the tile is 4·wgRows × 4·wgCols. */
  wgRows: number;
  wgCols: number;
  /** Depth of the slab staged in workgroup memory per iteration. */
  tileK: number;
}

/** Outputs per thread along each side (`PER_THREAD` in the shader). */
export const PER_THREAD = 4;

/**
 * Workgroups a discrete GPU should get per dispatch, split-K's shares included (split_k.ts): an
 * H100's 132 multiprocessors each hold several 128-thread workgroups, and sharing a 1024-deep
 * weight gradient among 5–8 × 200 workgroups ran it in 94–100 µs against 178 µs unshared
 * (bench/tile_sweep.ts, 2026-11-27).
 */
export const GPU_TARGET_WORKGROUPS = 1024;
/** The same for a CPU adapter (lavapipe): a few per core. */
export const CPU_TARGET_WORKGROUPS = 8;

/**
 * From the biggest tile down; none under 64 threads, so no warp or wavefront runs half empty,
 * and each thread stages at most 16 words of an operand per slab (so it prefetches). On an
 * H100 (bench/tile_sweep.ts, 2026-11-27) 64 × 32 tiles were the fastest or within 10% for every
 * product of the default model at batch 128 and 1024, 64 × 64 ones ahead only for products
 * that already fill the GPU.
 */
export const CANDIDATES: readonly MatmulTile[] = [
  { wgRows: 16, wgCols: 16, tileK: 16 },
  { wgRows: 16, wgCols: 8, tileK: 16 },
];

/** For at most 8 rows: one or two rows of threads, wide along the columns. */
export const FEW_ROWS: readonly MatmulTile[] = [
  { wgRows: 1, wgCols: 64, tileK: 8 },
  { wgRows: 2, wgCols: 32, tileK: 16 },
];

/** Workgroup memory every WebGPU device offers (`maxComputeWorkgroupStorageSize`'s default). */
export const PORTABLE_WORKGROUP_BYTES = 16384;

/** Bytes of workgroup memory `tile` stages (a TILE_K-deep slab of each operand, f32). */
export function tileBytes(tile: MatmulTile): number {
  return tile.tileK * (tileRows(tile) + tileCols(tile)) * 4;
}

export function tileRows(tile: MatmulTile): number {
  return tile.wgRows * PER_THREAD;
}

export function tileCols(tile: MatmulTile): number {
  return tile.wgCols * PER_THREAD;
}

/** Workgroups covering a rows × cols output. */
export function tileGrid(tile: MatmulTile, rows: number, cols: number): [number, number, number] {
  return [Math.ceil(cols / tileCols(tile)), Math.ceil(rows / tileRows(tile)), 1];
}

/**
 * A tile for a product with `rows` × `cols` outputs on a device that wants `target` workgroups:
 * the biggest whose grid has at least a 32nd of the target (split-K makes up the rest; bigger
 * tiles read less, but a product of few tiles leaves too little to share), else the smallest.
 */
export function chooseTile(rows: number, cols: number, target: number): MatmulTile {
  if (rows <= 8) return rows <= 4 ? FEW_ROWS[0] : FEW_ROWS[1];
  for (const tile of CANDIDATES) {
    const [x, y] = tileGrid(tile, rows, cols);
    if (32 * x * y >= target) return tile;
  }
  return CANDIDATES[CANDIDATES.length - 1];
}

/** The override constants of matmul_tile.wgsl for `tile` and the operands' memory order. */
export function tileConstants(
  tile: MatmulTile,
  aKContiguous: boolean,
  bKContiguous: boolean,
): Record<string, number> {
  return {
    WG_ROWS: tile.wgRows,
    WG_COLS: tile.wgCols,
    TILE_K: tile.tileK,
    A_K_CONTIGUOUS: aKContiguous ? 1 : 0,
    B_K_CONTIGUOUS: bKContiguous ? 1 : 0,
  };
}

/** The tile a kernel was compiled with, read back from its override constants. */
export function tileOf(kernel: { constants: Readonly<Record<string, number>> }): MatmulTile {
  const c = kernel.constants;
  return { wgRows: c.WG_ROWS, wgCols: c.WG_COLS, tileK: c.TILE_K };
}
