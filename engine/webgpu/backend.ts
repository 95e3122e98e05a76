/**
 * The WebGPU backend: one GPUDevice (from the high-performance adapter) shared by the sessions
 * it creates one after another, with their compiled pipelines cached across sessions.
 *
 * @example
 * ```ts
 * const backend = await WebGpuBackend.create();
 * const session = await backend.createSession(config, data);
 * const epoch = await session.trainEpoch(0);
 * session.dispose();
 * backend.destroy();
 * ```
 *
 * @module
 */

import type { Backend, TrainingSession } from "../backend.ts";
import type { PreparedData } from "../data/dataset.ts";
import type { RunConfig } from "../spec.ts";
import { GpuContext, type GpuContextOptions } from "./gpu_context.ts";
import { WebGpuSession } from "./session.ts";

export class WebGpuBackend implements Backend {
  readonly kind = "webgpu";
  readonly #context: GpuContext;

  private constructor(context: GpuContext) {
    this.#context = context;
  }

  /** Opens the GPU. Throws when the runtime has no WebGPU adapter. */
  static async create(options: GpuContextOptions = {}): Promise<WebGpuBackend> {
    return new WebGpuBackend(await GpuContext.create(options));
  }

  /** The adapter's description ("NVIDIA H100 80GB HBM3", "llvmpipe (LLVM 15.0.6, 256 bits)"). */
  get description(): string {
    return this.#context.description;
  }

  /** Whether the adapter is a software one such as lavapipe (WebGPU semantics at CPU speed). */
  get isFallbackAdapter(): boolean {
    return this.#context.adapterInfo.isFallbackAdapter ?? false;
  }

  /** The device, for benchmarks that time kernels directly. */
  get context(): GpuContext {
    return this.#context;
  }

  async createSession(config: RunConfig, data: PreparedData): Promise<TrainingSession> {
    return await WebGpuSession.create(this.#context, config, data);
  }

  /** Releases the GPU device; sessions created from this backend stop working. */
  destroy(): void {
    this.#context.destroy();
  }
}
