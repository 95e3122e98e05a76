import assert from "node:assert/strict";
import { Rng } from "../../../engine/random.ts";
import { GpRegressor } from "./gp.ts";
import { kernelMatrix, type KernelParams, matern52, matern52Derivative } from "./kernel.ts";

const close = (actual: number, expected: number, tolerance: number, what = "") =>
  assert.ok(
    Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)),
    `${what}: ${actual} vs ${expected}`,
  );

Deno.test("matern52() is 1 at 0 and (1 + √5r + 5r²/3)·e^(−√5r) elsewhere", () => {
  assert.equal(matern52(0), 1);
  // r² = 0.2: √5r = 1, so m = e⁻¹ · (1 + 1 + 1/3) = 7/(3e).
  close(matern52(0.2), 7 / (3 * Math.E), 1e-15, "m(0.2)");
  assert.ok(matern52(4) < matern52(1) && matern52(1) < matern52(0.2));
});

Deno.test("matern52Derivative() is dm/d(r²) by finite differences, −5/6 at 0", () => {
  assert.equal(matern52Derivative(0), -5 / 6);
  for (const r2 of [1e-3, 0.05, 0.3, 1, 2.5, 8]) {
    const h = 1e-6 * Math.max(r2, 1e-3);
    const numeric = (matern52(r2 + h) - matern52(r2 - h)) / (2 * h);
    close(matern52Derivative(r2), numeric, 1e-6, `r² ${r2}`);
  }
});

Deno.test("kernelMatrix() scales by λ per parameter and counts categorical mismatches as 1", () => {
  const points = [[0.1, 0], [0.4, 1], [0.1, 0], [0.4, 2]].map((p) => Float64Array.from(p));
  const params: KernelParams = {
    inverseSquaredLengthscales: Float64Array.from([2, 0.5]),
    kernelScale: 1.5,
    noiseVar: 0,
  };
  const k = kernelMatrix(points, [false, true], params);
  const n = points.length;
  // (0.4 − 0.1)² · 2 + 1 · 0.5 = 0.68, whichever other choice the categorical takes.
  close(k[0 * n + 1], 1.5 * matern52(0.68), 1e-15, "k01");
  close(k[0 * n + 3], 1.5 * matern52(0.68), 1e-15, "k03");
  close(k[1 * n + 3], 1.5 * matern52(0.5), 1e-15, "k13: only the choice differs");
  close(k[0 * n + 2], 1.5, 1e-15, "same point");
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) assert.equal(k[i * n + j], k[j * n + i]);
});

function randomGp(seed: number, n: number, noiseVar: number) {
  const rng = new Rng(seed);
  const isCategorical = [false, true, false];
  const points = Array.from(
    { length: n },
    () => Float64Array.from([rng.uniform(), rng.int(3), rng.uniform()]),
  );
  const values = points.map((p) => Math.sin(6 * p[0]) + 0.3 * p[1] - p[2] * p[2]);
  const params: KernelParams = {
    inverseSquaredLengthscales: Float64Array.from([4, 0.7, 1.3]),
    kernelScale: 1.2,
    noiseVar,
  };
  return { gp: new GpRegressor(points, values, isCategorical, params), points, values, rng };
}

Deno.test("GpRegressor posterior gradient matches finite differences in the continuous params", () => {
  const { gp, rng } = randomGp(1, 12, 1e-3);
  for (let trial = 0; trial < 5; trial++) {
    const x = Float64Array.from([rng.uniform(), rng.int(3), rng.uniform()]);
    const { meanGradient, varianceGradient } = gp.posteriorWithGradient(x, [0, 2]);
    [0, 2].forEach((d, g) => {
      const h = 1e-6;
      const up = x.slice(), down = x.slice();
      up[d] += h;
      down[d] -= h;
      const [a, b] = [gp.posterior(up), gp.posterior(down)];
      close(meanGradient[g], (a.mean - b.mean) / (2 * h), 1e-5, `mean, x${d}`);
      close(varianceGradient[g], (a.variance - b.variance) / (2 * h), 1e-5, `variance, x${d}`);
    });
  }
});

Deno.test("GpRegressor interpolates its data with little noise and reverts to the prior far away", () => {
  const { gp, points, values } = randomGp(2, 10, 1e-8);
  points.forEach((p, i) => {
    const { mean, variance } = gp.posterior(p);
    close(mean, values[i], 1e-4, `mean at point ${i}`);
    assert.ok(variance < 1e-4, `variance ${variance} at point ${i}`);
  });
  const far = gp.posterior(Float64Array.from([30, 0, -30]));
  close(far.mean, 0, 1e-9, "mean far away");
  close(far.variance, 1.2, 1e-9, "variance far away = kernel scale");
});
