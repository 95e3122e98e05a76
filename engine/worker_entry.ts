/**
 * The engine worker: owns the GPU device (through the backend it selects) and runs jobs one at a
 * time, in the order they arrive. Cancelling aborts the job's signal; training notices between
 * batches.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import type { NamedTensor } from "./backend.ts";
import { train } from "./train.ts";
import type { HostMessage, WorkerMessage } from "./worker_protocol.ts";

const controllers = new Map<number, AbortController>();
let queue: Promise<void> = Promise.resolve();

function post(message: WorkerMessage, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

async function runJob(message: Extract<HostMessage, { type: "run" }>): Promise<void> {
  const { jobId } = message;
  const controller = controllers.get(jobId);
  if (!controller) return;
  if (controller.signal.aborted) {
    controllers.delete(jobId);
    return post({ type: "skipped", jobId });
  }
  let state: NamedTensor[] | null = null;
  try {
    const result = await train(message.config, {
      roots: message.roots,
      signal: controller.signal,
      onStart: (device) => post({ type: "started", jobId, device }),
      onEpoch: (record, total) => post({ type: "epoch", jobId, record, total }),
      onFinish: async (session) => {
        state = await session.getState();
      },
    });
    const transfer = (state as NamedTensor[] | null)?.map((t) => t.data.buffer as ArrayBuffer) ??
      [];
    if (result.predictions) {
      transfer.push(
        result.predictions.predicted.buffer as ArrayBuffer,
        result.predictions.confidence.buffer as ArrayBuffer,
      );
    }
    post({ type: "finished", jobId, result, state }, transfer);
  } catch (error) {
    post({ type: "failed", jobId, error: error instanceof Error ? error.message : String(error) });
  } finally {
    controllers.delete(jobId);
  }
}

self.onmessage = (event: MessageEvent<HostMessage>) => {
  const message = event.data;
  if (message.type === "run") {
    controllers.set(message.jobId, new AbortController());
    queue = queue.then(() => runJob(message));
  } else {
    controllers.get(message.jobId)?.abort();
  }
};
