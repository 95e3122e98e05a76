/**
 * Submitting long work (an epoch's steps) in several command buffers with no wait on the GPU:
 * the GPU starts on the first while the rest is encoded. Encoding waits only to bound the
 * command buffers in flight, and yields now and then so that a cancel can arrive.
 *
 * A wait is costly in Deno 2.9.6: calling `queue.onSubmittedWorkDone()` blocks the thread until
 * all submitted work is done (measured on lavapipe: the call returned after the 19 s of work
 * queued before it), so on a hardware adapter it is called once per
 * {@linkcode SUBMITS_IN_FLIGHT} submits, never after each: per submit it would drain the GPU and
 * leave it idle while the next command buffer is encoded.
 *
 * @module
 */

import type { GpuContext } from "./gpu_context.ts";

/**
 * Command buffers submitted between waits for the GPU, bounding the memory of long epochs
 * (stochastic batches: 60000 steps); an epoch of up to this many submits never waits.
 */
export const SUBMITS_IN_FLIGHT = 16;
/**
 * The same on a software adapter (lavapipe): a wait after every submit. Its epochs take seconds
 * and encoding a command buffer milliseconds, so nothing is lost, and a cancel is seen after
 * the command buffer running (256 dispatches there: about 25 steps) rather than after the epoch.
 */
export const SUBMITS_IN_FLIGHT_SOFTWARE = 1;
/** Encoding time between yields to the event loop, so a worker still receives a cancel. */
const YIELD_EVERY_MS = 50;

/**
 * Records units `[0, total)` with `record(encoder, start, end)`, at most `perSubmit` units per
 * command buffer (`firstSubmit` in the first, so that the GPU starts sooner), and submits each.
 * An aborted `signal` stops between submits: once the work already submitted has run, it
 * rejects with the signal's reason.
 */
export async function submitInChunks(
  context: GpuContext,
  total: number,
  perSubmit: number,
  record: (encoder: GPUCommandEncoder, start: number, end: number) => void,
  options: {
    label: string;
    signal?: AbortSignal;
    /** Submits between waits; by default per adapter kind (see SUBMITS_IN_FLIGHT). */
    submitsBetweenWaits?: number;
    /** Units in the first command buffer (default `perSubmit`). */
    firstSubmit?: number;
    /**
     * Told the units known to have run, after each wait this function makes anyway to bound the
     * work in flight (never a wait of its own).
     */
    onDone?: (units: number) => void;
  },
): Promise<void> {
  const { device } = context;
  const { signal } = options;
  const waitEvery = options.submitsBetweenWaits ??
    (context.adapterInfo.isFallbackAdapter ? SUBMITS_IN_FLIGHT_SOFTWARE : SUBMITS_IN_FLIGHT);
  let sinceWait = 0;
  let lastYield = performance.now();
  const first = Math.max(1, Math.min(options.firstSubmit ?? perSubmit, perSubmit));
  for (let start = 0, size = first; start < total; start += size, size = perSubmit) {
    if (start > 0) {
      // Between submits: bound the work in flight, and let a cancel arrive (a message needs a
      // turn of the event loop, an abort() by this thread's caller only a microtask).
      if (sinceWait >= waitEvery) {
        await context.orLost(device.queue.onSubmittedWorkDone());
        sinceWait = 0;
        lastYield = performance.now();
        options.onDone?.(start);
      } else if (performance.now() - lastYield > YIELD_EVERY_MS) {
        await nextTask();
        lastYield = performance.now();
      } else {
        await undefined;
      }
      if (signal?.aborted) {
        await context.orLost(device.queue.onSubmittedWorkDone());
        throw signal.reason;
      }
    }
    const end = Math.min(total, start + size);
    const encoder = device.createCommandEncoder({ label: `${options.label} ${start}–${end}` });
    record(encoder, start, end);
    device.queue.submit([encoder.finish()]);
    sinceWait++;
  }
}

/** Resolves on a later turn of the event loop, after pending messages (a worker's cancel). */
function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
