import assert from "node:assert/strict";
import { defaultDatasetRoots } from "../../config/paths.ts";
import {
  type GrayImage,
  inkBox,
  inkOnDark,
  MNIST_SIDE,
  mnistPreprocess,
  resample,
} from "./digit_preprocess.ts";
import { loadDataset } from "./load.ts";

/** A blank image with the rectangles given filled with `value`. */
function image(
  width: number,
  height: number,
  rects: { x: number; y: number; w: number; h: number; value?: number }[],
): GrayImage {
  const pixels = new Float32Array(width * height);
  for (const { x, y, w, h, value = 255 } of rects) {
    for (let row = y; row < y + h; row++) pixels.fill(value, row * width + x, row * width + x + w);
  }
  return { width, height, pixels };
}

function centreOfMass(pixels: Float32Array, side = MNIST_SIDE): { x: number; y: number } {
  let mass = 0, x = 0, y = 0;
  pixels.forEach((value, i) => {
    mass += value;
    x += value * (i % side);
    y += value * Math.floor(i / side);
  });
  return { x: x / mass, y: y / mass };
}

const square = (pixels: Float32Array): GrayImage => ({ width: 28, height: 28, pixels });

Deno.test("mnistPreprocess() fits a bar in the corner to 20 pixels tall, aspect kept, and centres it", () => {
  // A 4 × 10 bar in the top-left corner: scaled by 2 to 8 × 20, its mass (3.5, 9.5) moved to
  // (14, 14) rounded: 10.5 and 4.5 pixels, rounded up.
  const out = mnistPreprocess(image(28, 28, [{ x: 1, y: 2, w: 4, h: 10 }]))!;
  assert.deepEqual(inkBox(square(out)), { x0: 11, y0: 5, x1: 19, y1: 25 });
  const { x, y } = centreOfMass(out);
  assert.ok(Math.abs(x - 14) <= 0.5 && Math.abs(y - 14) <= 0.5, `centre of mass (${x}, ${y})`);
});

Deno.test("mnistPreprocess() centres by mass, not by the bounding box", () => {
  // A "7"-like shape: a heavy top stroke and a thin stem, drawn off-centre on a large canvas.
  const drawn = image(280, 280, [
    { x: 150, y: 20, w: 100, h: 20 },
    { x: 220, y: 40, w: 16, h: 160 },
  ]);
  const out = mnistPreprocess(drawn)!;
  const box = inkBox(square(out))!;
  assert.equal(Math.max(box.x1 - box.x0, box.y1 - box.y0), 20);
  const { x, y } = centreOfMass(out);
  assert.ok(Math.abs(x - 14) <= 0.5 && Math.abs(y - 14) <= 0.5, `centre of mass (${x}, ${y})`);
  // The heavy top pulls the mass up, so the box sits below the middle.
  assert.ok((box.y0 + box.y1) / 2 > 15, `box ${JSON.stringify(box)}`);
});

Deno.test("mnistPreprocess() gives null for an image with no ink above the threshold", () => {
  assert.equal(mnistPreprocess(image(28, 28, [{ x: 3, y: 3, w: 5, h: 5, value: 10 }])), null);
});

Deno.test("inkOnDark() inverts dark ink on light paper and leaves MNIST's way up alone", () => {
  const paper = image(10, 10, [{ x: 0, y: 0, w: 10, h: 10, value: 250 }, {
    x: 4,
    y: 4,
    w: 2,
    h: 2,
    value: 0,
  }]);
  const turned = inkOnDark(paper);
  assert.equal(turned.pixels[0], 5);
  assert.equal(turned.pixels[4 * 10 + 4], 255);
  const mnist = image(10, 10, [{ x: 4, y: 4, w: 2, h: 2 }]);
  assert.equal(inkOnDark(mnist), mnist);
});

Deno.test("resample() keeps the mean when shrinking by area and interpolates when growing", () => {
  const stripes = image(4, 1, [{ x: 0, y: 0, w: 1, h: 1 }, { x: 2, y: 0, w: 1, h: 1 }]);
  assert.deepEqual([...resample(stripes, 2, 1)], [127.5, 127.5]);
  const ramp = { width: 2, height: 1, pixels: Float32Array.from([0, 200]) };
  assert.deepEqual([...resample(ramp, 4, 1)], [0, 50, 150, 200]);
});

Deno.test("mnistPreprocess() leaves MNIST's own test digits nearly as they are", async () => {
  // They were made this way, so doing it again should change next to nothing (here: nothing):
  // the mean absolute change per pixel stays under 2 grey levels for the first 20 test digits.
  // Centring on index (14, 14) rather than the pixel-centre middle is what makes this hold.
  const mnist = await loadDataset("mnist", defaultDatasetRoots());
  for (let i = 0; i < 20; i++) {
    const digit = Float32Array.from(mnist.test!.inputs.subarray(i * 784, (i + 1) * 784));
    const out = mnistPreprocess(square(digit))!;
    const change = out.reduce((sum, value, k) => sum + Math.abs(value - digit[k]), 0) / 784;
    assert.ok(change < 2, `test digit ${i} changed by ${change.toFixed(2)} per pixel`);
  }
});
