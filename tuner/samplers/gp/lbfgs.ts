/**
 * A compact limited-memory BFGS minimiser with optional box bounds, standing in for SciPy's
 * L-BFGS-B that Optuna's GP sampler calls (Nocedal & Wright, "Numerical Optimization", 2nd ed.,
 * algorithm 7.4 for the two-loop recursion). Bounds are handled by projection: variables at a
 * bound whose gradient pushes outwards are held fixed for the step, the quasi-Newton direction
 * is taken over the free ones, and the trial point is projected back into the box, with an
 * Armijo backtracking line search on the projected step. Stops as SciPy does: when the largest
 * projected-gradient component is at most `gradientTolerance` (SciPy's `pgtol`/`gtol`), when the
 * relative decrease falls below `factr · ε` (SciPy's default 1e7 · 2.2e-16), or after
 * `maxIterations`.
 *
 * The objective may return a non-finite value (e.g. a covariance matrix that is not positive
 * definite there): the line search then backs off.
 *
 * @module
 */

export interface ValueAndGradient {
  value: number;
  gradient: Float64Array;
}

export interface MinimizeOptions {
  lower?: ArrayLike<number>;
  upper?: ArrayLike<number>;
  maxIterations?: number;
  gradientTolerance?: number;
  /** Correction pairs kept (SciPy: 10). */
  memory?: number;
}

export interface MinimizeResult {
  x: Float64Array;
  value: number;
  iterations: number;
  /** False when the line search found no decrease before the tolerances were met. */
  converged: boolean;
}

const RELATIVE_DECREASE_TOLERANCE = 1e7 * 2.220446049250313e-16;

export function minimizeLbfgs(
  objective: (x: Float64Array) => ValueAndGradient,
  start: ArrayLike<number>,
  options: MinimizeOptions = {},
): MinimizeResult {
  const n = start.length;
  const lower = options.lower, upper = options.upper;
  const maxIterations = options.maxIterations ?? 15000;
  const tolerance = options.gradientTolerance ?? 1e-5;
  const memory = options.memory ?? 10;
  const project = (x: Float64Array) => {
    for (let i = 0; i < n; i++) {
      if (lower && x[i] < lower[i]) x[i] = lower[i];
      if (upper && x[i] > upper[i]) x[i] = upper[i];
    }
    return x;
  };

  let x = project(Float64Array.from(start));
  let { value, gradient } = objective(x);
  if (!Number.isFinite(value)) return { x, value, iterations: 0, converged: false };
  const pairs: { s: Float64Array; y: Float64Array; rho: number }[] = [];

  for (let iteration = 0; iteration < maxIterations; iteration++) {
    // Fixed: at a bound with the gradient pointing out of the box.
    const fixed = new Uint8Array(n);
    let projectedGradientNorm = 0;
    for (let i = 0; i < n; i++) {
      const atLower = lower !== undefined && x[i] <= lower[i] && gradient[i] > 0;
      const atUpper = upper !== undefined && x[i] >= upper[i] && gradient[i] < 0;
      if (atLower || atUpper) fixed[i] = 1;
      else projectedGradientNorm = Math.max(projectedGradientNorm, Math.abs(gradient[i]));
    }
    if (projectedGradientNorm <= tolerance) {
      return { x, value, iterations: iteration, converged: true };
    }

    const direction = twoLoopDirection(gradient, fixed, pairs);
    let slope = 0;
    for (let i = 0; i < n; i++) slope += direction[i] * gradient[i];
    if (!(slope < 0)) {
      for (let i = 0; i < n; i++) direction[i] = fixed[i] ? 0 : -gradient[i];
      pairs.length = 0;
    }
    // The first step is scaled to a unit move, as SciPy's is; later ones try the full step.
    let step = pairs.length === 0 ? Math.min(1, 1 / norm(direction)) : 1;
    let accepted: { x: Float64Array; value: number; gradient: Float64Array } | null = null;
    for (let tries = 0; tries < 40; tries++, step *= 0.5) {
      const candidate = project(x.map((xi, i) => xi + step * direction[i]));
      let decrease = 0;
      for (let i = 0; i < n; i++) decrease += gradient[i] * (candidate[i] - x[i]);
      if (decrease === 0) break;
      const evaluated = objective(candidate);
      if (Number.isFinite(evaluated.value) && evaluated.value <= value + 1e-4 * decrease) {
        accepted = { x: candidate, ...evaluated };
        break;
      }
    }
    if (accepted === null) return { x, value, iterations: iteration, converged: false };

    const s = accepted.x.map((xi, i) => xi - x[i]);
    const y = accepted.gradient.map((gi, i) => gi - gradient[i]);
    let sy = 0;
    for (let i = 0; i < n; i++) sy += s[i] * y[i];
    if (sy > 1e-10 * norm(s) * norm(y)) {
      pairs.push({ s, y, rho: 1 / sy });
      if (pairs.length > memory) pairs.shift();
    }
    const previous = value;
    x = accepted.x;
    value = accepted.value;
    gradient = accepted.gradient;
    const scale = Math.max(Math.abs(previous), Math.abs(value), 1);
    if ((previous - value) / scale <= RELATIVE_DECREASE_TOLERANCE) {
      return { x, value, iterations: iteration + 1, converged: true };
    }
  }
  return { x, value, iterations: maxIterations, converged: false };
}

/** −H·g over the free variables, H the L-BFGS inverse-Hessian estimate. */
function twoLoopDirection(
  gradient: Float64Array,
  fixed: Uint8Array,
  pairs: readonly { s: Float64Array; y: Float64Array; rho: number }[],
): Float64Array {
  const n = gradient.length;
  const q = gradient.map((g, i) => fixed[i] ? 0 : g);
  const alphas = new Float64Array(pairs.length);
  for (let k = pairs.length - 1; k >= 0; k--) {
    const { s, y, rho } = pairs[k];
    let alpha = 0;
    for (let i = 0; i < n; i++) alpha += s[i] * q[i];
    alpha *= rho;
    alphas[k] = alpha;
    for (let i = 0; i < n; i++) q[i] -= alpha * y[i];
  }
  if (pairs.length > 0) {
    const { s, y } = pairs[pairs.length - 1];
    let sy = 0, yy = 0;
    for (let i = 0; i < n; i++) {
      sy += s[i] * y[i];
      yy += y[i] * y[i];
    }
    const gamma = sy / yy;
    for (let i = 0; i < n; i++) q[i] *= gamma;
  }
  for (let k = 0; k < pairs.length; k++) {
    const { s, y, rho } = pairs[k];
    let beta = 0;
    for (let i = 0; i < n; i++) beta += y[i] * q[i];
    beta *= rho;
    for (let i = 0; i < n; i++) q[i] += s[i] * (alphas[k] - beta);
  }
  for (let i = 0; i < n; i++) q[i] = fixed[i] ? 0 : -q[i];
  return q;
}

function norm(v: Float64Array): number {
  let sum = 0;
  for (const x of v) sum += x * x;
  return Math.sqrt(sum);
}
