/**
 * Chooses the backend for `config.device`:
 * - `cpu`: the reference backend.
 * - `gpu`: WebGPU on whatever adapter exists (a software one such as lavapipe included); a clear
 *   error without one.
 * - `auto`: WebGPU on a hardware adapter, else the CPU reference. A software adapter is skipped:
 *   measured on a 2-core box, the CPU reference trains the default model about 5× faster than
 *   the same WGSL kernels on lavapipe (bench/README.md).
 *
 * The WebGPU backend is opened once per thread and shared by the runs that follow (the engine
 * worker owns the device); a lost device is reopened for the next run.
 *
 * @module
 */

import type { Backend } from "./backend.ts";
import { CpuBackend } from "./cpu/session.ts";
import type { DeviceChoice } from "./spec.ts";
import type { WebGpuBackend } from "./webgpu/backend.ts";

let webgpu: Promise<WebGpuBackend | null> | null = null;

export async function selectBackend(device: DeviceChoice): Promise<Backend> {
  if (device === "cpu") return new CpuBackend();
  const gpu = await openWebGpu();
  if (device === "gpu") {
    if (gpu) return gpu;
    throw new Error(
      'Device "gpu" needs a WebGPU adapter and none was found: install a GPU driver (or ' +
        'mesa-vulkan-drivers for a CPU adapter), or use device "auto" or "cpu"',
    );
  }
  return gpu && !gpu.isFallbackAdapter ? gpu : new CpuBackend();
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
