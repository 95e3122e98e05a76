/**
 * Learning-rate schedulers with torch.optim.lr_scheduler's semantics (torch 1.13,
 * https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate), driven the way a
 * PyTorch loop drives them: `OneCycleLR.step()` after every optimizer step, the others'
 * `step()` after every epoch (`ReduceLROnPlateau.step(metric)` with the epoch's dev metric).
 * Both backends ask {@linkcode LrScheduler.current} before each optimizer step; the GPU asks for
 * a whole epoch up front, which is exact because within an epoch only OneCycleLR moves, and it
 * depends on nothing the GPU computes.
 *
 * @module
 */

import type { OptimizerSpec, SchedulerSpec } from "../spec.ts";
import { ChainableLr, epochScheduler } from "./epoch_schedulers.ts";
import { oneCycleLength, OneCycleLr } from "./one_cycle.ts";
import { ReduceLrOnPlateau } from "./plateau.ts";
import type { SchedulerState } from "./scheduler_state.ts";
import { stateNumber } from "./scheduler_state.ts";

export type { SchedulerState };

/** The hyperparameters a schedule sets for one optimizer step. */
export interface StepHyper {
  lr: number;
  /** SGD's or RMSprop's momentum, or Adam's β1, when OneCycleLR cycles it; else null. */
  momentum: number | null;
}

/** A dev evaluation, for ReduceLROnPlateau. */
export interface DevMetrics {
  loss: number;
  accuracy: number;
}

export interface LrScheduler {
  /** The lr (and cycled momentum) of the next optimizer step. */
  readonly current: StepHyper;
  /** After every optimizer step. */
  stepBatch(): void;
  /** After every epoch, with its dev evaluation (null when the dev split is empty). */
  stepEpoch(dev: DevMetrics | null): void;
  /** Everything it has counted or learned so far, as torch's `state_dict()` holds it. */
  state(): SchedulerState;
  /** Goes back to a `state()` of a scheduler of the same spec (a checkpoint's). */
  load(state: SchedulerState): void;
}

/** What the run is: the schedule's defaults (OneCycleLR's length) come from it. */
export interface RunSteps {
  epochs: number;
  stepsPerEpoch: number;
}

/** No schedule: the optimizer's own lr throughout. */
class ConstantLr implements LrScheduler {
  readonly current: StepHyper;
  constructor(lr: number) {
    this.current = { lr, momentum: null };
  }
  stepBatch(): void {}
  stepEpoch(): void {}
  state(): SchedulerState {
    return {};
  }
  load(): void {}
}

/** Adapts an epoch-stepped torch scheduler (a {@linkcode ChainableLr}). */
class EpochStepped implements LrScheduler {
  constructor(readonly schedule: ChainableLr) {}
  get current(): StepHyper {
    return { lr: this.schedule.lr, momentum: null };
  }
  stepBatch(): void {}
  stepEpoch(): void {
    this.schedule.step();
  }
  state(): SchedulerState {
    return { lastEpoch: this.schedule.lastEpoch, lr: this.schedule.lr };
  }
  load(state: SchedulerState): void {
    this.schedule.lastEpoch = stateNumber(state, "lastEpoch");
    this.schedule.lr = stateNumber(state, "lr");
  }
}

/** Checks `spec` against the run; throws a RangeError naming the field when it cannot apply. */
export function assertSchedulerFits(
  spec: SchedulerSpec | null | undefined,
  run: RunSteps,
  hasDev: boolean,
): void {
  if (!spec) return;
  if (spec.type === "one_cycle") {
    const length = oneCycleLength(spec, run);
    const total = run.epochs * run.stepsPerEpoch;
    if (total > length) {
      // torch raises "Tried to step N times" once stepped past total_steps.
      throw new RangeError(
        `scheduler one_cycle lasts ${length} steps, but the run takes ${total} ` +
          `(${run.epochs} epochs × ${run.stepsPerEpoch} batches); raise totalSteps or leave it out`,
      );
    }
  }
  if (spec.type === "reduce_on_plateau" && !hasDev) {
    throw new RangeError(
      `scheduler reduce_on_plateau watches ${spec.metric}, but the dev split is empty; ` +
        `give data.split.dev a fraction above 0`,
    );
  }
}

/** The scheduler of a run whose optimizer is `optimizer`; `spec` null means a constant lr. */
export function createLrScheduler(
  spec: SchedulerSpec | null | undefined,
  optimizer: OptimizerSpec,
  run: RunSteps,
): LrScheduler {
  if (!spec) return new ConstantLr(optimizer.lr);
  switch (spec.type) {
    case "one_cycle":
      return new OneCycleLr(spec, oneCycleLength(spec, run));
    case "reduce_on_plateau":
      return new ReduceLrOnPlateau(spec, optimizer.lr);
    default:
      return new EpochStepped(epochScheduler(spec, optimizer.lr));
  }
}

/** `spec` with a step's scheduled lr and, when cycled, momentum or β1 in place. */
export function withHyper<T extends OptimizerSpec>(spec: T, hyper: StepHyper | undefined): T {
  if (!hyper) return spec;
  const next = { ...spec, lr: hyper.lr };
  if (hyper.momentum === null) return next;
  if (next.type === "adam" || next.type === "adamw") {
    return { ...next, betas: [hyper.momentum, next.betas[1]] };
  }
  return { ...next, momentum: hyper.momentum };
}
