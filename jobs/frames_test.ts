import assert from "node:assert/strict";
import { encodeFrame, readFrames } from "./frames.ts";

/** A stream that hands `bytes` over in pieces of `size`, as a pipe may. */
function chunked(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (let i = 0; i < bytes.length; i += size) controller.enqueue(bytes.slice(i, i + size));
      controller.close();
    },
  });
}

Deno.test("readFrames() gives back encodeFrame()'s values, typed arrays whole, however split", async () => {
  const values = [
    { type: "epoch", jobId: 1, record: { epoch: 1, trainLoss: 0.5 } },
    { type: "finished", state: [{ name: "w", data: Float32Array.of(1.5, -2, 3e-8) }] },
    // A large buffer goes beside the clone; views into one, and shared ones, stay in it.
    {
      type: "finished",
      state: [
        { name: "big", data: Float32Array.from({ length: 40_000 }, (_, i) => i / 7) },
        { name: "part", data: new Float32Array(40_000).fill(2).subarray(5, 9) },
      ],
      predictions: new Uint8Array(70_000).fill(3),
    },
    "last",
  ];
  const bytes = new Uint8Array(
    values.flatMap((value) => encodeFrame(value).flatMap((part) => [...part])),
  );
  for (const size of [1, 3, 7, bytes.length]) {
    const read: unknown[] = [];
    for await (const value of readFrames(chunked(bytes, size))) read.push(value);
    assert.deepEqual(read, values, `in pieces of ${size}`);
    assert.ok((read[1] as { state: { data: unknown }[] }).state[0].data instanceof Float32Array);
  }
});

Deno.test("readFrames() throws when the stream ends inside a frame", async () => {
  const frame = encodeFrame({ type: "epoch" })[0];
  await assert.rejects(async () => {
    for await (const _ of readFrames(chunked(frame.subarray(0, frame.length - 2), 4))) {
      // the torn frame never arrives
    }
  }, /ended inside a frame/);
});
