/**
 * The engine worker: owns the GPU device (through the backend it selects) and runs jobs one at a
 * time, in the order they arrive. Cancelling aborts the job's signal; training notices between
 * batches. A gated job waits after each epoch until the host says `continue` (or cancels).
 *
 * @module
 */

/// <reference lib="deno.worker" />

import type { NamedTensor } from "./backend.ts";
import { decodeCheckpoint, encodeCheckpoint } from "./checkpoint.ts";
import { loadDataset } from "./data/load.ts";
import { train } from "./train.ts";
import { type HostMessage, PROGRESS_EVERY_MS, type WorkerMessage } from "./worker_protocol.ts";

const controllers = new Map<number, AbortController>();
/** Gated jobs waiting after an epoch → what lets them go on. */
const waiting = new Map<number, () => void>();
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
  const { checkpointSeconds, resume } = message;
  // When the job last told the host anything: steps are posted only this long after.
  let told = performance.now();
  try {
    const result = await train(message.config, {
      roots: message.roots,
      signal: controller.signal,
      onLoaded: () => post({ type: "loaded", jobId }),
      onProgress: (progress) => {
        const now = performance.now();
        if (progress.phase === "training" && now - told < PROGRESS_EVERY_MS) return;
        told = now;
        post({ type: "progress", jobId, progress });
      },
      onStart: (device) => {
        told = performance.now();
        post({ type: "started", jobId, device });
      },
      onEpoch: (record, total, { firstLayer }) => {
        told = performance.now();
        if (firstLayer) {
          const transfer = [firstLayer.weights.buffer as ArrayBuffer];
          post({ type: "epoch", jobId, record, total, firstLayer }, transfer);
        } else post({ type: "epoch", jobId, record, total });
        return message.gated ? untilContinued(jobId, controller.signal) : undefined;
      },
      onFinish: async (session) => {
        state = await session.getState();
      },
      checkpoints: checkpointSeconds === undefined ? undefined : {
        everySeconds: checkpointSeconds,
        save: (checkpoint) => {
          const bytes = encodeCheckpoint(checkpoint);
          post({ type: "checkpoint", jobId, epoch: checkpoint.epoch, bytes }, [bytes.buffer]);
        },
      },
      resume: resume && {
        checkpoint: decodeCheckpoint(resume.checkpoint),
        epochs: resume.epochs,
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

/**
 * Resolves when the host lets gated job `jobId` go on, or cancels it. The host answers the epoch
 * message, which was posted before this registers, so the answer cannot come first.
 */
function untilContinued(jobId: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const go = () => {
      waiting.delete(jobId);
      signal.removeEventListener("abort", go);
      resolve();
    };
    waiting.set(jobId, go);
    signal.addEventListener("abort", go, { once: true });
  });
}

self.onmessage = (event: MessageEvent<HostMessage>) => {
  const message = event.data;
  if (message.type === "run") {
    controllers.set(message.jobId, new AbortController());
    queue = queue.then(() => runJob(message));
  } else if (message.type === "continue") {
    waiting.get(message.jobId)?.();
  } else if (message.type === "prepare") {
    // Into the cache that jobs load from; a dataset that fails to load is not cached, and the
    // job that needs it reports why.
    const { roots, trainRows } = message;
    for (const id of message.datasets) loadDataset(id, roots, { trainRows }).catch(() => {});
  } else {
    controllers.get(message.jobId)?.abort();
  }
};
