import assert from "node:assert/strict";
import { decode } from "fast-png";
import {
  divergingColor,
  firstLayerImages,
  strongestUnits,
  unitImage,
} from "./first_layer_images.ts";

Deno.test("divergingColor() is white at 0, blue below and red above, symmetric in strength", () => {
  assert.deepEqual(divergingColor(0), [247, 247, 247]);
  assert.deepEqual(divergingColor(-1), [33, 102, 172]);
  assert.deepEqual(divergingColor(1), [178, 24, 43]);
  assert.deepEqual(divergingColor(-5), divergingColor(-1));
  // Halfway either way is halfway from white to that end.
  assert.deepEqual(divergingColor(0.5), [213, 136, 145]);
  assert.deepEqual(divergingColor(-0.5), [140, 175, 210]);
});

Deno.test("strongestUnits() orders rows by L2 norm, largest first, ties by index", () => {
  // Four units of 2 inputs: norms 1, 5, 5, 2.
  const weights = Float32Array.of(1, 0, 3, 4, -4, 3, 0, -2);
  assert.deepEqual(strongestUnits(weights, 2, 4), [1, 2, 3, 0]);
  assert.deepEqual(strongestUnits(weights, 2, 2), [1, 2]);
});

Deno.test("unitImage() colours a unit's weights as its 28×28 picture, scaled to its largest |w|", () => {
  const weights = new Float32Array(2 * 784);
  weights[784 + 0] = -0.5; // unit 1, top-left pixel: the most negative
  weights[784 + 27] = 0.25; // unit 1, top-right pixel: half as strong, positive
  const image = unitImage(weights, 1, 28);
  assert.equal(image.min, -0.5);
  assert.equal(image.max, 0.25);
  assert.equal(image.norm, Math.hypot(0.5, 0.25));
  const png = decode(Uint8Array.from(atob(image.src.split(",")[1]), (c) => c.charCodeAt(0)));
  assert.equal(png.width, 28);
  assert.equal(png.height, 28);
  assert.equal(png.channels, 3);
  const pixel = (i: number) => [...png.data.subarray(i * 3, i * 3 + 3)];
  assert.deepEqual(pixel(0), divergingColor(-1));
  assert.deepEqual(pixel(27), divergingColor(0.5));
  assert.deepEqual(pixel(400), divergingColor(0));
});

Deno.test("firstLayerImages() draws at most the strongest 32 units", () => {
  const weights = Float32Array.from({ length: 40 * 784 }, (_, i) => Math.floor(i / 784) * 0.01);
  const images = firstLayerImages(weights, 28);
  assert.equal(images.length, 32);
  assert.deepEqual(images.slice(0, 3).map((image) => image.unit), [39, 38, 37]);
});
