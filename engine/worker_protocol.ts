/**
 * Messages between the engine host (main thread) and the engine worker.
 *
 * @module
 */

import type { NamedTensor } from "./backend.ts";
import type { DatasetRoots } from "./data/load.ts";
import type { RunConfig } from "./spec.ts";
import type { DeviceRecord, EpochRecord, RunResult } from "./train.ts";

export type HostMessage =
  /**
   * `gated`: after posting each epoch the worker waits for `continue` (or `cancel`) before it
   * goes on, so a decision taken on that epoch (a pruner's) stops the run before the next one.
   */
  | { type: "run"; jobId: number; config: RunConfig; roots: DatasetRoots; gated?: boolean }
  | { type: "continue"; jobId: number }
  | { type: "cancel"; jobId: number };

export type WorkerMessage =
  /** The job's data is loaded (the engine host times loads out: see `jobs/engine_process.ts`). */
  | { type: "loaded"; jobId: number }
  | { type: "started"; jobId: number; device: DeviceRecord }
  | { type: "epoch"; jobId: number; record: EpochRecord; total: number }
  | { type: "finished"; jobId: number; result: RunResult; state: NamedTensor[] | null }
  | { type: "failed"; jobId: number; error: string }
  /** The job was cancelled before it started. */
  | { type: "skipped"; jobId: number };

/** Receives every message of one job, ending with `finished`, `failed` or `skipped`. */
export type JobListener = (message: WorkerMessage) => void | Promise<void>;

/** Whether `message` ends its job. */
export function endsJob(message: WorkerMessage): boolean {
  return message.type === "finished" || message.type === "failed" || message.type === "skipped";
}

/**
 * Where jobs train: the engine worker in this process (`worker_host.ts`), or in a supervised
 * process of its own (`jobs/engine_process.ts`). Jobs run one at a time, in submission order.
 */
export interface Engine {
  /**
   * Queues a job; `listener` gets each of its messages in order. A `gated` job waits after each
   * epoch until {@linkcode Engine.resume} (or a cancel).
   */
  submit(config: RunConfig, listener: JobListener, options?: { gated?: boolean }): number;
  /** Lets a gated job go on to its next epoch. */
  resume(jobId: number): void;
  cancel(jobId: number): void;
  /** Resolves once every message received so far has been handled. */
  settled(): Promise<void>;
  /** Stops the engine, dropping its jobs (each gets no further message), and waits for it. */
  close(): Promise<void>;
}
