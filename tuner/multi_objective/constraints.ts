/**
 * Constraints as Optuna 3.1's samplers take them: a `constraintsFunc` maps a finished trial to
 * numbers, each ≤ 0 when its constraint holds; the sampler computes them when a trial completes
 * or is pruned (`_process_constraints_after_trial` in `optuna/samplers/_base.py`) and stores them
 * in the trial's system attribute `constraints`, where ranking reads them.
 *
 * @module
 */

import { type FrozenTrial, TrialState } from "../frozen_trial.ts";
import type { Study } from "../study.ts";
import { CONSTRAINTS_KEY } from "./dominance.ts";

/** A trial's constraint values: each ≤ 0 means satisfied. */
export type ConstraintsFunc = (trial: FrozenTrial) => readonly number[];

/** Computes and stores the constraints of a COMPLETE or PRUNED trial; NaN is refused. */
export async function processConstraintsAfterTrial(
  constraintsFunc: ConstraintsFunc,
  study: Study,
  trial: FrozenTrial,
  state: TrialState,
): Promise<void> {
  if (state !== TrialState.COMPLETE && state !== TrialState.PRUNED) return;
  let constraints: number[] | null = null;
  try {
    const values = [...constraintsFunc(trial)];
    if (values.some((v) => typeof v !== "number" || Number.isNaN(v))) {
      throw new RangeError(
        `Constraint values must be numbers, not NaN; got ${JSON.stringify(values)}`,
      );
    }
    constraints = values;
  } finally {
    await study.setTrialSystemAttr(trial.id, CONSTRAINTS_KEY, constraints);
  }
}
