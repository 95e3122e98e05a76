/**
 * The grid of `shaders/matmul_block.wgsl`, the product the linear kernels use on CPU adapters
 * (lavapipe) instead of `matmul_tile.wgsl`: each invocation computes an 8×8 block straight from
 * storage, with no workgroup memory or barrier, so one shape serves every product.
 *
 * @module
 */

import type { Kernel } from "./kernel.ts";

/** Rows and columns of the product per invocation (`BLOCK` in the shader). */
export const BLOCK = 8;
/** Invocations along each side of a workgroup (`BLOCK_WG`): a 64 × 64 tile of the product. */
export const BLOCK_WG = 8;

/** Workgroups covering a rows × cols product. */
export function blockGrid(rows: number, cols: number): [number, number, number] {
  const side = BLOCK * BLOCK_WG;
  return [Math.ceil(cols / side), Math.ceil(rows / side), 1];
}

/** Whether `kernel` was built on matmul_block rather than matmul_tile. */
export function isBlockKernel(kernel: Kernel): boolean {
  return kernel.definition.libraries.includes("matmul_block");
}
