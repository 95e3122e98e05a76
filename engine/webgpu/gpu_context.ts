/**
 * The GPUDevice the WebGPU backend trains on, with what every session shares: the limits it was
 * granted, the step-uniform layout, a pipeline cache (so a tuner's trials with the same shapes
 * compile each kernel once) and device-loss handling that fails pending work instead of hanging.
 *
 * @module
 */

import {
  chooseTile,
  CPU_TARGET_WORKGROUPS,
  GPU_TARGET_WORKGROUPS,
  type MatmulTile,
} from "../kernels/matmul_tile.ts";
import { chooseSplit } from "../kernels/split_k.ts";
import {
  compileKernel,
  createStepLayout,
  type Kernel,
  type KernelDefinition,
} from "../kernels/kernel.ts";
import { trackHandle } from "../open_handles.ts";
import { requestAdapter } from "./adapter.ts";

/** Bytes of `shaders/step_params.wgsl`'s StepParams (engine/webgpu/step_params.ts packs it). */
const STEP_PARAMS_BYTES = 52;

/** Limits requested at the adapter's maximum, so large layers and datasets fit one binding. */
const REQUESTED_LIMITS = [
  "maxBufferSize",
  "maxStorageBufferBindingSize",
  "maxComputeWorkgroupStorageSize",
  "maxComputeInvocationsPerWorkgroup",
  "maxComputeWorkgroupSizeX",
  "maxComputeWorkgroupSizeY",
  "maxComputeWorkgroupsPerDimension",
  "maxStorageBuffersPerShaderStage",
  // Alignments are minimums: the adapter's value is the most permissive.
  "minUniformBufferOffsetAlignment",
  "minStorageBufferOffsetAlignment",
] as const;

/** Choices the adapter's kind makes otherwise; for benchmarks and for testing either kernel
 * family on any adapter. */
export interface GpuContextOptions {
  /** `tile`: matmul_tile.wgsl (GPUs); `block`: matmul_block.wgsl (CPU adapters). */
  matmul?: "tile" | "block";
  /** One tile for every linear kernel instead of the per-shape choice (tile sweeps). */
  tile?: MatmulTile;
  /** Shares of every matmul_tile product's depth instead of the per-shape choice (tests, sweeps). */
  splitK?: number;
}

export class GpuContext {
  readonly device: GPUDevice;
  readonly adapterInfo: GPUAdapterInfo;
  /** Bytes between consecutive steps' uniform slots (the dynamic-offset alignment). */
  readonly stepStride: number;
  readonly stepLayout: GPUBindGroupLayout;
  readonly hasTimestamps: boolean;
  /** Workgroups a matmul dispatch should aim for, split-K included: ~1000 on a GPU, 8 on lavapipe. */
  readonly matmulTarget: number;
  /** Whether the linear kernels use matmul_block (a CPU adapter) rather than matmul_tile. */
  readonly matmulBlocks: boolean;
  readonly #tile: MatmulTile | null;
  readonly #splitK: number | null;
  #placeholder: GPUBuffer | null = null;
  #pipelines = new Map<string, Promise<Kernel>>();
  /** Compiles run one at a time: error scopes are a per-device stack, so overlapping
   * push/pop pairs would blame one kernel's error on another. */
  #compiling: Promise<unknown> = Promise.resolve();
  #lostMessage: string | null = null;
  #lost: Promise<never>;
  #uncaptured: string | null = null;
  readonly #release: () => void;

  private constructor(
    device: GPUDevice,
    adapterInfo: GPUAdapterInfo,
    options: GpuContextOptions,
  ) {
    this.device = device;
    this.adapterInfo = adapterInfo;
    this.#release = trackHandle("GPU device", adapterInfo.description || "WebGPU device");
    const align = device.limits.minUniformBufferOffsetAlignment;
    this.stepStride = Math.ceil(STEP_PARAMS_BYTES / align) * align;
    this.stepLayout = createStepLayout(device, STEP_PARAMS_BYTES);
    this.hasTimestamps = device.features.has("timestamp-query");
    this.matmulTarget = adapterInfo.isFallbackAdapter
      ? CPU_TARGET_WORKGROUPS
      : GPU_TARGET_WORKGROUPS;
    this.matmulBlocks = options.matmul
      ? options.matmul === "block"
      : adapterInfo.isFallbackAdapter ?? false;
    this.#tile = options.tile ?? null;
    this.#splitK = options.splitK ?? null;
    this.#lost = device.lost.then((info) => {
      this.#lostMessage = `GPU device was lost (${info.reason}): ${info.message}`;
      throw new Error(this.#lostMessage);
    });
    // Keep an unobserved rejection from crashing the process; callers race against it.
    this.#lost.catch(() => {});
    device.addEventListener("uncapturederror", (event) => {
      this.#uncaptured ??= (event as GPUUncapturedErrorEvent).error.message;
    });
  }

  /** Opens the high-performance adapter's device. Throws when there is no WebGPU adapter. */
  static async create(options: GpuContextOptions = {}): Promise<GpuContext> {
    if (!navigator.gpu) throw new Error("WebGPU is not available in this runtime");
    const adapter = await requestAdapter({ powerPreference: "high-performance" });
    if (!adapter) {
      throw new Error("No WebGPU adapter found (mesa-vulkan-drivers provides one on the CPU)");
    }
    const requiredLimits: Record<string, number> = {};
    for (const name of REQUESTED_LIMITS) requiredLimits[name] = adapter.limits[name];
    const requiredFeatures: GPUFeatureName[] = adapter.features.has("timestamp-query")
      ? ["timestamp-query"]
      : [];
    const device = await adapter.requestDevice({
      label: "ajuste",
      requiredLimits,
      requiredFeatures,
    });
    return new GpuContext(device, adapter.info, options);
  }

  /** The matmul_tile tile for a product with `rows` × `cols` outputs on this device. */
  matmulTile(rows: number, cols: number): MatmulTile {
    return this.#tile ?? chooseTile(rows, cols, this.matmulTarget);
  }

  /**
   * Shares of the depth for a matmul_tile product of `workgroups` output tiles and `depth`
   * (split_k.ts); always 1 on a CPU adapter, which wants few workgroups.
   */
  matmulSplit(workgroups: number, depth: number, tileK: number): number {
    return this.#splitK ?? chooseSplit(workgroups, depth, tileK, this.matmulTarget);
  }

  /** A 16-byte storage buffer for bindings a kernel declares but does not use (split-K's
   * scratch when it does not split). */
  get placeholder(): GPUBuffer {
    this.#placeholder ??= this.device.createBuffer({
      label: "placeholder",
      size: 16,
      usage: GPUBufferUsage.STORAGE,
    });
    return this.#placeholder;
  }

  get limits(): GPUSupportedLimits {
    return this.device.limits;
  }

  get description(): string {
    return this.adapterInfo.description || this.adapterInfo.vendor || "WebGPU adapter";
  }

  /** The kernel compiled with `constants`, compiled once per distinct set. */
  kernel(definition: KernelDefinition, constants: Record<string, number>): Promise<Kernel> {
    const key = `${definition.name}.${definition.entryPoint}:${JSON.stringify(constants)}`;
    let kernel = this.#pipelines.get(key);
    if (!kernel) {
      this.assertUsable();
      kernel = this.#compiling.then(() =>
        compileKernel(this.device, definition, constants, this.stepLayout)
      );
      this.#compiling = kernel.catch(() => {});
      kernel.catch(() => this.#pipelines.delete(key));
      this.#pipelines.set(key, kernel);
    }
    return kernel;
  }

  /** Whether the device was lost (a new context is needed for further work). */
  get isLost(): boolean {
    return this.#lostMessage !== null;
  }

  /** Resolves with `work`, or rejects once the device is lost, whichever happens first. */
  orLost<T>(work: Promise<T>): Promise<T> {
    return Promise.race([work, this.#lost]);
  }

  /** Throws if the device is lost or reported an error no scope caught (a failed dispatch). */
  assertUsable(): void {
    if (this.#lostMessage) throw new Error(this.#lostMessage);
    if (this.#uncaptured) throw new Error(`GPU validation error: ${this.#uncaptured}`);
  }

  /** A buffer of `size` bytes, refused with the adapter's limit before any allocation. */
  createBuffer(label: string, size: number, usage: GPUBufferUsageFlags): GPUBuffer {
    this.assertFits(label, alignTo(size, 16));
    // Whole vec4s: the CPU adapter's kernels read storage buffers as array<vec4<f32>>.
    return this.device.createBuffer({ label, size: Math.max(16, alignTo(size, 16)), usage });
  }

  /** Throws a RangeError naming `what` when `bytes` exceeds a storage binding or buffer limit. */
  assertFits(what: string, bytes: number): void {
    const binding = this.limits.maxStorageBufferBindingSize;
    const buffer = this.limits.maxBufferSize;
    const limit = Math.min(binding, buffer);
    if (bytes > limit) {
      throw new RangeError(
        `${what} needs ${formatBytes(bytes)} in one GPU buffer, but this adapter allows at most ` +
          `${formatBytes(limit)} (maxStorageBufferBindingSize ${binding}, maxBufferSize ${buffer})`,
      );
    }
  }

  destroy(): void {
    this.#pipelines.clear();
    this.#placeholder?.destroy();
    this.device.destroy();
    this.#release();
  }
}

export function alignTo(value: number, alignment: number): number {
  return Math.ceil(value / alignment) * alignment;
}

function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  return `${bytes} bytes`;
}
