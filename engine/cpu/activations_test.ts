import assert from "node:assert/strict";
import { ACTIVATIONS } from "../spec.ts";
import {
  activate,
  activationBackward,
  activationDerivative,
  activationForward,
  erf,
  sigmoid32,
} from "./activations.ts";
import { assertGradient, numericGradient, testValues, weightedSum } from "./gradient_check.ts";

// Python's math.erf (correctly rounded f64) at points across both branches of erf().
const ERF_REFERENCE = [
  [1e-6, 1.1283791670951364e-6],
  [0.001, 0.0011283787909692365],
  [0.1, 0.1124629160182849],
  [0.5, 0.5204998778130465],
  [0.9, 0.7969082124228322],
  [1.5, 0.9661051464753108],
  [1.999, 0.9953015566513705],
  [2.0, 0.9953222650189527],
  [2.5, 0.999593047982555],
  [3.0, 0.9999779095030014],
  [4.0, 0.9999999845827421],
  [-0.7, -0.6778011938374184],
  [-2.2, -0.9981371537020182],
];

Deno.test("erf() is within half an f32 ulp of the true value, tiny arguments included", () => {
  for (const [x, expected] of ERF_REFERENCE) {
    const halfUlp = Math.abs(expected) * 2 ** -24;
    assert.ok(Math.abs(erf(x) - expected) <= halfUlp, `erf(${x}) = ${erf(x)}, want ${expected}`);
  }
  assert.equal(erf(0), 0);
  assert.equal(erf(Infinity), 1);
  assert.equal(erf(-Infinity), -1);
});

Deno.test("activationForward() gelu is x·Φ(x) to f32 precision, also where 1 + erf cancels", () => {
  // 0.5·x·erfc(−x/√2) in f64 (Python's math.erfc). torch's f32 `1 + erf` loses digits at x = −3
  // (−0.00404987 there); the absolute difference stays below 2e-7.
  const x = Float32Array.of(-3, -1, -0.5, 0, 0.3, 1, 2.5);
  const exact = [
    -0.004049694094890287,
    -0.15865525393145707,
    -0.15426876936299344,
    0,
    0.18537342665668577,
    0.8413447460685429,
    2.4844758366855597,
  ];
  const y = new Float32Array(x.length);
  activationForward("gelu", x, y);
  y.forEach((v, i) => {
    assert.ok(Math.abs(v - exact[i]) <= 1e-7 * Math.abs(exact[i]), `gelu(${x[i]}) = ${v}`);
  });
});

Deno.test("activationBackward() matches finite differences for every activation", () => {
  for (const kind of ACTIVATIONS) {
    // Kinks of relu/leaky_relu at 0 are kept away from the finite-difference step.
    const x = testValues(40, 11, 3).map((v) => (Math.abs(v) < 0.05 ? 0.5 : v));
    const r = testValues(40, 12);
    const y = new Float32Array(40);
    const objective = () => {
      activationForward(kind, x, y);
      return weightedSum(y, r);
    };
    objective();
    const dX = new Float32Array(40);
    activationBackward(kind, x, y, r, dX);
    assertGradient(dX, numericGradient(x, objective, 1e-3), kind);
  }
});

Deno.test("activationBackward() relu has gradient 0 at exactly 0, like torch", () => {
  const x = Float32Array.of(0, -0, 1);
  const y = new Float32Array(3);
  activationForward("relu", x, y);
  const dX = new Float32Array(3);
  activationBackward("relu", x, y, Float32Array.of(1, 1, 1), dX);
  assert.deepEqual([...dX], [0, 0, 1]);
  activationBackward("leaky_relu", x, y, Float32Array.of(1, 1, 1), dX);
  assert.deepEqual([...dX], [Math.fround(0.01), Math.fround(0.01), 1]);
});

Deno.test("sigmoid32() rounds like torch's f32 sigmoid and saturates to exactly 1", () => {
  assert.equal(sigmoid32(0), 0.5);
  assert.equal(sigmoid32(17), 1);
  assert.ok(sigmoid32(-17) > 0);
  assert.equal(sigmoid32(16), Math.fround(1 / Math.fround(1 + Math.fround(Math.exp(-16)))));
});

Deno.test("relu forward and backward take x > 0 exactly: ±0, subnormals, ±∞, NaN and the extremes", () => {
  const x = Float32Array.of(0, -0, 1e-45, -1e-45, Infinity, -Infinity, NaN, -NaN, 3.4e38, -3.4e38);
  const y = new Float32Array(x.length);
  activationForward("relu", x, y);
  const dX = new Float32Array(x.length);
  const dY = new Float32Array(x.length).fill(2);
  activationBackward("relu", x, y, dY, dX);
  x.forEach((v, i) => {
    assert.ok(Object.is(y[i], v > 0 ? v : 0), `relu(${v}) = ${y[i]}`);
    assert.equal(dX[i], v > 0 ? 2 : 0, `relu′(${v})`);
  });
});

Deno.test("leaky_relu and none in their own loops equal activate() and its derivative, in place too", () => {
  const x = Float32Array.of(
    0,
    -0,
    1e-45,
    -1e-45,
    Infinity,
    -Infinity,
    NaN,
    3.4e38,
    -3.4e38,
    -2.5,
    0.7,
  );
  const dY = Float32Array.of(1, -1, 3, -0, 2, 0.5, 7, -3, 1e-45, -0.25, 4);
  for (const kind of ["leaky_relu", "none"] as const) {
    const y = new Float32Array(x.length);
    activationForward(kind, x, y);
    const dX = new Float32Array(x.length);
    activationBackward(kind, x, y, dY, dX);
    const inPlace = dY.slice();
    activationBackward(kind, x, y, inPlace, inPlace);
    x.forEach((v, i) => {
      const expected = Math.fround(dY[i] * activationDerivative(kind, v, y[i]));
      assert.ok(Object.is(y[i], Math.fround(activate(kind, v))), `${kind}(${v}) = ${y[i]}`);
      assert.ok(Object.is(dX[i], expected), `${kind}′(${v})·${dY[i]} = ${dX[i]}`);
      assert.ok(Object.is(inPlace[i], expected), `${kind}′(${v})·${dY[i]} in place`);
    });
  }
});
