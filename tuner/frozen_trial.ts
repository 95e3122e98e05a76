/**
 * The record of one trial as storages keep it, with the states and directions shared by the whole
 * tuner. Mirrors Optuna's `optuna.trial.FrozenTrial` and `TrialState`
 * (https://optuna.readthedocs.io/en/v3.1.0/reference/generated/optuna.trial.FrozenTrial.html).
 *
 * @module
 */

import type { Distribution } from "./distributions.ts";

/** Lifecycle of a trial: queued, running, then one of the three finished states. */
export const TrialState = {
  WAITING: "WAITING",
  RUNNING: "RUNNING",
  COMPLETE: "COMPLETE",
  PRUNED: "PRUNED",
  FAIL: "FAIL",
} as const;
export type TrialState = typeof TrialState[keyof typeof TrialState];

/** Whether the objective is to be made as small or as large as possible. */
export type StudyDirection = "minimize" | "maximize";

/** What a parameter can hold: numbers from numeric ranges, any of these from categorical choices. */
export type ParamValue = number | string | boolean | null;

/**
 * One trial, read-only. Storages replace the object on every change instead of mutating it, so
 * a snapshot handed out earlier never changes under its reader.
 */
export interface FrozenTrial {
  /** Storage-wide identity (what storages are addressed by). */
  readonly id: number;
  /** 0-based position within its study, in the order trials were created. */
  readonly number: number;
  readonly state: TrialState;
  /** The objective value; for a PRUNED trial its last intermediate value, as Optuna records. */
  readonly value: number | null;
  /**
   * A multi-objective study's values, one per direction (`value` holds the first). Absent or
   * null in single-objective studies: read both kinds with {@linkcode trialValues}.
   */
  readonly values?: readonly number[] | null;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly distributions: Readonly<Record<string, Distribution>>;
  /** Values reported by `trial.report(value, step)`, keyed by step. */
  readonly intermediateValues: ReadonlyMap<number, number>;
  readonly datetimeStart: Date | null;
  readonly datetimeComplete: Date | null;
  readonly userAttrs: Readonly<Record<string, unknown>>;
  /** Bookkeeping by the tuner itself: `fixed_params` (enqueued), `grid_id`, ASHA rungs, `fail_reason`. */
  readonly systemAttrs: Readonly<Record<string, unknown>>;
}

/** The trial's objective values: `values` when it has several, else `[value]`, or null. */
export function trialValues(trial: FrozenTrial): readonly number[] | null {
  if (trial.values) return trial.values;
  return trial.value === null ? null : [trial.value];
}

/** COMPLETE, PRUNED or FAIL: the trial will not change any more. */
export function isFinished(state: TrialState): boolean {
  return state === TrialState.COMPLETE || state === TrialState.PRUNED || state === TrialState.FAIL;
}

/** The largest step with a reported intermediate value, or null when nothing was reported. */
export function lastStep(trial: FrozenTrial): number | null {
  let last: number | null = null;
  for (const step of trial.intermediateValues.keys()) if (last === null || step > last) last = step;
  return last;
}
