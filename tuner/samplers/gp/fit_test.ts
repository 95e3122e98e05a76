import assert from "node:assert/strict";
import { Rng } from "../../../engine/random.ts";
import {
  fitKernelParams,
  logPrior,
  marginalLogLikelihood,
  MINIMUM_NOISE_VAR,
  negativeLogPosterior,
} from "./fit.ts";
import { type KernelParams, matern52 } from "./kernel.ts";

/** 15 points in 3-D (one categorical) where only x0 and the category matter. */
function data(seed: number, n = 15) {
  const rng = new Rng(seed);
  const isCategorical = [false, false, true];
  const points = Array.from(
    { length: n },
    () => Float64Array.from([rng.uniform(), rng.uniform(), rng.int(3)]),
  );
  const values = points.map((p) => Math.sin(5 * p[0]) + (p[2] === 1 ? 0.8 : 0));
  return { points, values, isCategorical };
}

Deno.test("marginalLogLikelihood() is −½ log det C − ½ yᵀC⁻¹y, worked for two points", () => {
  const points = [Float64Array.from([0.2]), Float64Array.from([0.7])];
  const values = [0.5, -1];
  const params: KernelParams = {
    inverseSquaredLengthscales: Float64Array.from([3]),
    kernelScale: 0.8,
    noiseVar: 0.1,
  };
  // C = [[a, b], [b, a]], a = 0.8 + 0.1, b = 0.8 · m(3 · 0.25).
  const a = 0.9, b = 0.8 * matern52(0.75), det = a * a - b * b;
  const quadratic = (a * 0.25 - 2 * b * 0.5 * -1 + a * 1) / det;
  const expected = -0.5 * Math.log(det) - 0.5 * quadratic;
  const actual = marginalLogLikelihood(points, values, [false], params);
  assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} vs ${expected}`);
});

Deno.test("negativeLogPosterior() gradient matches finite differences in every raw parameter", () => {
  const { points, values, isCategorical } = data(3);
  for (const deterministic of [false, true]) {
    const raw = Float64Array.from([0.3, -0.8, 0.1, 0.2, Math.log(0.05)]);
    const { gradient } = negativeLogPosterior(points, values, isCategorical, raw, deterministic);
    for (let i = 0; i < raw.length; i++) {
      const h = 1e-6, up = raw.slice(), down = raw.slice();
      up[i] += h;
      down[i] -= h;
      const numeric =
        (negativeLogPosterior(points, values, isCategorical, up, deterministic).value -
          negativeLogPosterior(points, values, isCategorical, down, deterministic).value) / (2 * h);
      assert.ok(
        Math.abs(gradient[i] - numeric) < 1e-5 * Math.max(1, Math.abs(numeric)),
        `deterministic ${deterministic}, raw ${i}: ${gradient[i]} vs ${numeric}`,
      );
    }
  }
});

Deno.test("fitKernelParams() raises the posterior over the defaults and finds the irrelevant parameter", () => {
  for (const seed of [1, 2, 3]) {
    const { points, values, isCategorical } = data(seed);
    const objective = (params: KernelParams) =>
      marginalLogLikelihood(points, values, isCategorical, params) + logPrior(params);
    const defaults = {
      inverseSquaredLengthscales: Float64Array.from([1, 1, 1]),
      kernelScale: 1,
      noiseVar: 1,
    };
    const fitted = fitKernelParams(points, values, isCategorical);
    assert.ok(objective(fitted) > objective(defaults) + 1, `seed ${seed}`);
    // Nudging any fitted parameter by 10% lowers the posterior: a local optimum.
    const nudges: ((p: KernelParams, f: number) => KernelParams)[] = [
      ...[0, 1, 2].map((d) => (p: KernelParams, f: number) => {
        const lambda = p.inverseSquaredLengthscales.slice();
        lambda[d] *= f;
        return { ...p, inverseSquaredLengthscales: lambda };
      }),
      (p, f) => ({ ...p, kernelScale: p.kernelScale * f }),
    ];
    for (const nudge of nudges) {
      for (const factor of [0.9, 1.1]) {
        assert.ok(objective(nudge(fitted, factor)) <= objective(fitted) + 1e-3, `seed ${seed}`);
      }
    }
    // x1 does not enter the values: its length scale is the longest (λ the smallest).
    const [l0, l1] = fitted.inverseSquaredLengthscales;
    assert.ok(l1 < l0, `seed ${seed}: λ ${Array.from(fitted.inverseSquaredLengthscales)}`);
    assert.ok(fitted.noiseVar > MINIMUM_NOISE_VAR && fitted.noiseVar < 0.1, `${fitted.noiseVar}`);
  }
});

Deno.test("fitKernelParams() keeps the noise at its minimum for a deterministic objective", () => {
  const { points, values, isCategorical } = data(4);
  const fitted = fitKernelParams(points, values, isCategorical, { deterministic: true });
  assert.equal(fitted.noiseVar, MINIMUM_NOISE_VAR);
});
