/**
 * The statistics the sampler benches against Optuna share: medians, the probability that a seed
 * of ours ends below one of Optuna's (0.5 is parity), and its percentile-bootstrap interval.
 *
 * @module
 */

import { Rng } from "../engine/random.ts";

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** P(a random study of ours ends lower than a random one of Optuna's): 0.5 means parity. */
export function probabilityBetter(mine: number[], theirs: number[]): number {
  let wins = 0;
  for (const a of mine) for (const b of theirs) wins += a < b ? 1 : a === b ? 0.5 : 0;
  return wins / (mine.length * theirs.length);
}

/** 95% percentile-bootstrap interval of {@linkcode probabilityBetter}, seeds resampled per side. */
export function bootstrapInterval(
  mine: number[],
  theirs: number[],
  reps = 2000,
): [number, number] {
  const rng = new Rng(12345);
  const resample = (values: number[]) => values.map(() => values[rng.int(values.length)]);
  const estimates = Array.from(
    { length: reps },
    () => probabilityBetter(resample(mine), resample(theirs)),
  ).sort((a, b) => a - b);
  return [estimates[Math.floor(0.025 * reps)], estimates[Math.ceil(0.975 * reps) - 1]];
}
