/**
 * Reading GPU buffers back: copies recorded at the end of command buffers into one staging
 * buffer, mapped once after the last submit. Each map costs Deno at least ~10 ms, so sessions
 * read back once per epoch or evaluation, never per step.
 *
 * @module
 */

import type { GpuContext } from "./gpu_context.ts";

export class Staging {
  readonly #context: GpuContext;
  readonly #buffer: GPUBuffer;

  constructor(context: GpuContext, bytes: number) {
    this.#context = context;
    this.#buffer = context.device.createBuffer({
      label: "readback",
      size: Math.max(4, Math.ceil(bytes / 4) * 4),
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
  }

  /** Records a copy of `size` bytes of `source` (from `sourceOffset`) to staging byte `at`. */
  copy(
    encoder: GPUCommandEncoder,
    source: GPUBuffer,
    sourceOffset: number,
    at: number,
    size: number,
  ) {
    if (size > 0) encoder.copyBufferToBuffer(source, sourceOffset, this.#buffer, at, size);
  }

  /** Frees the staging buffer unread (work was cancelled before its copies were recorded). */
  discard(): void {
    this.#buffer.destroy();
  }

  /** After the copies' command buffers are submitted: the staged bytes (then frees them). */
  async read(): Promise<ArrayBuffer> {
    try {
      await this.#context.orLost(this.#buffer.mapAsync(GPUMapMode.READ));
      return this.#buffer.getMappedRange().slice(0);
    } finally {
      this.#buffer.destroy();
    }
  }
}
