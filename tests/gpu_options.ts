/**
 * The GPU tests' context options: `AJUSTE_TEST_MATMUL=tile` runs the GPU kernel family
 * (matmul_tile.wgsl) on lavapipe too, so its whole-session parity is checked without a GPU;
 * `block` runs the CPU adapters' family on a GPU. Unset: the adapter's own choice.
 *
 * @module
 */

import type { GpuContextOptions } from "../engine/webgpu/gpu_context.ts";

export function gpuTestOptions(): GpuContextOptions {
  const matmul = Deno.env.get("AJUSTE_TEST_MATMUL");
  if (matmul === undefined || matmul === "") return {};
  if (matmul !== "tile" && matmul !== "block") {
    throw new Error(`AJUSTE_TEST_MATMUL must be "tile" or "block", got "${matmul}"`);
  }
  return { matmul };
}
