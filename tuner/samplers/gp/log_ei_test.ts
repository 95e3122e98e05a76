import assert from "node:assert/strict";
import { logEi, STABILIZING_NOISE, standardLogEi } from "./log_ei.ts";

/** h(z) = ∫_{−z}^{∞} (x + z) φ(x) dx by Simpson's rule: the direct computation. */
function improvementByQuadrature(z: number): number {
  const steps = 20000, width = 12, a = -z, h = width / steps;
  const f = (x: number) => (x + z) * Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
  let sum = f(a) + f(a + width);
  for (let i = 1; i < steps; i++) sum += (i % 2 ? 4 : 2) * f(a + i * h);
  return (sum * h) / 3;
}

Deno.test("standardLogEi() matches log of the expected improvement integrated directly", () => {
  for (const z of [-20, -12, -6, -3, -1, -0.2, 0, 0.5, 2, 5]) {
    const direct = Math.log(improvementByQuadrature(z));
    const { value } = standardLogEi(z);
    assert.ok(Math.abs(value - direct) < 1e-6 * Math.max(1, Math.abs(direct)), `z ${z}`);
  }
});

Deno.test("standardLogEi() joins its two branches at z = −25 and its derivative matches", () => {
  // The slope there is about 25, so 2e-12 apart the values may differ by 5e-11 at most.
  const below = standardLogEi(-25 - 1e-12), above = standardLogEi(-25 + 1e-12);
  assert.ok(Math.abs(below.value - above.value) < 1e-9, `${below.value} vs ${above.value}`);
  assert.ok(Math.abs(below.derivative - above.derivative) < 1e-6);
  for (const z of [-200, -40, -25.5, -24.5, -8, -1, 0, 3]) {
    const h = 1e-5 * Math.max(1, Math.abs(z));
    const numeric = (standardLogEi(z + h).value - standardLogEi(z - h).value) / (2 * h);
    const { derivative } = standardLogEi(z);
    assert.ok(Math.abs(derivative - numeric) < 1e-5 * Math.max(1, Math.abs(numeric)), `z ${z}`);
  }
});

Deno.test("standardLogEi() stays finite and increasing far into the tail, where EI underflows", () => {
  let previous = -Infinity;
  for (const z of [-1e8, -1e5, -3000, -500, -100, -40, -30, -25.0001, -25, -24, -10]) {
    const { value, derivative } = standardLogEi(z);
    assert.ok(Number.isFinite(value) && value > previous, `z ${z}: ${value}`);
    assert.ok(Number.isFinite(derivative) && derivative > 0, `z ${z}: slope ${derivative}`);
    previous = value;
  }
  // Leading order: log h(z) ≈ −z²/2 − 2 log|z| − ½ log 2π.
  const z = -300, leading = -z * z / 2 - 2 * Math.log(-z) - 0.5 * Math.log(2 * Math.PI);
  assert.ok(Math.abs(standardLogEi(z).value - leading) < 1e-4);
});

Deno.test("logEi() is log σ + log h((μ − f₀)/σ) and its partials match finite differences", () => {
  const cases = [[0.3, 0.04, 0.1], [-2, 0.01, 1.5], [1, 2, 1], [-40, 0.5, 3]];
  for (const [mean, variance, threshold] of cases) {
    const sigma = Math.sqrt(variance + STABILIZING_NOISE);
    const { value, dMean, dVariance } = logEi(mean, variance, threshold);
    const expected = Math.log(sigma) + standardLogEi((mean - threshold) / sigma).value;
    assert.ok(Math.abs(value - expected) < 1e-12);
    const h = 1e-6;
    const numericMean = (logEi(mean + h, variance, threshold).value -
      logEi(mean - h, variance, threshold).value) / (2 * h);
    const numericVariance = (logEi(mean, variance + h * variance, threshold).value -
      logEi(mean, variance - h * variance, threshold).value) / (2 * h * variance);
    assert.ok(Math.abs(dMean - numericMean) < 1e-5 * Math.max(1, Math.abs(numericMean)));
    assert.ok(
      Math.abs(dVariance - numericVariance) < 1e-5 * Math.max(1, Math.abs(numericVariance)),
      `${dVariance} vs ${numericVariance}`,
    );
  }
});
