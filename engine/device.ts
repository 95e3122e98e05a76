/**
 * What the engine can run on: the WebGPU adapter Deno offers (a real GPU, or lavapipe's CPU
 * adapter), and the CPU backend, which is all there is without an adapter. Only the adapter is
 * requested here; the GPUDevice belongs to the engine worker that trains (`auto_device.ts` adds
 * what `device: "auto"` chooses between them).
 *
 * @module
 */

import type { AutoReport } from "./auto_device.ts";
import { requestAdapter } from "./webgpu/adapter.ts";

/** Adapter limits that decide tile sizes and how much data fits in one binding. */
export const REPORTED_LIMITS = [
  "maxBufferSize",
  "maxStorageBufferBindingSize",
  "maxUniformBufferBindingSize",
  "maxStorageBuffersPerShaderStage",
  "maxBindGroups",
  "minStorageBufferOffsetAlignment",
  "minUniformBufferOffsetAlignment",
  "maxComputeWorkgroupStorageSize",
  "maxComputeInvocationsPerWorkgroup",
  "maxComputeWorkgroupSizeX",
  "maxComputeWorkgroupSizeY",
  "maxComputeWorkgroupSizeZ",
  "maxComputeWorkgroupsPerDimension",
] as const;
export type ReportedLimit = typeof REPORTED_LIMITS[number];

export interface WebGpuDeviceInfo {
  backend: "webgpu";
  vendor: string;
  architecture: string;
  description: string;
  /** True for software adapters such as lavapipe: WebGPU semantics at CPU speed. */
  isFallbackAdapter: boolean;
  limits: Record<ReportedLimit, number>;
  features: string[];
  /** What `device: "auto"` chooses here, and the figures it chooses from. */
  auto?: AutoReport;
}

export interface CpuDeviceInfo {
  backend: "cpu";
  /** Why there is no WebGPU adapter. */
  reason: string;
  /** What `device: "auto"` chooses here (the CPU backend). */
  auto?: AutoReport;
}

export type DeviceInfo = WebGpuDeviceInfo | CpuDeviceInfo;

/** The part of `navigator.gpu` the probe uses, so tests can stand in for a missing GPU. */
export type AdapterSource = Pick<GPU, "requestAdapter">;

/**
 * Asks for the high-performance adapter and describes it. `gpu` is `null` where the runtime has
 * no WebGPU at all; it defaults to `navigator.gpu`.
 */
export async function probeDevice(
  gpu: AdapterSource | null = navigator.gpu ?? null,
): Promise<DeviceInfo> {
  if (!gpu) {
    return { backend: "cpu", reason: "WebGPU is not available in this runtime" };
  }
  let adapter: GPUAdapter | null;
  try {
    adapter = await requestAdapter({ powerPreference: "high-performance" }, gpu);
  } catch (error) {
    return { backend: "cpu", reason: `Requesting a WebGPU adapter failed: ${String(error)}` };
  }
  if (!adapter) {
    return {
      backend: "cpu",
      reason: "No WebGPU adapter found (mesa-vulkan-drivers provides one on the CPU)",
    };
  }
  return describeAdapter(adapter);
}

function describeAdapter(adapter: GPUAdapter): WebGpuDeviceInfo {
  const info = adapter.info;
  // Deno reports the flag on GPUAdapterInfo (current spec); older browsers on the adapter.
  const legacyFlag = (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter;
  const limits = {} as Record<ReportedLimit, number>;
  for (const name of REPORTED_LIMITS) limits[name] = adapter.limits[name];
  return {
    backend: "webgpu",
    vendor: info.vendor,
    architecture: info.architecture,
    description: info.description,
    isFallbackAdapter: info.isFallbackAdapter ?? legacyFlag ?? false,
    limits,
    features: [...adapter.features].sort(),
  };
}

/** Short human label: "GPU", "CPU adapter (lavapipe)" or "CPU". */
export function deviceLabel(device: DeviceInfo): string {
  if (device.backend === "cpu") return "CPU";
  if (!device.isFallbackAdapter) return "GPU";
  return /llvmpipe|lavapipe/i.test(device.description) ? "CPU adapter (lavapipe)" : "CPU adapter";
}
