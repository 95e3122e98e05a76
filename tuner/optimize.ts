/**
 * The sequential optimize loop of Optuna 3.1 (`optuna/study/_optimize.py`): ask, run the
 * objective, tell; a thrown `TrialPruned` prunes the trial, any other error fails it and, unless
 * caught, ends the loop after the trial is recorded.
 *
 * @module
 */

import { TrialPruned } from "./errors.ts";
import type { FrozenTrial } from "./frozen_trial.ts";
import type { Study } from "./study.ts";
import type { Trial } from "./trial.ts";

/**
 * What `study.optimize()` runs: returns the value to minimize or maximize, or one value per
 * direction in a multi-objective study.
 */
export type Objective = (
  trial: Trial,
) => number | readonly number[] | Promise<number | readonly number[]>;

type ErrorClass = abstract new (...args: never[]) => Error;

export interface OptimizeOptions {
  /** Trials to run in this call; without it, runs until `timeout` or `study.stop()`. */
  nTrials?: number;
  /** Seconds after which no new trial starts. */
  timeout?: number;
  /**
   * Errors that fail a trial but let the loop go on: `true` for all, or a list of classes.
   * Other errors fail the trial and are rethrown.
   */
  catch?: boolean | readonly ErrorClass[];
  /** Called after every finished trial. */
  callbacks?: readonly ((study: Study, trial: FrozenTrial) => void | Promise<void>)[];
}

export async function optimize(
  study: Study,
  objective: Objective,
  options: OptimizeOptions,
  stopRequested: () => boolean,
): Promise<void> {
  const { nTrials, timeout } = options;
  if (nTrials !== undefined && !(Number.isInteger(nTrials) && nTrials >= 0)) {
    throw new RangeError(`optimize() nTrials must be an integer ≥ 0, got ${nTrials}`);
  }
  if (timeout !== undefined && !(timeout > 0)) {
    throw new RangeError(`optimize() timeout must be a positive number of seconds, got ${timeout}`);
  }
  const started = performance.now();
  for (let done = 0; nTrials === undefined || done < nTrials; done++) {
    if (stopRequested()) break;
    if (timeout !== undefined && (performance.now() - started) / 1000 >= timeout) break;
    const { trial, error } = await runTrial(study, objective);
    for (const callback of options.callbacks ?? []) await callback(study, trial);
    if (error !== null && !isCaught(error, options.catch ?? false)) throw error;
  }
}

async function runTrial(
  study: Study,
  objective: Objective,
): Promise<{ trial: FrozenTrial; error: unknown }> {
  const { storage } = study;
  await storage.failStaleTrials?.(study.id);
  const trial = await study.ask();
  const heartbeat = startHeartbeat(study, trial.id);
  let outcome: number | readonly number[] | "PRUNED" | "FAIL";
  let error: unknown = null;
  try {
    outcome = await objective(trial);
  } catch (thrown) {
    if (thrown instanceof TrialPruned) {
      outcome = "PRUNED";
    } else {
      outcome = "FAIL";
      error = thrown;
      const reason = thrown instanceof Error ? thrown.message : String(thrown);
      await study.setTrialSystemAttr(trial.id, "fail_reason", reason);
    }
  } finally {
    clearInterval(heartbeat);
  }
  return { trial: await study.tell(trial, outcome), error };
}

function startHeartbeat(
  study: Study,
  trialId: number,
): ReturnType<typeof setInterval> | undefined {
  const { storage } = study;
  if (!storage.recordHeartbeat || !storage.heartbeatIntervalSeconds) return undefined;
  // A missed beat is not the trial's failure: the next one, or the stale-trial sweep, settles it.
  const beat = () => storage.recordHeartbeat!(trialId).catch(() => {});
  beat();
  return setInterval(beat, storage.heartbeatIntervalSeconds * 1000);
}

function isCaught(error: unknown, caught: boolean | readonly ErrorClass[]): boolean {
  if (typeof caught === "boolean") return caught;
  return caught.some((errorClass) => error instanceof errorClass);
}
