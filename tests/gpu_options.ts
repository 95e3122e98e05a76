/**
 * The GPU tests' context options: `AJUSTE_TEST_MATMUL=tile` runs the GPU kernel family
 * (matmul_tile.wgsl) on lavapipe too, so its whole-session parity is checked without a GPU;
 * `block` runs the CPU adapters' family on a GPU. `AJUSTE_TEST_SPLIT_K=N` shares every tiled
 * product's depth N ways (split-K). Unset: the adapter's own choices.
 *
 * @module
 */

import type { GpuContextOptions } from "../engine/webgpu/gpu_context.ts";

export function gpuTestOptions(): GpuContextOptions {
  const options: GpuContextOptions = {};
  const matmul = Deno.env.get("AJUSTE_TEST_MATMUL") || undefined;
  if (matmul !== undefined) {
    if (matmul !== "tile" && matmul !== "block") {
      throw new Error(`AJUSTE_TEST_MATMUL must be "tile" or "block", got "${matmul}"`);
    }
    options.matmul = matmul;
  }
  const splitK = Deno.env.get("AJUSTE_TEST_SPLIT_K") || undefined;
  if (splitK !== undefined) {
    const n = Number(splitK);
    if (!(Number.isInteger(n) && n >= 1)) {
      throw new Error(`AJUSTE_TEST_SPLIT_K must be a positive integer, got "${splitK}"`);
    }
    options.splitK = n;
  }
  return options;
}
