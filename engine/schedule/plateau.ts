/**
 * ReduceLROnPlateau (torch 1.13, https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ReduceLROnPlateau.html)
 * on a dev metric, stepped after each epoch's dev evaluation:
 *
 *     better: min/rel a < best·(1 − θ), min/abs a < best − θ, max/rel a > best·(1 + θ),
 *             max/abs a > best + θ   (best starts at +∞ for min, −∞ for max)
 *     bad epochs reset on improvement, and during cooldown (which counts down first);
 *     bad epochs > patience: lr ← max(lr·factor, minLr) unless that changes it by ≤ eps,
 *     then cooldown restarts and bad epochs reset.
 *
 * @module
 */

import type { ReduceLrOnPlateauSpec } from "../spec.ts";
import { type SchedulerState, stateNumber } from "./scheduler_state.ts";

export class ReduceLrOnPlateau {
  lr: number;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;

  constructor(readonly spec: ReduceLrOnPlateauSpec, lr: number) {
    this.lr = lr;
    this.best = spec.mode === "min" ? Infinity : -Infinity;
  }

  get current(): { lr: number; momentum: number | null } {
    return { lr: this.lr, momentum: null };
  }

  stepBatch(): void {}

  stepEpoch(dev: { loss: number; accuracy: number } | null): void {
    if (dev === null) return;
    this.step(this.spec.metric === "devLoss" ? dev.loss : dev.accuracy);
  }

  /** `ReduceLROnPlateau.step(metrics)`. */
  step(current: number): void {
    if (this.#isBetter(current)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs++;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.spec.patience) {
      const next = Math.max(this.lr * this.spec.factor, this.spec.minLr);
      if (this.lr - next > this.spec.eps) this.lr = next;
      this.cooldownCounter = this.spec.cooldown;
      this.numBadEpochs = 0;
    }
  }

  state(): SchedulerState {
    const { lr, best, numBadEpochs, cooldownCounter } = this;
    return { lr, best, numBadEpochs, cooldownCounter };
  }

  load(state: SchedulerState): void {
    this.lr = stateNumber(state, "lr");
    this.best = stateNumber(state, "best");
    this.numBadEpochs = stateNumber(state, "numBadEpochs");
    this.cooldownCounter = stateNumber(state, "cooldownCounter");
  }

  #isBetter(a: number): boolean {
    const { mode, thresholdMode, threshold } = this.spec;
    const best = this.best;
    if (mode === "min") {
      return thresholdMode === "rel" ? a < best * (1 - threshold) : a < best - threshold;
    }
    return thresholdMode === "rel" ? a > best * (threshold + 1) : a > best + threshold;
  }
}
