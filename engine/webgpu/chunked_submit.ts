/**
 * Submitting long work (an epoch's steps) in several command buffers with no wait on the GPU:
 * the GPU starts on the first while the rest is encoded. Encoding waits only to bound the
 * command buffers in flight, and yields now and then so that a cancel can arrive.
 *
 * @module
 */

import type { GpuContext } from "./gpu_context.ts";

/**
 * Command buffers in flight before encoding waits for the oldest, bounding the memory of long
 * epochs (stochastic batches); each wait costs Deno ~10 ms, so the window is wide.
 */
const SUBMITS_IN_FLIGHT = 16;
/** Encoding time between yields to the event loop, so a worker still receives a cancel. */
const YIELD_EVERY_MS = 50;

/**
 * Records units `[0, total)` with `record(encoder, start, end)`, at most `perSubmit` units per
 * command buffer, and submits each. An aborted `signal` stops between submits: once the work
 * already submitted has run, it rejects with the signal's reason.
 */
export async function submitInChunks(
  context: GpuContext,
  total: number,
  perSubmit: number,
  record: (encoder: GPUCommandEncoder, start: number, end: number) => void,
  options: { label: string; signal?: AbortSignal },
): Promise<void> {
  const { device } = context;
  const { signal } = options;
  const inFlight: Promise<void>[] = [];
  let lastYield = performance.now();
  for (let start = 0; start < total; start += perSubmit) {
    if (start > 0) {
      // Between submits: bound the work in flight, and let a cancel arrive (a message needs a
      // turn of the event loop, an abort() by this thread's caller only a microtask).
      if (inFlight.length >= SUBMITS_IN_FLIGHT) {
        await context.orLost(inFlight.shift()!);
        lastYield = performance.now();
      } else if (performance.now() - lastYield > YIELD_EVERY_MS) {
        await nextTask();
        lastYield = performance.now();
      } else {
        await undefined;
      }
      if (signal?.aborted) {
        await context.orLost(Promise.all(inFlight));
        throw signal.reason;
      }
    }
    const end = Math.min(total, start + perSubmit);
    const encoder = device.createCommandEncoder({ label: `${options.label} ${start}–${end}` });
    record(encoder, start, end);
    device.queue.submit([encoder.finish()]);
    if (end < total) inFlight.push(device.queue.onSubmittedWorkDone());
  }
}

/** Resolves on a later turn of the event loop, after pending messages (a worker's cancel). */
function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
