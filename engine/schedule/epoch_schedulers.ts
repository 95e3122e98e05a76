/**
 * The epoch-stepped schedulers of torch.optim.lr_scheduler (torch 1.13), in their chainable
 * form: each `step()` computes the next lr from the current one with the class's `get_lr()`,
 * as `scheduler.step()` does, not from the closed form, so the f64 sequence is torch's to the
 * last bit. {@linkcode epochScheduler} runs the first `step()` (last_epoch −1 → 0), as torch's
 * constructor does: that is where LinearLR applies its start factor.
 *
 * @module
 */

import type {
  CosineAnnealingLrSpec,
  ExponentialLrSpec,
  LinearLrSpec,
  MultiStepLrSpec,
  StepLrSpec,
} from "../spec.ts";

export abstract class ChainableLr {
  /** torch's `last_epoch`: epochs stepped so far (−1 until the initial step). */
  lastEpoch = -1;
  lr: number;

  constructor(readonly baseLr: number) {
    this.lr = baseLr;
  }

  /** `get_lr()` at `lastEpoch`, from the current `lr`. */
  protected abstract nextLr(): number;

  step(): void {
    this.lastEpoch++;
    this.lr = this.nextLr();
  }
}

/** StepLR.get_lr: `lr · gamma` when last_epoch is a non-zero multiple of step_size. */
export class StepLr extends ChainableLr {
  constructor(readonly spec: StepLrSpec, baseLr: number) {
    super(baseLr);
  }
  protected nextLr(): number {
    const e = this.lastEpoch;
    return e === 0 || e % this.spec.stepSize !== 0 ? this.lr : this.lr * this.spec.gamma;
  }
}

/** MultiStepLR.get_lr: `lr · gamma^count` at a milestone listed `count` times (a Counter). */
export class MultiStepLr extends ChainableLr {
  constructor(readonly spec: MultiStepLrSpec, baseLr: number) {
    super(baseLr);
  }
  protected nextLr(): number {
    const count = this.spec.milestones.filter((m) => m === this.lastEpoch).length;
    return count === 0 ? this.lr : this.lr * this.spec.gamma ** count;
  }
}

/** ExponentialLR.get_lr: `lr · gamma` from the first step on. */
export class ExponentialLr extends ChainableLr {
  constructor(readonly spec: ExponentialLrSpec, baseLr: number) {
    super(baseLr);
  }
  protected nextLr(): number {
    return this.lastEpoch === 0 ? this.lr : this.lr * this.spec.gamma;
  }
}

/**
 * CosineAnnealingLR.get_lr, its recursive form:
 * at (e − 1 − T) mod 2T = 0: lr + (base − η)(1 − cos(π/T))/2; else
 * (1 + cos(πe/T)) / (1 + cos(π(e − 1)/T)) · (lr − η) + η. Python's `%` is never negative.
 */
export class CosineAnnealingLr extends ChainableLr {
  constructor(readonly spec: CosineAnnealingLrSpec, baseLr: number) {
    super(baseLr);
  }
  protected nextLr(): number {
    const e = this.lastEpoch;
    const { tMax, etaMin } = this.spec;
    if (e === 0) return this.lr;
    const period = 2 * tMax;
    if ((((e - 1 - tMax) % period) + period) % period === 0) {
      return this.lr + (this.baseLr - etaMin) * (1 - Math.cos(Math.PI / tMax)) / 2;
    }
    return (1 + Math.cos(Math.PI * e / tMax)) / (1 + Math.cos(Math.PI * (e - 1) / tMax)) *
        (this.lr - etaMin) + etaMin;
  }
}

/**
 * LinearLR.get_lr: lr · start at epoch 0, then
 * lr · (1 + (end − start) / (T·start + (e − 1)(end − start))) up to T = total_iters.
 */
export class LinearLr extends ChainableLr {
  constructor(readonly spec: LinearLrSpec, baseLr: number) {
    super(baseLr);
  }
  protected nextLr(): number {
    const e = this.lastEpoch;
    const { startFactor, endFactor, totalIters } = this.spec;
    if (e === 0) return this.lr * startFactor;
    if (e > totalIters) return this.lr;
    return this.lr *
      (1 + (endFactor - startFactor) /
          (totalIters * startFactor + (e - 1) * (endFactor - startFactor)));
  }
}

export type EpochSchedulerSpec =
  | StepLrSpec
  | MultiStepLrSpec
  | ExponentialLrSpec
  | CosineAnnealingLrSpec
  | LinearLrSpec;

/** The scheduler of `spec` after its initial step, at epoch 0. */
export function epochScheduler(spec: EpochSchedulerSpec, baseLr: number): ChainableLr {
  const scheduler = createChainable(spec, baseLr);
  scheduler.step();
  return scheduler;
}

function createChainable(spec: EpochSchedulerSpec, baseLr: number): ChainableLr {
  switch (spec.type) {
    case "step":
      return new StepLr(spec, baseLr);
    case "multi_step":
      return new MultiStepLr(spec, baseLr);
    case "exponential":
      return new ExponentialLr(spec, baseLr);
    case "cosine_annealing":
      return new CosineAnnealingLr(spec, baseLr);
    case "linear":
      return new LinearLr(spec, baseLr);
  }
}
