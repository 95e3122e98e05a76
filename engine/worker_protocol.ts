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
  | { type: "started"; jobId: number; device: DeviceRecord }
  | { type: "epoch"; jobId: number; record: EpochRecord; total: number }
  | { type: "finished"; jobId: number; result: RunResult; state: NamedTensor[] | null }
  | { type: "failed"; jobId: number; error: string }
  /** The job was cancelled before it started. */
  | { type: "skipped"; jobId: number };
