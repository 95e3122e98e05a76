/**
 * A learning-rate scheduler's state as a checkpoint stores it: named numbers, as torch's
 * `scheduler.state_dict()` holds them (±Infinity included: ReduceLROnPlateau's first best).
 *
 * @module
 */

export type SchedulerState = Record<string, number>;

/** `state[key]`, which must be a number: a checkpoint of another schedule is refused. */
export function stateNumber(state: SchedulerState, key: string): number {
  const value = state[key];
  if (typeof value !== "number") {
    throw new Error(
      `The checkpoint's scheduler state has no number "${key}" (it has ` +
        `${Object.keys(state).join(", ") || "nothing"}): it was saved for another schedule`,
    );
  }
  return value;
}
