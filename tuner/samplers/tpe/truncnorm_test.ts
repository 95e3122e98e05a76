import assert from "node:assert/strict";
import { erf, erfc } from "./erf.ts";
import { logGaussMass, logNdtr, ndtr, normalLogPdf, ppf } from "./truncnorm.ts";

// Reference values from CPython's math.erf / math.erfc (C libm).
Deno.test("erf() and erfc() match libm, including far tails", () => {
  const cases: [number, number, number][] = [
    [0.5, 0.5204998778130465, 0.4795001221869535],
    [1, 0.8427007929497149, 0.15729920705028513],
    [-1.5, -0.9661051464753108, 1.9661051464753108],
    [3, 0.9999779095030014, 2.209049699858544e-05],
    [10, 1, 2.088487583762545e-45],
  ];
  for (const [x, erfX, erfcX] of cases) {
    assert.ok(Math.abs(erf(x) - erfX) <= 1e-15, `erf(${x})`);
    assert.ok(Math.abs(erfc(x) / erfcX - 1) <= 1e-13, `erfc(${x}) = ${erfc(x)}`);
  }
});

Deno.test("logNdtr() stays finite and accurate far in the left tail", () => {
  assert.ok(Math.abs(ndtr(1.96) - 0.9750021048517795) < 1e-15);
  // log Φ(−30) from Optuna 3.1's `_log_ndtr_single` (the same asymptotic series).
  assert.ok(Math.abs(logNdtr(-30) - -454.32124395634315) < 1e-9);
  assert.ok(Number.isFinite(logNdtr(-60)));
  assert.ok(Math.abs(logNdtr(8) - Math.log1p(-ndtr(-8))) < 1e-18);
});

Deno.test("logGaussMass() is the log of the normal mass in [a, b], in tails too", () => {
  assert.ok(Math.abs(logGaussMass(-1, 1) - Math.log(0.6826894921370859)) < 1e-14);
  assert.ok(Math.abs(logGaussMass(40, 41) - logGaussMass(-41, -40)) < 1e-12);
  assert.ok(Number.isFinite(logGaussMass(40, 41)));
});

Deno.test("ppf() inverts the truncated CDF and respects the bounds", () => {
  const a = -0.5, b = 2;
  for (const q of [0, 0.1, 0.5, 0.9, 1]) {
    const x = ppf(q, a, b);
    assert.ok(x >= a && x <= b);
    const cdf = (ndtr(x) - ndtr(a)) / (ndtr(b) - ndtr(a));
    assert.ok(Math.abs(cdf - q) < 1e-10, `q ${q}: cdf ${cdf}`);
  }
  assert.ok(ppf(0.5, 10, 12) > 10 && ppf(0.5, 10, 12) < 10.2);
});

Deno.test("normalLogPdf() minus logGaussMass() is a density over the truncation", () => {
  for (const [loc, scale] of [[0.3, 0.05], [0.5, 4]]) {
    const low = 0, high = 1, n = 20_000;
    const logMass = logGaussMass((low - loc) / scale, (high - loc) / scale);
    let integral = 0;
    for (let i = 0; i < n; i++) {
      const x = low + (i + 0.5) * (high - low) / n;
      integral += Math.exp(normalLogPdf((x - loc) / scale) - logMass) / scale * (high - low) / n;
    }
    assert.ok(Math.abs(integral - 1) < 1e-6, `scale ${scale}: ${integral}`);
  }
});
