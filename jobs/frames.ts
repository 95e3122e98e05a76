/**
 * Messages over a byte stream (a child process's stdin and stdout). A frame starts with
 * little-endian u32s: the length of the value in V8's structured-clone format (`node:v8`), the
 * number of large buffers sent beside it, and each one's length; then the value, then those
 * buffers' bytes. Typed arrays cross whole and without a text encoding; those that own a large
 * buffer (a run's weights) are written straight from their memory and read straight into their
 * own, rather than copied into the clone and out again: a 3 MB model's frame took ~28 ms more
 * to encode so here.
 *
 * @module
 */

import { Deserializer, Serializer } from "node:v8";

/** Frames larger than this are refused: nothing the engine sends comes near it. */
export const MAX_FRAME_BYTES = 2 ** 31 - 1;

/** Buffers at least this large, and wholly one typed array's, go beside the clone. */
const LARGE_BUFFER_BYTES = 64 * 1024;

/** `value`'s frame, in parts to write one after another. */
export function encodeFrame(value: unknown): Uint8Array[] {
  const buffers = [...largeBuffers(value, new Set())];
  const serializer = new Serializer();
  buffers.forEach((buffer, id) => serializer.transferArrayBuffer(id, buffer));
  serializer.writeHeader();
  serializer.writeValue(value);
  const clone = serializer.releaseBuffer();
  const bytes = buffers.reduce((sum, buffer) => sum + buffer.byteLength, clone.byteLength);
  if (bytes > MAX_FRAME_BYTES) {
    throw new RangeError(`A frame of ${bytes} bytes is over ${MAX_FRAME_BYTES}`);
  }
  const prefix = 4 * (2 + buffers.length);
  const head = new Uint8Array(prefix + clone.byteLength);
  const view = new DataView(head.buffer);
  view.setUint32(0, clone.byteLength, true);
  view.setUint32(4, buffers.length, true);
  buffers.forEach((buffer, k) => view.setUint32(8 + 4 * k, buffer.byteLength, true));
  head.set(clone, prefix);
  return [head, ...buffers.map((buffer) => new Uint8Array(buffer))];
}

/** The large buffers that a typed array in `value` (plain objects and arrays) has to itself. */
function* largeBuffers(value: unknown, seen: Set<ArrayBufferLike>): Generator<ArrayBuffer> {
  if (ArrayBuffer.isView(value)) {
    const { buffer } = value;
    if (
      buffer instanceof ArrayBuffer && buffer.byteLength >= LARGE_BUFFER_BYTES &&
      value.byteLength === buffer.byteLength && !seen.has(buffer)
    ) {
      seen.add(buffer);
      yield buffer;
    }
  } else if (Array.isArray(value)) {
    for (const item of value) yield* largeBuffers(item, seen);
  } else if (value !== null && typeof value === "object") {
    for (const item of Object.values(value)) yield* largeBuffers(item, seen);
  }
}

/**
 * The values framed in `stream`, in order; ends when the stream does (a torn frame throws). Each
 * part of a frame is copied once, from the stream's chunks into a buffer of its size.
 */
export async function* readFrames(stream: ReadableStream<Uint8Array>): AsyncGenerator<unknown> {
  const reader = stream.getReader();
  let chunk: Uint8Array = new Uint8Array(0);
  /** Bytes of the frame read so far, for the error when it is torn. */
  let read = 0;
  /** Fills `target` from the stream; false when the stream ended before a new frame began. */
  const fill = async (target: Uint8Array): Promise<boolean> => {
    let filled = 0;
    while (filled < target.length) {
      if (chunk.length === 0) {
        const next = await reader.read();
        if (next.done) {
          if (read === 0) return false;
          throw new Error(`The stream ended inside a frame (${read} bytes)`);
        }
        chunk = next.value;
        continue;
      }
      const take = Math.min(target.length - filled, chunk.length);
      target.set(chunk.subarray(0, take), filled);
      filled += take;
      read += take;
      chunk = chunk.subarray(take);
    }
    return true;
  };
  try {
    for (;;) {
      read = 0;
      const counts = new Uint8Array(8);
      if (!await fill(counts)) return;
      const view = new DataView(counts.buffer);
      const lengths = new Uint8Array(4 * view.getUint32(4, true));
      await fill(lengths);
      const clone = new Uint8Array(view.getUint32(0, true));
      await fill(clone);
      const deserializer = new Deserializer(clone);
      deserializer.readHeader();
      const sizes = new DataView(lengths.buffer);
      for (let id = 0; id < lengths.length / 4; id++) {
        const buffer = new Uint8Array(sizes.getUint32(4 * id, true));
        await fill(buffer);
        deserializer.transferArrayBuffer(id, buffer.buffer);
      }
      yield deserializer.readValue();
    }
  } finally {
    reader.releaseLock();
  }
}
