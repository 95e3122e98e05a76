/**
 * The interface every training backend implements: the CPU reference (`engine/cpu/`) and the
 * WebGPU engine (`engine/webgpu/`). A session owns one model, its optimizer state and the data.
 *
 * @module
 */

import type { SessionCheckpoint } from "./checkpoint.ts";
import type { PreparedData } from "./data/dataset.ts";
import type { FirstLayerSnapshot } from "./first_layer.ts";
import type { LayerStats } from "./layer_stats.ts";
import type { RunConfig } from "./spec.ts";

/** A named tensor in the model's state, in PyTorch's layout (Linear weight is [out, in]). */
export interface NamedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface EpochResult {
  /** Mean data loss per example over the epoch (penalties excluded), accumulated per batch. */
  loss: number;
  accuracy: number;
  steps: number;
  /** The learning rate of the epoch's last optimizer step (a schedule may change it per step). */
  lr?: number;
  /** 0-based step within the epoch whose loss was first NaN or ±Infinity, if any. */
  nonFiniteStep?: number;
  /**
   * The epoch stopped at {@linkcode EpochOptions.pauseAt} (the other fields then mean nothing):
   * calling `trainEpoch` with the same epoch goes on from there.
   */
  paused?: boolean;
  /** The splits asked for in {@linkcode EpochOptions.evaluate}, unless the epoch diverged. */
  evaluations?: Partial<Record<SplitName, EvalResult>>;
  /**
   * Each hidden layer's statistics at the epoch's end (`engine/layer_stats.ts`), unless the config
   * turns them off or the epoch paused or diverged.
   */
  layers?: LayerStats[];
  /**
   * The first hidden layer's strongest units at the epoch's end (`engine/first_layer.ts`), when
   * {@linkcode layers} is there and the input is a 28×28 image.
   */
  firstLayer?: FirstLayerSnapshot;
}

export interface EpochOptions {
  /** Stops the epoch early with an `AbortError`. */
  signal?: AbortSignal;
  /**
   * Splits to evaluate right after the epoch, as part of it: the GPU records them in the
   * epoch's last command buffer and reads them back with its totals, in one round trip.
   */
  evaluate?: readonly SplitName[];
  /**
   * Stops after this many of the epoch's steps (counted from its start) and resolves `paused`,
   * so a long epoch can be checkpointed midway; absent, or past the epoch's end, runs it out.
   */
  pauseAt?: number;
  /**
   * Told the steps done so far (of `steps`) where the backend knows them for free: after each
   * step on the CPU, after the waits that bound a GPU's work in flight (never an extra wait).
   */
  onSteps?: (done: number, steps: number) => void;
}

export interface EvalResult {
  loss: number;
  accuracy: number;
  count: number;
  /** confusion[trueClass * classes + predictedClass] */
  confusion: Uint32Array;
}

export type SplitName = "train" | "dev" | "test";

/**
 * A session runs its operations in the order they are called, whatever the caller awaits: a
 * trainer may queue epoch N + 1 before awaiting epoch N (an evaluation called after both sees
 * the state both leave).
 */
export interface TrainingSession {
  /**
   * Whether queuing the next epoch before awaiting this one's results pays here (the GPU then
   * starts on it before the readback); `train()` queues ahead only then. Absent means no.
   */
  readonly queuesEpochs?: boolean;
  /** Runs one epoch of training over the train split (batching and shuffling per the config). */
  trainEpoch(epoch: number, options?: EpochOptions): Promise<EpochResult>;
  /** Evaluation mode (no dropout, running batch-norm statistics) over a whole split. */
  evaluate(split: SplitName): Promise<EvalResult>;
  /** Evaluation-mode outputs (logits, or probabilities for `bce`) for rows of a split. */
  predict(split: SplitName, rows: Uint32Array): Promise<Float32Array>;
  /** Parameters, then buffers (batch-norm running statistics), in a stable order. */
  getState(): Promise<NamedTensor[]>;
  setState(state: NamedTensor[]): Promise<void>;
  /**
   * Early stopping (sessions of a config with `earlyStopping`): makes the weights — parameters
   * and batch-norm buffers — that 0-based `epoch` left the best so far. Called once that epoch's
   * results are back and before the epoch after next is called (the next may be queued).
   */
  keepBest(epoch: number): void;
  /**
   * Puts back the weights kept as best, or those 0-based `epoch` left (the last one whose results
   * are back, after which one more may have been queued), before anything called after it.
   */
  restoreWeights(from: "best" | number): Promise<void>;
  /**
   * The training state that the last epoch called left (a checkpoint's session part). Call it
   * once that epoch's results are back and before another epoch is called.
   */
  checkpoint(): Promise<SessionCheckpoint>;
  /**
   * Takes up training where `checkpoint` (of a session of the same run, on either backend) left
   * off; call it before the first epoch. Invalid state rejects, naming what does not fit.
   */
  restore(checkpoint: SessionCheckpoint): Promise<void>;
  /** Bytes the session holds for data, parameters, gradients and optimizer state. */
  readonly bytesAllocated: number;
  dispose(): void;
}

export interface Backend {
  readonly kind: "cpu" | "webgpu";
  /** Human description: "CPU reference" or the adapter's description. */
  readonly description: string;
  createSession(config: RunConfig, data: PreparedData): Promise<TrainingSession>;
}
