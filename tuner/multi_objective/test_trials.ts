/**
 * Hand-built trials for the multi-objective tests.
 *
 * @module
 */

import { type FrozenTrial, TrialState } from "../frozen_trial.ts";

/** A COMPLETE trial with these values (and constraints, when given). */
export function done(
  number: number,
  values: number[],
  constraints?: number[],
  state: TrialState = TrialState.COMPLETE,
): FrozenTrial {
  return {
    id: number,
    number,
    state,
    value: state === TrialState.COMPLETE ? values[0] : null,
    values: state === TrialState.COMPLETE ? values : null,
    params: {},
    distributions: {},
    intermediateValues: new Map(),
    datetimeStart: null,
    datetimeComplete: null,
    userAttrs: {},
    systemAttrs: constraints ? { constraints } : {},
  };
}
