/**
 * Hypervolume of a set of loss vectors (all objectives minimized) against a reference point:
 * the volume dominated by the set and bounded by the point. The WFG algorithm (While, Bradstreet
 * and Barone, "A fast way of calculating exact hypervolumes", IEEE TEVC 16(1), 2012) as Optuna
 * 3.1's `optuna/_hypervolume/wfg.py` computes it, with its sweep for two objectives, and the
 * greedy hypervolume subset selection of `hssp.py` that multi-objective TPE uses.
 *
 * Points that do not dominate the reference point add nothing.
 *
 * @module
 */

/** Volume of the box with corners `a` and `b`. */
function boxVolume(a: readonly number[], b: readonly number[]): number {
  let v = 1;
  for (let i = 0; i < a.length; i++) v *= a[i] - b[i];
  return Math.abs(v);
}

/** Optuna's `_compute_2d`: sweep by the first objective, each point adding its new rectangle. */
function hypervolume2d(points: readonly (readonly number[])[], reference: readonly number[]) {
  const sorted = [...points].sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  let ref1 = reference[1];
  let volume = 0;
  for (const p of sorted) {
    if (ref1 < p[1]) continue;
    volume += Math.abs((reference[0] - p[0]) * (ref1 - p[1]));
    ref1 = p[1];
  }
  return volume;
}

/** Hypervolume of `points` (losses) bounded by `reference`. */
export function hypervolume(
  points: readonly (readonly number[])[],
  reference: readonly number[],
): number {
  // Points that do not strictly dominate the reference add nothing (Optuna's callers filter them).
  const inside = points.filter((p) => p.every((v, i) => v < reference[i]));
  if (inside.length === 0) return 0;
  return wfg(inside, reference);
}

function wfg(points: readonly (readonly number[])[], reference: readonly number[]): number {
  if (reference.length === 2) return hypervolume2d(points, reference);
  if (points.length === 1) return boxVolume(points[0], reference);
  if (points.length === 2) {
    const corner = points[0].map((v, i) => Math.max(v, points[1][i]));
    return boxVolume(points[0], reference) + boxVolume(points[1], reference) -
      boxVolume(corner, reference);
  }
  const sorted = [...points].sort((a, b) => a[0] - b[0]);
  let volume = 0;
  for (let i = 0; i < sorted.length; i++) {
    volume += exclusive(sorted[i], sorted.slice(i + 1), reference);
  }
  return volume;
}

/** The volume `point` dominates and none of `rest` does. */
function exclusive(
  point: readonly number[],
  rest: readonly (readonly number[])[],
  reference: readonly number[],
): number {
  let volume = boxVolume(point, reference);
  const limited = limit(point, rest);
  if (limited.length === 1) volume -= boxVolume(limited[0], reference);
  else if (limited.length > 1) volume -= wfg(limited, reference);
  return volume;
}

/**
 * Optuna's `_limit`: `rest` pushed up to `point` coordinate-wise, with the points another one
 * dominates dropped in one scan (sorted by the first objective, so nearly all of them).
 */
function limit(point: readonly number[], rest: readonly (readonly number[])[]): number[][] {
  const limited = rest.map((s) => s.map((v, i) => Math.max(v, point[i])));
  if (limited.length <= 1) return limited;
  const kept = [limited[0]];
  let left = 0;
  for (let right = 1; right < limited.length; right++) {
    if (limited[left].some((v, i) => v > limited[right][i])) {
      left = right;
      kept.push(limited[left]);
    }
  }
  return kept;
}

/**
 * Optuna's `_solve_hssp`: picks `subsetSize` of `points` greedily, each time the one adding the
 * most hypervolume (a 1 − 1/e approximation); returns their positions in `points`.
 */
export function solveHssp(
  points: readonly (readonly number[])[],
  subsetSize: number,
  reference: readonly number[],
): number[] {
  const contributions = points.map((p) => hypervolume([p], reference));
  const selected: number[] = [];
  const selectedPoints: (readonly number[])[] = [];
  let selectedVolume = 0;
  while (selected.length < subsetSize) {
    let best = 0;
    for (let i = 1; i < contributions.length; i++) {
      if (contributions[i] > contributions[best]) best = i;
    }
    contributions[best] = -1;
    const chosen = points[best];
    for (let j = 0; j < points.length; j++) {
      if (contributions[j] === -1) continue;
      const corner = chosen.map((v, i) => Math.max(v, points[j][i]));
      contributions[j] -= hypervolume([...selectedPoints, corner], reference) - selectedVolume;
    }
    selected.push(best);
    selectedPoints.push(chosen);
    selectedVolume = hypervolume(selectedPoints, reference);
  }
  return selected;
}
