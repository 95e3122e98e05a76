/**
 * The engine process (`jobs/engine_process.ts` starts it): hosts the engine worker and relays
 * its messages, framed, between this process's stdin and stdout. Whatever a job does to it —
 * exhausts memory, blocks in a read, crashes the GPU driver — ends at most this process, which
 * its parent sees, reports against the job, and replaces.
 *
 * @module
 */

import { encodeFrame, readFrames } from "./frames.ts";

// stdout carries frames only: whatever the engine prints goes to stderr.
console.log = console.info = console.debug = console.error;

const worker = new Worker(new URL("../engine/worker_entry.ts", import.meta.url), {
  type: "module",
});
const out = Deno.stdout.writable.getWriter();
let writing: Promise<void> = Promise.resolve();
worker.onmessage = (event: MessageEvent) => {
  const frame = encodeFrame(event.data);
  writing = writing.then(async () => {
    for (const part of frame) await out.write(part);
  });
};
worker.onerror = (event) => {
  event.preventDefault();
  console.error(`ajuste engine: the engine worker crashed: ${event.message}`);
  Deno.exit(70);
};

for await (const message of readFrames(Deno.stdin.readable)) worker.postMessage(message);
// stdin closed: the parent is done, or gone.
await writing.catch(() => {});
Deno.exit(0);
