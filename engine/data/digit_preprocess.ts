/**
 * MNIST's own preprocessing, applied to a digit drawn or uploaded for a trained model, so it
 * looks like the digits the model learned from. From the MNIST page (LeCun, Cortes, Burges):
 * "The original black and white (bilevel) images from NIST were size normalized to fit in a
 * 20x20 pixel box while preserving their aspect ratio. The resulting images contain grey levels
 * as a result of the anti-aliasing technique used by the normalization algorithm. The images were
 * centered in a 28x28 image by computing the center of mass of the pixels, and translating the
 * image so as to position this point at the center of the 28x28 field."
 *
 * Here, on an image of any size, with ink bright on a dark ground as in MNIST:
 * 1. the bounding box of the pixels brighter than {@linkcode INK_THRESHOLD};
 * 2. that box scaled so its longer side is 20 pixels, aspect ratio kept: averaged over the area
 *    each new pixel covers when shrinking, bilinear when growing (the grey levels of
 *    anti-aliasing);
 * 3. placed in a 28×28 field, shifted by whole pixels so its centre of mass (row and column
 *    indices weighted by grey level) falls nearest (14, 14), where MNIST's digits have theirs
 *    (the first 2,000 test digits' mean is (14.00, 13.99)); ink shifted past an edge is cut off.
 *
 * {@linkcode inkOnDark} first turns dark ink on light paper (a photo, a scan) the MNIST way up.
 *
 * @module
 */

export const MNIST_SIDE = 28;
export const MNIST_BOX = 20;
/** Grey levels at or below this are background when finding the digit's bounding box. */
export const INK_THRESHOLD = 16;

/** A grayscale image, one byte-range value (0–255) per pixel, row-major. */
export interface GrayImage {
  width: number;
  height: number;
  pixels: Float32Array;
}

/** The image as is, or inverted when its border is mostly light (dark ink on light paper). */
export function inkOnDark(image: GrayImage): GrayImage {
  const { width, height, pixels } = image;
  let sum = 0;
  let count = 0;
  for (let x = 0; x < width; x++) {
    sum += pixels[x] + pixels[(height - 1) * width + x];
    count += 2;
  }
  for (let y = 1; y < height - 1; y++) {
    sum += pixels[y * width] + pixels[y * width + width - 1];
    count += 2;
  }
  if (sum / count <= 127.5) return image;
  return { width, height, pixels: pixels.map((value) => 255 - value) };
}

/** Rows and columns [x0, x1) × [y0, y1) holding ink, or null for a blank image. */
export function inkBox(
  image: GrayImage,
): { x0: number; y0: number; x1: number; y1: number } | null {
  const { width, height, pixels } = image;
  let x0 = width, y0 = height, x1 = 0, y1 = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (pixels[y * width + x] <= INK_THRESHOLD) continue;
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x + 1);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y + 1);
    }
  }
  return x1 > x0 ? { x0, y0, x1, y1 } : null;
}

/** `source` resampled to `width` × `height`: area average per axis when shrinking, else bilinear. */
export function resample(source: GrayImage, width: number, height: number): Float32Array {
  const columns = axisWeights(source.width, width);
  const rows = axisWeights(source.height, height);
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let value = 0;
      for (const [sy, wy] of rows[y]) {
        for (const [sx, wx] of columns[x]) value += wy * wx * source.pixels[sy * source.width + sx];
      }
      out[y * width + x] = value;
    }
  }
  return out;
}

/** For each of `to` output positions, the source positions and weights (summing to 1) it takes. */
function axisWeights(from: number, to: number): [number, number][][] {
  const scale = from / to;
  return Array.from({ length: to }, (_, i) => {
    if (scale > 1) {
      // Shrinking: the source interval [i·scale, (i+1)·scale) averaged, partial pixels weighted.
      const start = i * scale;
      const end = start + scale;
      const taps: [number, number][] = [];
      for (let s = Math.floor(start); s < Math.min(Math.ceil(end), from); s++) {
        const covered = Math.min(end, s + 1) - Math.max(start, s);
        if (covered > 0) taps.push([s, covered / scale]);
      }
      return taps;
    }
    // Growing: the output pixel's centre mapped back, between its two nearest source centres.
    const centre = Math.min(Math.max((i + 0.5) * scale - 0.5, 0), from - 1);
    const low = Math.floor(centre);
    const high = Math.min(low + 1, from - 1);
    const t = centre - low;
    return high === low ? [[low, 1]] : [[low, 1 - t], [high, t]];
  });
}

/**
 * MNIST's preprocessing of `image` (ink bright on dark; see the module doc): a 28×28 image of
 * grey levels 0–255 whose ink fits 20×20 and whose centre of mass is at (14, 14). Null when
 * the image has no ink.
 */
export function mnistPreprocess(image: GrayImage): Float32Array | null {
  const box = inkBox(image);
  if (box === null) return null;
  const boxWidth = box.x1 - box.x0;
  const boxHeight = box.y1 - box.y0;
  const crop = new Float32Array(boxWidth * boxHeight);
  for (let y = 0; y < boxHeight; y++) {
    const from = (box.y0 + y) * image.width + box.x0;
    crop.set(image.pixels.subarray(from, from + boxWidth), y * boxWidth);
  }
  const scale = MNIST_BOX / Math.max(boxWidth, boxHeight);
  const width = Math.max(1, Math.round(boxWidth * scale));
  const height = Math.max(1, Math.round(boxHeight * scale));
  const fitted = resample({ width: boxWidth, height: boxHeight, pixels: crop }, width, height);

  let mass = 0, sumX = 0, sumY = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const value = fitted[y * width + x];
      mass += value;
      sumX += value * x;
      sumY += value * y;
    }
  }
  const centre = MNIST_SIDE / 2; // index 14: just right of the middle, as in MNIST
  const dx = Math.round(centre - sumX / mass);
  const dy = Math.round(centre - sumY / mass);
  const out = new Float32Array(MNIST_SIDE * MNIST_SIDE);
  for (let y = 0; y < height; y++) {
    const ty = y + dy;
    if (ty < 0 || ty >= MNIST_SIDE) continue;
    for (let x = 0; x < width; x++) {
      const tx = x + dx;
      if (tx < 0 || tx >= MNIST_SIDE) continue;
      out[ty * MNIST_SIDE + tx] = Math.min(255, Math.max(0, fitted[y * width + x]));
    }
  }
  return out;
}
