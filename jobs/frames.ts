/**
 * Messages over a byte stream (a child process's stdin and stdout): each frame is a 4-byte
 * little-endian length, then the value in V8's structured-clone format (`node:v8`), so typed
 * arrays such as a run's weights cross whole and without a text encoding.
 *
 * @module
 */

import { deserialize, serialize } from "node:v8";

/** Frames larger than this are refused: nothing the engine sends comes near it. */
export const MAX_FRAME_BYTES = 2 ** 31 - 1;

export function encodeFrame(value: unknown): Uint8Array {
  const body = serialize(value);
  if (body.byteLength > MAX_FRAME_BYTES) {
    throw new RangeError(`A frame of ${body.byteLength} bytes is over ${MAX_FRAME_BYTES}`);
  }
  const frame = new Uint8Array(4 + body.byteLength);
  new DataView(frame.buffer).setUint32(0, body.byteLength, true);
  frame.set(body, 4);
  return frame;
}

/** The values framed in `stream`, in order; ends when the stream does (a torn frame throws). */
export async function* readFrames(stream: ReadableStream<Uint8Array>): AsyncGenerator<unknown> {
  let buffer: Uint8Array = new Uint8Array(0);
  for await (const chunk of stream) {
    buffer = buffer.length === 0 ? chunk : concat(buffer, chunk);
    while (buffer.length >= 4) {
      const length = new DataView(buffer.buffer, buffer.byteOffset, 4).getUint32(0, true);
      if (buffer.length < 4 + length) break;
      yield deserialize(buffer.subarray(4, 4 + length));
      buffer = buffer.subarray(4 + length);
    }
  }
  if (buffer.length > 0) {
    throw new Error(`The stream ended inside a frame (${buffer.length} bytes)`);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}
