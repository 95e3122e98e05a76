/**
 * Inverted dropout (`torch.nn.Dropout(p)` in training): each element is kept with probability
 * 1 − p and scaled by 1/(1 − p), so evaluation needs no rescaling and is the identity.
 *
 * Masks come from {@linkcode hashUniform}(seed, step, layer, index) instead of a stateful stream,
 * so the WGSL kernel draws the same mask from integers alone: element `index` (row·units + unit of
 * the [batch × units] activation) of hidden layer `layer` at global step `step` is kept when the
 * uniform is ≥ p. Tests inject explicit masks to replay PyTorch's.
 *
 * @module
 */

import { hashUniform } from "../random.ts";

/** The factor kept elements are multiplied by, 1/(1 − p), rounded to f32 as torch's noise is. */
export function dropoutScale(p: number): number {
  return Math.fround(1 / (1 - p));
}

/** mask[i] = 1 when element i is kept at (seed, step, layer), else 0, for i < mask.length. */
export function dropoutMask(
  p: number,
  seed: number,
  step: number,
  layer: number,
  mask: Uint8Array,
): void {
  for (let i = 0; i < mask.length; i++) mask[i] = hashUniform(seed, step, layer, i) >= p ? 1 : 0;
}

/** y[i] = x[i] · mask[i] / (1 − p) for i < mask.length; `y` may alias `x`. */
export function dropoutForward(
  x: Float32Array,
  mask: Uint8Array,
  p: number,
  y: Float32Array,
): void {
  const scale = dropoutScale(p);
  for (let i = 0; i < mask.length; i++) y[i] = mask[i] === 1 ? x[i] * scale : 0;
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
