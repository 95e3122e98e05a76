/**
 * Chooses the backend for a run's `device`:
 * - `cpu`: the fast CPU backend (`cpu/fast_backend.ts`: OpenBLAS, else WebAssembly SIMD; the
 *   reference loops with `AJUSTE_CPU=reference`).
 * - `gpu`: WebGPU on whatever adapter exists (a software one such as lavapipe included); a clear
 *   error without one.
 * - `auto`: WebGPU on a hardware adapter. On a software adapter (lavapipe), WebGPU for batches of
 *   {@linkcode SOFTWARE_ADAPTER_MIN_BATCH} or more and the CPU reference below that: measured on
 *   a 2-core box (bench/README.md), lavapipe trained the default model 1.2× faster than the CPU
 *   reference at batch 128 and 2× at 1024, but 8× slower one example at a time, where each
 *   step's dispatches cost more than its arithmetic. Without an adapter, the fast CPU backend.
 *
 * The WebGPU backend is opened once per thread and shared by the runs that follow (the engine
 * worker owns the device); a lost device is reopened for the next run.
 *
 * @module
 */

import type { Backend } from "./backend.ts";
import { openCpuBackend } from "./cpu/fast_backend.ts";
import { SOFTWARE_ADAPTER_MIN_BATCH } from "./device.ts";
import type { BatchSpec, DeviceChoice } from "./spec.ts";
import type { WebGpuBackend } from "./webgpu/backend.ts";

export { SOFTWARE_ADAPTER_MIN_BATCH };

let webgpu: Promise<WebGpuBackend | null> | null = null;

export async function selectBackend(
  device: DeviceChoice,
  batch?: BatchSpec,
  trainRows = Infinity,
): Promise<Backend> {
  if (device === "cpu") return openCpuBackend();
  const gpu = await openWebGpu();
  if (device === "gpu") {
    if (gpu) return gpu;
    throw new Error(
      'Device "gpu" needs a WebGPU adapter and none was found: install a GPU driver (or ' +
        'mesa-vulkan-drivers for a CPU adapter), or use device "auto" or "cpu"',
    );
  }
  if (!gpu) return openCpuBackend();
  if (!gpu.isFallbackAdapter) return gpu;
  return effectiveBatch(batch, trainRows) >= SOFTWARE_ADAPTER_MIN_BATCH ? gpu : openCpuBackend();
}

/** Examples per step: 1, the minibatch size (at most the train rows), or the whole split. */
export function effectiveBatch(batch: BatchSpec | undefined, trainRows: number): number {
  if (!batch) return Infinity;
  if (batch.mode === "stochastic") return 1;
  if (batch.mode === "full") return trainRows;
  return Math.min(batch.size, trainRows);
}

/** Releases this thread's WebGPU device, if one was opened; the next run opens it again. */
export async function closeWebGpu(): Promise<void> {
  const current = await webgpu;
  webgpu = null;
  current?.destroy();
}

async function openWebGpu(): Promise<WebGpuBackend | null> {
  if (!("gpu" in navigator) || !navigator.gpu) return null;
  const current = await webgpu;
  if (current && !current.context.isLost) return current;
  webgpu = import("./webgpu/backend.ts")
    .then(({ WebGpuBackend }) => WebGpuBackend.create())
    .catch(() => null);
  return await webgpu;
}
