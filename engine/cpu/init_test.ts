import assert from "node:assert/strict";
import { Rng } from "../random.ts";
import { INIT_SCHEMES } from "../spec.ts";
import { initLinear } from "./init.ts";

const FAN_IN = 200, FAN_OUT = 100;

/** Expected weight variance, and the uniform bound where the scheme is uniform. */
const EXPECTED = {
  default: { variance: 1 / (3 * FAN_IN), bound: 1 / Math.sqrt(FAN_IN) },
  xavier_uniform: { variance: 2 / (FAN_IN + FAN_OUT), bound: Math.sqrt(6 / (FAN_IN + FAN_OUT)) },
  xavier_normal: { variance: 2 / (FAN_IN + FAN_OUT), bound: null },
  kaiming_uniform: { variance: 2 / FAN_IN, bound: Math.sqrt(6 / FAN_IN) },
  kaiming_normal: { variance: 2 / FAN_IN, bound: null },
  lecun_uniform: { variance: 1 / FAN_IN, bound: Math.sqrt(3 / FAN_IN) },
  lecun_normal: { variance: 1 / FAN_IN, bound: null },
};

Deno.test("initLinear() draws each scheme's documented distribution", () => {
  for (const scheme of INIT_SCHEMES) {
    const weight = new Float32Array(FAN_IN * FAN_OUT);
    const bias = new Float32Array(FAN_OUT);
    initLinear(scheme, weight, bias, FAN_IN, FAN_OUT, new Rng(1));
    const { variance, bound } = EXPECTED[scheme];
    const mean = weight.reduce((a, b) => a + b, 0) / weight.length;
    const sampleVariance = weight.reduce((a, w) => a + (w - mean) ** 2, 0) / weight.length;
    // 20000 draws: the sample variance is within ~2% (a few standard errors) of the true one.
    assert.ok(
      Math.abs(sampleVariance / variance - 1) < 0.04,
      `${scheme}: variance ${sampleVariance}`,
    );
    assert.ok(Math.abs(mean) < 4 * Math.sqrt(variance / weight.length), `${scheme}: mean ${mean}`);
    if (bound !== null) {
      const largest = weight.reduce((a, w) => Math.max(a, Math.abs(w)), 0);
      assert.ok(largest <= bound && largest > 0.99 * bound, `${scheme}: max |w| ${largest}`);
    }
  }
});

Deno.test("initLinear() zeroes biases except for the PyTorch default, which draws U(±1/√fan_in)", () => {
  for (const scheme of INIT_SCHEMES) {
    const bias = new Float32Array(FAN_OUT).fill(7);
    initLinear(scheme, new Float32Array(FAN_IN * FAN_OUT), bias, FAN_IN, FAN_OUT, new Rng(2));
    if (scheme === "default") {
      assert.ok(bias.every((b) => Math.abs(b) <= 1 / Math.sqrt(FAN_IN)));
      assert.ok(new Set(bias).size > FAN_OUT / 2);
    } else {
      assert.ok(bias.every((b) => b === 0), scheme);
    }
  }
});

Deno.test("initLinear() is reproducible from the seed", () => {
  const draw = (seed: number) => {
    const weight = new Float32Array(50);
    initLinear("xavier_normal", weight, new Float32Array(5), 10, 5, new Rng(seed));
    return weight;
  };
  assert.deepEqual(draw(3), draw(3));
  assert.notDeepEqual(draw(3), draw(4));
});
