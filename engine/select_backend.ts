/**
 * Chooses the backend for a run's `device`:
 * - `cpu`: the fast CPU backend (`cpu/fast_backend.ts`: OpenBLAS, else WebAssembly SIMD; the
 *   reference loops with `AJUSTE_CPU=reference`).
 * - `gpu`: WebGPU on whatever adapter exists (a software one such as lavapipe included); a clear
 *   error without one.
 * - `auto`: the backend predicted to train the run's epochs fastest, from figures measured on
 *   this machine (`auto_device.ts`): on a 2-core box with lavapipe that is the CPU backend at
 *   every batch size (bench/README.md), on a hardware GPU the GPU for most shapes. Without an
 *   adapter, the CPU backend.
 *
 * The WebGPU backend is opened once per thread and shared by the runs that follow (the engine
 * worker owns the device, and the calibration borrows it); a lost device is reopened for the
 * next run.
 *
 * @module
 */

import type { RunShape } from "./auto_choice.ts";
import { autoModeFromEnv, calibrationFor, decideAuto, EXAMPLE_SHAPES } from "./auto_device.ts";
import type { Backend } from "./backend.ts";
import { openCpuBackend } from "./cpu/fast_backend.ts";
import type { BatchSpec, DeviceChoice, LayerSpec } from "./spec.ts";
import type { WebGpuBackend } from "./webgpu/backend.ts";

let webgpu: Promise<WebGpuBackend | null> | null = null;

/** The backend a run trains on, and for `auto` why. */
export interface SelectedBackend {
  backend: Backend;
  /** `auto`'s reason; absent when the device was named. */
  why?: string;
}

/** The backend for `device`; `auto` decides for `shape` (the default model's by default). */
export async function selectBackend(
  device: DeviceChoice,
  shape: RunShape = EXAMPLE_SHAPES[2],
): Promise<SelectedBackend> {
  if (device === "cpu") return { backend: openCpuBackend() };
  const gpu = await openWebGpu();
  if (device === "gpu") {
    if (gpu) return { backend: gpu };
    throw new Error(
      'Device "gpu" needs a WebGPU adapter and none was found: install a GPU driver (or ' +
        'mesa-vulkan-drivers for a CPU adapter), or use device "auto" or "cpu"',
    );
  }
  const cpu = openCpuBackend();
  const adapter = gpu && { description: gpu.description, isFallbackAdapter: gpu.isFallbackAdapter };
  const lend = () => Promise.resolve({ backend: gpu!, release() {} });
  const { calibration } = await calibrationFor(cpu, adapter, lend, autoModeFromEnv());
  const decision = decideAuto(adapter, calibration, shape);
  return { backend: decision.backend === "webgpu" && gpu ? gpu : cpu, why: decision.why };
}

/** A run's shape for `auto`: examples per step, steps per epoch, and its layers' widths. */
export function runShape(
  batch: BatchSpec,
  trainRows: number,
  features: number,
  layers: readonly LayerSpec[],
  outputs: number,
): RunShape {
  const examples = Math.max(1, effectiveBatch(batch, trainRows));
  return {
    batch: examples,
    steps: Math.max(1, Math.ceil(trainRows / examples)),
    widths: [features, ...layers.map((layer) => layer.units), outputs],
  };
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
