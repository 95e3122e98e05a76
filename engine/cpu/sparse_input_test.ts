import assert from "node:assert/strict";
import { linearBackward, linearForward } from "./linear.ts";
import { SPARSE_INPUT_LIMIT, SparseInputLayer } from "./sparse_input.ts";
import { Rng } from "../random.ts";

/** Inputs like a normalised MNIST batch: `offset` where the pixel is background. */
function sparseInputs(rng: Rng, batch: number, features: number, kept: number, offset: number) {
  const x = new Float32Array(batch * features).fill(offset);
  for (let i = 0; i < x.length; i++) {
    if (rng.uniform() < kept) {
      x[i] = Math.fround(offset + (1 + Math.floor(rng.uniform() * 255)) / 127.5);
    }
  }
  return x;
}

function randomArray(rng: Rng, length: number, scale = 1): Float32Array {
  return Float32Array.from({ length }, () => (rng.uniform() * 2 - 1) * scale);
}

/** As linear_gemm_test.ts: f32 sums in another order than the reference's f64 ones. */
function assertClose(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) {
    const error = Math.abs(actual[i] - expected[i]);
    assert.ok(
      error <= 1e-5 * (1 + Math.abs(expected[i])),
      `${what}: [${i}] ${actual[i]} vs ${expected[i]}`,
    );
  }
}

Deno.test("the sparse first layer computes the reference's forward and weight gradient", () => {
  const rng = new Rng(7);
  const layer = new SparseInputLayer();
  // Widths around each slice (48, 16, 4 columns and a remainder), offsets 0 and −1, batches
  // growing and shrinking (the layout is reused), density under the limit.
  const cases = [
    { batch: 5, inFeatures: 13, outFeatures: 3, offset: -1 },
    { batch: 9, inFeatures: 31, outFeatures: 48, offset: -1 },
    { batch: 3, inFeatures: 31, outFeatures: 48, offset: 0 },
    { batch: 17, inFeatures: 40, outFeatures: 70, offset: Math.fround(-0.4242) },
    { batch: 32, inFeatures: 784, outFeatures: 100, offset: -1 },
    { batch: 8, inFeatures: 784, outFeatures: 100, offset: -1 },
    { batch: 64, inFeatures: 50, outFeatures: 257, offset: 0.5 },
  ];
  let largest = 0;
  for (const { batch, inFeatures, outFeatures, offset } of cases) {
    const what = `batch ${batch}, ${inFeatures}→${outFeatures}, offset ${offset}`;
    const x = sparseInputs(rng, batch, inFeatures, 0.2, offset);
    const weight = randomArray(rng, outFeatures * inFeatures, 0.1);
    const bias = randomArray(rng, outFeatures);
    const expected = new Float32Array(batch * outFeatures);
    linearForward(x, weight, bias, batch, inFeatures, outFeatures, expected, undefined, offset);
    const y = new Float32Array(batch * outFeatures);
    const shape = { batch, inFeatures, outFeatures };
    assert.ok(layer.forward(x, weight, bias, shape, offset, y, true), what);
    // The memory never shrinks: it holds the largest shape's so far.
    largest = Math.max(largest, SparseInputLayer.bytesFor(batch, inFeatures, outFeatures));
    assert.ok(layer.bytes <= largest, `${layer.bytes} bytes held, ${largest} estimated`);
    assertClose(y, expected, `forward, ${what}`);

    const dY = randomArray(rng, batch * outFeatures);
    const grads = {
      dWeight: new Float32Array(outFeatures * inFeatures),
      dBias: new Float32Array(outFeatures),
      dX: null,
    };
    linearBackward(x, weight, dY, batch, inFeatures, outFeatures, grads);
    const dWeight = new Float32Array(outFeatures * inFeatures);
    layer.backward(dY, grads.dBias, dWeight);
    assertClose(dWeight, grads.dWeight, `weight gradient, ${what}`);
  }
});

Deno.test("the sparse first layer declines dense inputs and evaluation forwards keep no gradient", () => {
  const rng = new Rng(3);
  const layer = new SparseInputLayer();
  const shape = { batch: 16, inFeatures: 64, outFeatures: 32 };
  const weight = randomArray(rng, 32 * 64);
  const bias = randomArray(rng, 32);
  const y = new Float32Array(16 * 32);
  const dense = sparseInputs(rng, 16, 64, SPARSE_INPUT_LIMIT + 0.2, -1);
  assert.equal(layer.forward(dense, weight, bias, shape, -1, y, true), false);
  assert.ok(y.every((value) => value === 0), "nothing written when declined");
  assert.equal(layer.trained, false);
  const sparse = sparseInputs(rng, 16, 64, 0.1, -1);
  assert.ok(layer.forward(sparse, weight, bias, shape, -1, y, false));
  assert.equal(layer.trained, false);
  assert.throws(() => layer.backward(y, bias, weight), /training forward/);
});
