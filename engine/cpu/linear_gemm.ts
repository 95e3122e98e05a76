/**
 * `torch.nn.Linear`'s three products through a {@linkcode Gemm}, the fast path's twin of
 * `linear.ts` (which stays the reference): W is [out, in] row-major, as PyTorch stores it.
 *
 * - forward  y[batch×out] = x·Wᵀ + b
 * - weight gradient  dW[out×in] = dYᵀ·x, bias gradient db = Σ_batch dY
 * - input gradient  dX[batch×in] = dY·W
 *
 * The products are dense: unlike the reference they do not skip ReLU and dropout zeros or
 * background pixels, which pays only when a kernel runs several times slower than these do.
 *
 * @module
 */

import type { Gemm } from "./gemm.ts";
import type { LinearGrads } from "./linear.ts";

/** A Linear layer's sizes for one batch. */
export interface LinearShape {
  batch: number;
  inFeatures: number;
  outFeatures: number;
}

/** y[batch×out] = x[batch×in] · W[out×in]ᵀ + b[out]. */
export function gemmLinearForward(
  gemm: Gemm,
  x: Float32Array,
  weight: Float32Array,
  bias: Float32Array,
  { batch, inFeatures, outFeatures }: LinearShape,
  y: Float32Array,
): void {
  const shape = { m: batch, n: outFeatures, k: inFeatures, transA: false, transB: true };
  gemm.multiply(shape, x, weight, y, bias);
}

/** dBias[out] = Σ_batch dY[batch×out], in f32 as the products. */
export function biasGradient(
  dY: Float32Array,
  batch: number,
  outFeatures: number,
  dBias: Float32Array,
): void {
  dBias.fill(0);
  for (let i = 0; i < batch; i++) {
    const row = i * outFeatures;
    for (let o = 0; o < outFeatures; o++) dBias[o] += dY[row + o];
  }
}

/** Backward of {@linkcode gemmLinearForward} from dY[batch×out] and the saved input x. */
export function gemmLinearBackward(
  gemm: Gemm,
  x: Float32Array,
  weight: Float32Array,
  dY: Float32Array,
  { batch, inFeatures, outFeatures }: LinearShape,
  { dWeight, dBias, dX }: LinearGrads,
): void {
  biasGradient(dY, batch, outFeatures, dBias);
  const weightShape = { m: outFeatures, n: inFeatures, k: batch, transA: true, transB: false };
  gemm.multiply(weightShape, dY, x, dWeight);
  if (dX === null) return;
  const inputShape = { m: batch, n: inFeatures, k: outFeatures, transA: false, transB: false };
  gemm.multiply(inputShape, dY, weight, dX);
}
