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

/**
 * The values framed in `stream`, in order; ends when the stream does (a torn frame throws). A
 * frame's body is copied once into a buffer of its size, so a large one (a checkpoint of a few
 * MB, arriving in 64 KB chunks) costs no more than its bytes.
 */
export async function* readFrames(stream: ReadableStream<Uint8Array>): AsyncGenerator<unknown> {
  /** Bytes of a length prefix read so far (it may straddle chunks). */
  let prefix: Uint8Array = new Uint8Array(0);
  let body: Uint8Array | null = null;
  let filled = 0;
  for await (const chunk of stream) {
    let rest = chunk;
    for (;;) {
      if (body === null) {
        if (rest.length === 0) break;
        const need = 4 - prefix.length;
        prefix = concat(prefix, rest.subarray(0, need));
        rest = rest.subarray(need);
        if (prefix.length < 4) break;
        body = new Uint8Array(new DataView(prefix.buffer, prefix.byteOffset).getUint32(0, true));
        prefix = new Uint8Array(0);
        filled = 0;
      }
      const take = Math.min(body.length - filled, rest.length);
      body.set(rest.subarray(0, take), filled);
      filled += take;
      rest = rest.subarray(take);
      if (filled < body.length) break;
      yield deserialize(body);
      body = null;
    }
  }
  if (body !== null || prefix.length > 0) {
    throw new Error(
      `The stream ended inside a frame (${(body ? 4 + filled : prefix.length)} bytes)`,
    );
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}
