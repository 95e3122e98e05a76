/**
 * A study's trials as a table, one row per trial, with the columns of Optuna 3.1's
 * `study.trials_dataframe()` (`optuna/study/_dataframe.py`): number, value, datetime_start,
 * datetime_complete, duration, then `params_<name>` and `user_attrs_<key>` (each group sorted
 * by name), then state. System attributes, the tuner's own bookkeeping, are left out.
 *
 * Where pandas has Timestamps and a Timedelta, the table has ISO 8601 strings and the duration in
 * seconds; a parameter a trial did not suggest (another branch of a conditional space) is null.
 *
 * @module
 */

import type { FrozenTrial } from "./frozen_trial.ts";

/** One cell: what JSON can hold (a user attribute may be an object or an array). */
export type TableValue = unknown;

export interface TrialsTable {
  columns: string[];
  rows: Record<string, TableValue>[];
}

export function trialsTable(trials: readonly FrozenTrial[]): TrialsTable {
  const params = new Set<string>();
  const userAttrs = new Set<string>();
  for (const trial of trials) {
    for (const name of Object.keys(trial.params)) params.add(name);
    for (const key of Object.keys(trial.userAttrs)) userAttrs.add(key);
  }
  const sorted = (names: Set<string>) => [...names].sort((a, b) => a < b ? -1 : a > b ? 1 : 0);
  const paramNames = sorted(params), attrKeys = sorted(userAttrs);
  const columns = [
    "number",
    "value",
    "datetime_start",
    "datetime_complete",
    "duration",
    ...paramNames.map((name) => `params_${name}`),
    ...attrKeys.map((key) => `user_attrs_${key}`),
    "state",
  ];
  const rows = trials.map((trial) => {
    const { datetimeStart: start, datetimeComplete: complete } = trial;
    const row: Record<string, TableValue> = {
      number: trial.number,
      value: trial.value,
      datetime_start: start?.toISOString() ?? null,
      datetime_complete: complete?.toISOString() ?? null,
      duration: start && complete ? (complete.getTime() - start.getTime()) / 1000 : null,
    };
    for (const name of paramNames) row[`params_${name}`] = trial.params[name] ?? null;
    for (const key of attrKeys) row[`user_attrs_${key}`] = trial.userAttrs[key] ?? null;
    row.state = trial.state;
    return row;
  });
  return { columns, rows };
}
