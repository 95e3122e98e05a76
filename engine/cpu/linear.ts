/**
 * `torch.nn.Linear` on the CPU: y = x·Wᵀ + b with W stored [out, in] row-major, as PyTorch does.
 *
 * Each product picks its kernel from the data (`matmul.ts`): the sparse one when most entries of
 * its left operand can be skipped (ReLU/dropout zeros, background pixels), else the dense 4×4
 * kernel. Both need one operand transposed, which goes into a caller-owned scratch buffer.
 *
 * @module
 */

import {
  countDifferent,
  matmulSparseA,
  matmulTransposedB,
  SPARSE_DENSITY_LIMIT,
  transpose,
} from "./matmul.ts";

/** Floats of scratch {@linkcode linearForward} and {@linkcode linearBackward} need. */
export function linearScratchSize(batch: number, inFeatures: number, outFeatures: number): number {
  return outFeatures * batch + Math.max(inFeatures * batch, inFeatures * outFeatures);
}

function isSparse(a: Float32Array, count: number, offset: number): boolean {
  return countDifferent(a, count, offset) <= SPARSE_DENSITY_LIMIT * count;
}

/**
 * Forward: y[batch×out] = x[batch×in] · W[out×in]ᵀ + b[out]. `inputOffset` names the value most
 * inputs take when that is not 0 (the normalised background pixel of the first layer), so the
 * sparse kernel can skip it.
 */
export function linearForward(
  x: Float32Array,
  weight: Float32Array,
  bias: Float32Array,
  batch: number,
  inFeatures: number,
  outFeatures: number,
  y: Float32Array,
  scratch: Float32Array = new Float32Array(linearScratchSize(batch, inFeatures, outFeatures)),
  inputOffset = 0,
): void {
  if (isSparse(x, batch * inFeatures, inputOffset)) {
    const weightT = scratch.subarray(0, inFeatures * outFeatures);
    transpose(weight, outFeatures, inFeatures, weightT);
    matmulSparseA(x, weightT, batch, outFeatures, inFeatures, y, bias, inputOffset);
  } else {
    matmulTransposedB(x, weight, batch, outFeatures, inFeatures, y, bias);
  }
}

/** Where {@linkcode linearBackward} writes; `dX` is null for the first layer (inputs need none). */
export interface LinearGrads {
  /** [out×in], overwritten with Σ_batch dYᵀ·x. */
  dWeight: Float32Array;
  /** [out], overwritten with Σ_batch dY. */
  dBias: Float32Array;
  /** [batch×in], overwritten with dY·W; null to skip. */
  dX: Float32Array | null;
}

/** Backward of {@linkcode linearForward} from dY[batch×out] and the saved input x[batch×in]. */
export function linearBackward(
  x: Float32Array,
  weight: Float32Array,
  dY: Float32Array,
  batch: number,
  inFeatures: number,
  outFeatures: number,
  grads: LinearGrads,
  scratch: Float32Array = new Float32Array(linearScratchSize(batch, inFeatures, outFeatures)),
): void {
  const { dWeight, dBias, dX } = grads;
  for (let o = 0; o < outFeatures; o++) {
    let sum = 0;
    for (let i = 0; i < batch; i++) sum += dY[i * outFeatures + o];
    dBias[o] = sum;
  }
  const dYt = scratch.subarray(0, outFeatures * batch);
  const rest = scratch.subarray(outFeatures * batch);
  transpose(dY, batch, outFeatures, dYt);
  if (isSparse(dY, batch * outFeatures, 0)) {
    matmulSparseA(dYt, x, outFeatures, inFeatures, batch, dWeight);
    if (dX !== null) matmulSparseA(dY, weight, batch, inFeatures, outFeatures, dX);
    return;
  }
  const xT = rest.subarray(0, inFeatures * batch);
  transpose(x, batch, inFeatures, xT);
  matmulTransposedB(dYt, xT, outFeatures, inFeatures, batch, dWeight);
  if (dX === null) return;
  const weightT = rest.subarray(0, inFeatures * outFeatures);
  transpose(weight, outFeatures, inFeatures, weightT);
  matmulTransposedB(dY, weightT, batch, inFeatures, outFeatures, dX);
}
