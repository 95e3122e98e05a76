/**
 * Inverted dropout (`torch.nn.Dropout(p)` in training): each element is kept with probability
 * 1 − p and scaled by 1/(1 − p), so evaluation needs no rescaling and is the identity.
 *
 * Masks come from {@linkcode hashUniform}(seed, step, layer, index) instead of a stateful stream,
 * so the WGSL kernel draws the same mask from integers alone: element `index` (row·units + unit of
 * the [batch × units] activation) of hidden layer `layer` at global step `step` is kept when the
 * uniform is ≥ p. Tests inject explicit masks to replay PyTorch's.
 *
 * The loops are branch-free: a keep-or-drop pattern as random as dropout's defeats the branch
 * predictor, and measured here the branching forms took 8–9 ns an element against about 2.
 *
 * @module
 */

import { lowbias32 } from "../random.ts";

/** The factor kept elements are multiplied by, 1/(1 − p), rounded to f32 as torch's noise is. */
export function dropoutScale(p: number): number {
  return Math.fround(1 / (1 - p));
}

/**
 * mask[i] = 1 when element i is kept at (seed, step, layer), else 0, for i < mask.length: when
 * hashUniform(seed, step, layer, i) ≥ p. Its first three hash rounds depend on the call alone and
 * are done once; the comparison is on integers, u = k / 2²⁴ ≥ p ⇔ k ≥ ⌈p·2²⁴⌉ (exact: scaling by
 * 2²⁴ is).
 */
export function dropoutMask(
  p: number,
  seed: number,
  step: number,
  layer: number,
  mask: Uint8Array,
): void {
  let key = lowbias32(seed >>> 0);
  key = lowbias32((key ^ step) >>> 0);
  key = lowbias32((key ^ layer) >>> 0);
  const threshold = Math.ceil(p * 16777216);
  for (let i = 0; i < mask.length; i++) {
    // 1 exactly when threshold − 1 − k < 0, read from the sign bit.
    mask[i] = (threshold - 1 - (lowbias32((key ^ i) >>> 0) >>> 8)) >>> 31;
  }
}

/** y[i] = x[i] · mask[i] / (1 − p) for i < mask.length; `y` may alias `x`. */
export function dropoutForward(
  x: Float32Array,
  mask: Uint8Array,
  p: number,
  y: Float32Array,
): void {
  const scale = dropoutScale(p);
  const count = mask.length;
  // A dropped element's bits are and-ed with 0 (+0, as before, even for ±∞ and NaN).
  const bits = new Int32Array(y.buffer, y.byteOffset, count);
  for (let i = 0; i < count; i++) {
    y[i] = x[i] * scale;
    bits[i] &= -mask[i];
  }
}

/** dX[i] = dY[i] · mask[i] / (1 − p) for i < mask.length; `dX` may alias `dY`. */
export function dropoutBackward(
  dY: Float32Array,
  mask: Uint8Array,
  p: number,
  dX: Float32Array,
): void {
  dropoutForward(dY, mask, p, dX);
}
