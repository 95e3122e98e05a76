/**
 * Early stopping's rule, PyTorch Lightning's `EarlyStopping._evaluate_stopping_criteria`
 * (lightning/pytorch/callbacks/early_stopping.py): with `check_finite` (its default) a NaN or
 * infinite metric stops at once; an epoch improves when `monitor_op(current - min_delta, best)`,
 * min_delta negated in "min" mode (so current < best − minDelta, or current > best + minDelta in
 * "max"), the best starting at ±inf; otherwise `wait_count` grows and the run stops once it
 * reaches `patience`.
 *
 * @module
 */

import type { EarlyStoppingSpec } from "./spec.ts";

export interface EarlyStoppingVerdict {
  /** The epoch is the best so far: its weights are the ones to keep. */
  improved: boolean;
  /** Training ends after this epoch. */
  stop: boolean;
}

/** What early stopping has learned so far, as a checkpoint keeps it. */
export interface EarlyStoppingState {
  /** The best metric so far (±Infinity before any epoch improved). */
  best: number;
  /** Epochs since it last improved (Lightning's `wait_count`). */
  wait: number;
  bestEpoch: number | null;
}

export class EarlyStopping {
  readonly #spec: EarlyStoppingSpec;
  #best: number;
  #wait = 0;
  /** 1-based epoch of the best metric so far; null before any improved. */
  bestEpoch: number | null = null;

  constructor(spec: EarlyStoppingSpec) {
    this.#spec = spec;
    this.#best = spec.mode === "min" ? Infinity : -Infinity;
  }

  /** Judges 1-based `epoch` by its metric `value`. */
  update(epoch: number, value: number): EarlyStoppingVerdict {
    if (!Number.isFinite(value)) return { improved: false, stop: true };
    const { mode, minDelta, patience } = this.#spec;
    const improved = mode === "min" ? value < this.#best - minDelta : value > this.#best + minDelta;
    if (improved) {
      this.#best = value;
      this.#wait = 0;
      this.bestEpoch = epoch;
      return { improved, stop: false };
    }
    this.#wait++;
    return { improved, stop: this.#wait >= patience };
  }

  state(): EarlyStoppingState {
    return { best: this.#best, wait: this.#wait, bestEpoch: this.bestEpoch };
  }

  load(state: EarlyStoppingState): void {
    this.#best = state.best;
    this.#wait = state.wait;
    this.bestEpoch = state.bestEpoch;
  }
}

/** What a run says of its early stopping: where it stopped (if before its last epoch), its best. */
export function earlyStopMessage(stoppedEpoch: number | null, bestEpoch: number | null): string {
  const best = bestEpoch === null ? "no best epoch" : `best epoch ${bestEpoch}`;
  return stoppedEpoch === null
    ? `Trained every epoch; ${best}`
    : `Stopped early at epoch ${stoppedEpoch}; ${best}`;
}
