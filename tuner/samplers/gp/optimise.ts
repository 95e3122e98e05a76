/**
 * Maximises an acquisition function over a mixed search space, as Optuna 4's
 * `optimize_acqf_mixed` (`optuna/_gp/optim_mixed.py`):
 *
 * 1. evaluate `nPreliminarySamples` random points (Optuna: 2048, scrambled Sobol);
 * 2. start local searches from the best of them, from up to `nLocalSearch − 1 − warm starts`
 *    more picked by roulette (probability ∝ e^(acquisition − best), without replacement), and
 *    from the warm starts (the best trial so far);
 * 3. each local search alternates gradient ascent over the continuous parameters (L-BFGS with
 *    box bounds, in coordinates scaled by the length scales so the problem is well conditioned,
 *    `pgtol` √tol, at most 200 iterations) with a search over each discrete parameter alone: all
 *    its values when it is categorical or has at most 16, else a line search over the
 *    piecewise-linear interpolation of its grid (Optuna: Brent; here golden section); it stops
 *    when a full round changes nothing;
 * 4. the best point found wins.
 *
 * @module
 */

import type { Rng } from "../../../engine/random.ts";
import type { Acquisition } from "./acquisition.ts";
import { minimizeLbfgs } from "./lbfgs.ts";

export interface OptimiseOptions {
  rng: Rng;
  warmStarts?: readonly Float64Array[];
  nPreliminarySamples?: number;
  nLocalSearch?: number;
  tolerance?: number;
}

/** Above this many values a discrete parameter is line-searched, not enumerated (Optuna: 16). */
const MAX_EXHAUSTIVE_CHOICES = 16;

export function optimiseAcquisition(
  acquisition: Acquisition,
  options: OptimiseOptions,
): { x: Float64Array; value: number } {
  const { rng } = options;
  const warmStarts = options.warmStarts ?? [];
  const nLocalSearch = options.nLocalSearch ?? 10;
  const tolerance = options.tolerance ?? 1e-4;
  const samples = acquisition.space.sample(options.nPreliminarySamples ?? 2048, rng);
  const values = samples.map((x) => acquisition.value(x));
  let bestIndex = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[bestIndex]) bestIndex = i;

  const weights = values.map((value, i) =>
    i === bestIndex ? 0 : Math.exp(value - values[bestIndex])
  );
  const positive = weights.filter((w) => w > 0).length;
  const extra = Math.min(nLocalSearch - warmStarts.length - 1, positive);
  const starts = [
    samples[bestIndex],
    ...rouletteWithoutReplacement(weights, extra, rng).map((i) => samples[i]),
    ...warmStarts,
  ];

  let best = { x: samples[bestIndex], value: values[bestIndex] };
  for (const start of starts) {
    const found = localSearch(acquisition, start, tolerance);
    if (found.value > best.value) best = found;
  }
  return best;
}

/** `count` distinct indices drawn with probability ∝ weight (numpy's choice, replace=False). */
function rouletteWithoutReplacement(weights: number[], count: number, rng: Rng): number[] {
  const remaining = [...weights];
  const chosen: number[] = [];
  for (let k = 0; k < count; k++) {
    let total = 0;
    for (const w of remaining) total += w;
    if (!(total > 0)) break;
    let target = rng.uniform() * total, pick = remaining.length - 1;
    for (let i = 0; i < remaining.length; i++) {
      target -= remaining[i];
      if (target < 0 && remaining[i] > 0) {
        pick = i;
        break;
      }
    }
    chosen.push(pick);
    remaining[pick] = 0;
  }
  return chosen;
}

interface Point {
  x: Float64Array;
  value: number;
}

/** Optuna's `local_search_mixed`. */
export function localSearch(
  acquisition: Acquisition,
  start: Float64Array,
  tolerance = 1e-4,
): Point {
  const { space } = acquisition;
  const choices = space.discreteChoices();
  let best: Point = { x: start.slice(), value: acquisition.value(start) };
  const CONTINUOUS = -1;
  let lastChanged: number | null = null;
  for (let round = 0; round < 100; round++) {
    if (lastChanged === CONTINUOUS) return best;
    const ascended = gradientAscent(acquisition, best, tolerance);
    if (ascended) {
      best = ascended;
      lastChanged = CONTINUOUS;
    }
    for (let k = 0; k < space.discreteIndices.length; k++) {
      const i = space.discreteIndices[k];
      if (lastChanged === i) return best;
      const moved = space.isCategorical[i] || choices[k].length <= MAX_EXHAUSTIVE_CHOICES
        ? exhaustiveSearch(acquisition, best, i, choices[k])
        : lineSearch(acquisition, best, i, choices[k]);
      if (moved) {
        best = moved;
        lastChanged = i;
      }
    }
    if (lastChanged === null) return best;
  }
  return best;
}

/** L-BFGS-B over the continuous parameters; the improved point, or null. */
function gradientAscent(acquisition: Acquisition, from: Point, tolerance: number): Point | null {
  const indices = acquisition.space.continuousIndices;
  if (indices.length === 0) return null;
  const scales = indices.map((i) => acquisition.lengthScales[i]);
  const x = from.x.slice();
  const result = minimizeLbfgs(
    (scaled) => {
      indices.forEach((i, g) => x[i] = scaled[g] * scales[g]);
      const { value, gradient } = acquisition.valueAndGradient(x, indices);
      return { value: -value, gradient: gradient.map((dv, g) => -dv * scales[g]) };
    },
    indices.map((i, g) => from.x[i] / scales[g]),
    {
      lower: new Float64Array(indices.length),
      upper: Float64Array.from(scales, (s) => 1 / s),
      gradientTolerance: Math.sqrt(tolerance),
      maxIterations: 200,
    },
  );
  if (!(-result.value > from.value) || result.iterations === 0) return null;
  const improved = from.x.slice();
  indices.forEach((i, g) => improved[i] = result.x[g] * scales[g]);
  return { x: improved, value: -result.value };
}

/** Every other value of parameter i; the best if it beats the current point, else null. */
function exhaustiveSearch(
  acquisition: Acquisition,
  from: Point,
  i: number,
  choices: Float64Array,
): Point | null {
  let best: Point | null = null;
  for (const choice of choices) {
    if (choice === from.x[i]) continue;
    const x = from.x.slice();
    x[i] = choice;
    const value = acquisition.value(x);
    if (value > (best?.value ?? from.value)) best = { x, value };
  }
  return best;
}

/**
 * A golden-section search over the piecewise-linear interpolation of the acquisition on
 * parameter i's grid, evaluating grid points lazily, to a quarter of the finest spacing.
 */
function lineSearch(
  acquisition: Acquisition,
  from: Point,
  i: number,
  grid: Float64Array,
): Point | null {
  const nearest = (v: number) => {
    let k = 0;
    for (let j = 1; j < grid.length; j++) if (Math.abs(grid[j] - v) < Math.abs(grid[k] - v)) k = j;
    return k;
  };
  const current = nearest(from.x[i]);
  const cache = new Map<number, number>([[current, from.value]]);
  const at = (k: number) => {
    let value = cache.get(k);
    if (value === undefined) {
      const x = from.x.slice();
      x[i] = grid[k];
      value = acquisition.value(x);
      cache.set(k, value);
    }
    return value;
  };
  const interpolated = (v: number) => {
    let right = 1;
    while (right < grid.length - 1 && grid[right] < v) right++;
    const left = right - 1;
    const w = (grid[right] - v) / (grid[right] - grid[left]);
    return w * at(left) + (1 - w) * at(right);
  };
  let minSpacing = Infinity;
  for (let j = 1; j < grid.length; j++) minSpacing = Math.min(minSpacing, grid[j] - grid[j - 1]);
  const ratio = (Math.sqrt(5) - 1) / 2;
  let a = grid[0], b = grid[grid.length - 1];
  let c = b - ratio * (b - a), d = a + ratio * (b - a);
  let fc = interpolated(c), fd = interpolated(d);
  while (b - a > minSpacing / 4) {
    if (fc >= fd) {
      // The maximum lies in [a, d]: the old c becomes the new d.
      b = d;
      d = c;
      fd = fc;
      c = b - ratio * (b - a);
      fc = interpolated(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + ratio * (b - a);
      fd = interpolated(d);
    }
  }
  const k = nearest((a + b) / 2);
  const value = at(k);
  if (k === current || !(value > from.value)) return null;
  const x = from.x.slice();
  x[i] = grid[k];
  return { x, value };
}
