/**
 * Messages between the engine host (main thread) and the engine worker.
 *
 * @module
 */

import type { NamedTensor } from "./backend.ts";
import type { DatasetRoots } from "./data/load.ts";
import type { FirstLayerSnapshot } from "./first_layer.ts";
import type { RunConfig } from "./spec.ts";
import type { DeviceRecord, EpochRecord, RunResult, TrainProgress } from "./train.ts";

export type HostMessage =
  | { type: "run"; jobId: number; config: RunConfig; roots: DatasetRoots } & JobOptions
  | { type: "continue"; jobId: number }
  | { type: "cancel"; jobId: number }
  /** Load these datasets now (`trainRows` of each: see `LoadOptions`), for the jobs to come. */
  | { type: "prepare"; datasets: string[]; trainRows?: number; roots: DatasetRoots };

export type WorkerMessage =
  /** The job's data is loaded (the engine host times loads out: see `jobs/engine_process.ts`). */
  | { type: "loaded"; jobId: number }
  | { type: "started"; jobId: number; device: DeviceRecord }
  /** `firstLayer`: the epoch's strongest first-layer units, shown live and never stored. */
  | {
    type: "epoch";
    jobId: number;
    record: EpochRecord;
    total: number;
    firstLayer?: FirstLayerSnapshot;
  }
  /**
   * Where the job is before its first epoch (loading data, choosing the device, compiling), and
   * how far into a slow epoch: at most a few a second (`PROGRESS_EVERY_MS`), none for quick epochs.
   */
  | { type: "progress"; jobId: number; progress: TrainProgress }
  /** The training state after `epoch` (`engine/checkpoint.ts`'s bytes), to store. */
  | { type: "checkpoint"; jobId: number; epoch: number; bytes: Uint8Array }
  | { type: "finished"; jobId: number; result: RunResult; state: NamedTensor[] | null }
  | { type: "failed"; jobId: number; error: string }
  /** The job was cancelled before it started. */
  | { type: "skipped"; jobId: number };

/**
 * A job's step progress is posted at most this often: only epochs longer than this report their
 * steps at all, and a slow one about 4 times a second.
 */
export const PROGRESS_EVERY_MS = 250;

/** How a job trains, besides its config. */
export interface JobOptions {
  /**
   * After each epoch, wait for `continue` (or `cancel`) before going on, so a decision taken on
   * that epoch (a pruner's) stops the run before the next one.
   */
  gated?: boolean;
  /** Post a `checkpoint` after epochs this many seconds apart (and the last); none if absent. */
  checkpointSeconds?: number;
  /** Go on from a checkpoint (its bytes) with the records of the epochs it covers. */
  resume?: { checkpoint: Uint8Array; epochs: EpochRecord[] };
}

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
  submit(config: RunConfig, listener: JobListener, options?: JobOptions): number;
  /** Lets a gated job go on to its next epoch. */
  resume(jobId: number): void;
  cancel(jobId: number): void;
  /** Resolves once every message received so far has been handled. */
  settled(): Promise<void>;
  /** Stops the engine, dropping its jobs (each gets no further message), and waits for it. */
  close(): Promise<void>;
}
