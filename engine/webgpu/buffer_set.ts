/**
 * The GPU buffers one session owns: created through the context's limit checks, counted for
 * `bytesAllocated`, destroyed together on dispose.
 *
 * @module
 */

import type { GpuContext } from "./gpu_context.ts";

const STORAGE = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;

export class BufferSet {
  #buffers: GPUBuffer[] = [];
  #bytes = 0;

  constructor(readonly context: GpuContext) {}

  get bytes(): number {
    return this.#bytes;
  }

  /** A zeroed buffer of `bytes`, usable as storage and as a copy source or target. */
  storage(label: string, bytes: number): GPUBuffer {
    return this.create(label, bytes, STORAGE);
  }

  /** A storage buffer holding `data`. */
  storageFrom(label: string, data: ArrayBufferView): GPUBuffer {
    const buffer = this.storage(label, data.byteLength);
    writeView(this.context.device.queue, buffer, data);
    return buffer;
  }

  create(label: string, bytes: number, usage: GPUBufferUsageFlags): GPUBuffer {
    const buffer = this.context.createBuffer(label, bytes, usage);
    this.#buffers.push(buffer);
    this.#bytes += buffer.size;
    return buffer;
  }

  /** Destroys `buffer` (one of this set's) and forgets it. */
  release(buffer: GPUBuffer): void {
    const index = this.#buffers.indexOf(buffer);
    if (index < 0) return;
    this.#buffers.splice(index, 1);
    this.#bytes -= buffer.size;
    buffer.destroy();
  }

  destroyAll(): void {
    for (const buffer of this.#buffers) buffer.destroy();
    this.#buffers = [];
    this.#bytes = 0;
  }
}

/**
 * queue.writeBuffer of a typed array, padded to the 4-byte multiple WebGPU requires (u8 pixel
 * tables need not be).
 */
export function writeView(queue: GPUQueue, buffer: GPUBuffer, data: ArrayBufferView, offset = 0) {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const whole = bytes.byteLength - (bytes.byteLength % 4);
  if (whole > 0) queue.writeBuffer(buffer, offset, bytes, 0, whole);
  if (whole < bytes.byteLength) {
    const tail = new Uint8Array(4);
    tail.set(bytes.subarray(whole));
    queue.writeBuffer(buffer, offset + whole, tail);
  }
}
