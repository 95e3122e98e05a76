/**
 * ajuste's WebGPU training engine: WGSL kernels (`shaders/`) driven from `engine/kernels/`, an
 * epoch per command buffer, data and optimizer state resident on the GPU.
 *
 * @module
 */

export { WebGpuBackend } from "./backend.ts";
export { WebGpuSession } from "./session.ts";
export { GpuContext } from "./gpu_context.ts";
