/**
 * OneCycleLR (torch 1.13, https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.OneCycleLR.html),
 * stepped after every batch. Phases (end steps as torch computes them, in f64):
 *
 *     two-phase:   [0, pct·T − 1]: initial → max,   momentum max → base
 *                  (.., T − 1]:     max → min,      momentum base → max
 *     three-phase: [0, pct·T − 1]: initial → max;  (.., 2·pct·T − 2]: max → initial;
 *                  (.., T − 1]:    initial → min   (momentum max → base → max, then max)
 *
 * with initial = maxLr / divFactor and min = initial / finalDivFactor; cos anneals
 * `end + (start − end)/2 · (cos(π·pct) + 1)`, linear `(end − start)·pct + start`. Like torch's
 * `get_lr`, a step past a phase's end extrapolates the last phase (the lr set after the very
 * last batch is never used); stepping past T is refused before training (lr_scheduler.ts).
 *
 * @module
 */

import type { OneCycleLrSpec } from "../spec.ts";
import { type SchedulerState, stateNumber } from "./scheduler_state.ts";

interface Phase {
  endStep: number;
  startLr: number;
  endLr: number;
  startMomentum: number;
  endMomentum: number;
}

/** total_steps, or epochs × steps_per_epoch, defaulting to the run's own. */
export function oneCycleLength(
  spec: OneCycleLrSpec,
  run: { epochs: number; stepsPerEpoch: number },
): number {
  if (spec.totalSteps !== undefined) return spec.totalSteps;
  return (spec.epochs ?? run.epochs) * (spec.stepsPerEpoch ?? run.stepsPerEpoch);
}

export class OneCycleLr {
  /** torch's `last_epoch`: batches stepped so far. */
  #step = 0;
  readonly #phases: Phase[];

  constructor(readonly spec: OneCycleLrSpec, readonly totalSteps: number) {
    const { maxLr, divFactor, finalDivFactor, pctStart, baseMomentum, maxMomentum } = spec;
    const initial = maxLr / divFactor;
    const min = initial / finalDivFactor;
    const T = totalSteps;
    this.#phases = spec.threePhase
      ? [
        phase(pctStart * T - 1, initial, maxLr, maxMomentum, baseMomentum),
        phase(2 * pctStart * T - 2, maxLr, initial, baseMomentum, maxMomentum),
        phase(T - 1, initial, min, maxMomentum, maxMomentum),
      ]
      : [
        phase(pctStart * T - 1, initial, maxLr, maxMomentum, baseMomentum),
        phase(T - 1, maxLr, min, baseMomentum, maxMomentum),
      ];
  }

  get current(): { lr: number; momentum: number | null } {
    const anneal = this.spec.annealStrategy === "cos" ? annealCos : annealLinear;
    let start = 0;
    for (let i = 0; i < this.#phases.length; i++) {
      const p = this.#phases[i];
      if (this.#step <= p.endStep || i === this.#phases.length - 1) {
        const pct = (this.#step - start) / (p.endStep - start);
        return {
          lr: anneal(p.startLr, p.endLr, pct),
          momentum: this.spec.cycleMomentum ? anneal(p.startMomentum, p.endMomentum, pct) : null,
        };
      }
      start = p.endStep;
    }
    throw new Error("OneCycleLR has no phases");
  }

  stepBatch(): void {
    this.#step++;
  }

  stepEpoch(): void {}

  state(): SchedulerState {
    return { step: this.#step };
  }

  load(state: SchedulerState): void {
    this.#step = stateNumber(state, "step");
  }
}

function phase(
  endStep: number,
  startLr: number,
  endLr: number,
  startMomentum: number,
  endMomentum: number,
): Phase {
  return { endStep, startLr, endLr, startMomentum, endMomentum };
}

function annealCos(start: number, end: number, pct: number): number {
  const cosOut = Math.cos(Math.PI * pct) + 1;
  return end + (start - end) / 2 * cosOut;
}

function annealLinear(start: number, end: number, pct: number): number {
  return (end - start) * pct + start;
}
