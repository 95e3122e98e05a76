import assert from "node:assert/strict";
import { inputTransform } from "./transform.ts";
import { transformInput } from "./dataset.ts";

Deno.test("inputTransform() with Normalize(0.5, 0.5) maps pixel 0 to −1 and 255 to 1", () => {
  const transform = inputTransform({ pixels: true }, { mean: 0.5, std: 0.5 });
  assert.equal(transformInput(0, transform), -1);
  assert.ok(Math.abs(transformInput(255, transform) - 1) < 1e-6);
  assert.ok(Math.abs(transformInput(51, transform) - (51 / 255 - 0.5) / 0.5) < 1e-6);
});

Deno.test("inputTransform() is ToTensor alone without normalize, and identity for non-pixels", () => {
  const pixels = inputTransform({ pixels: true }, null);
  assert.ok(Math.abs(transformInput(255, pixels) - 1) < 1e-7);
  assert.deepEqual(inputTransform({ pixels: false }, null), { scale: 1, shift: 0 });
  const features = inputTransform({ pixels: false }, { mean: 0.1307, std: 0.3081 });
  assert.ok(Math.abs(transformInput(2, features) - (2 - 0.1307) / 0.3081) < 1e-5);
});

Deno.test("inputTransform() rejects std ≤ 0 and non-finite values, naming the field", () => {
  assert.throws(
    () => inputTransform({ pixels: true }, { mean: 0.5, std: 0 }),
    /data.normalize.std must be a finite number > 0, got 0/,
  );
  assert.throws(() => inputTransform({ pixels: true }, { mean: 0.5, std: -1 }), /got -1/);
  assert.throws(
    () => inputTransform({ pixels: true }, { mean: NaN, std: 1 }),
    /data.normalize.mean must be a finite number, got NaN/,
  );
});
