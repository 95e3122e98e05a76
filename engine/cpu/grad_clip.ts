/**
 * Gradient clipping as torch.nn.utils (torch 1.13 `clip_grad.py`,
 * https://pytorch.org/docs/stable/generated/torch.nn.utils.clip_grad_norm_.html and
 * https://pytorch.org/docs/stable/generated/torch.nn.utils.clip_grad_value_.html):
 *
 *     by norm:  ‖g‖ = (Σ |gᵢ|^p)^(1/p) over every gradient (max |gᵢ| for p = inf)
 *               g ← g · min(1, maxNorm / (‖g‖ + 1e-6))
 *     by value: g ← clamp(g, −clipValue, clipValue)
 *
 * Torch multiplies by the clamped coefficient even when it is 1 (no branch on the norm, so no
 * device sync); so do we, and a norm under maxNorm leaves the gradients as they were. Its GPU
 * twins are `shaders/grad_norm.wgsl` + `shaders/grad_scale.wgsl` and `shaders/grad_clamp.wgsl`.
 *
 * @module
 */

import type { ClipByNorm, GradientClipping } from "../spec.ts";

/** Added to the norm before dividing, as torch does. */
export const CLIP_NORM_EPS = 1e-6;

/** The global norm of `grads` (summed in f64), as `clip_grad_norm_` returns it. */
export function totalGradNorm(grads: Float32Array[], normType: ClipByNorm["normType"]): number {
  let total = 0;
  for (const grad of grads) {
    for (let i = 0; i < grad.length; i++) {
      const size = Math.abs(grad[i]);
      if (normType === "inf") total = Math.max(total, size);
      else total += normType === 2 ? size * size : size ** normType;
    }
  }
  return normType === "inf" ? total : total ** (1 / normType);
}

/** min(1, maxNorm / (norm + 1e-6)), rounded to f32 as torch's scalar tensor is. */
export function clipCoefficient(maxNorm: number, norm: number): number {
  return Math.fround(Math.min(1, maxNorm / (norm + CLIP_NORM_EPS)));
}

/** Clips `grads` in place as `clipping` says; returns the norm before clipping (by norm). */
export function clipGradients(clipping: GradientClipping, grads: Float32Array[]): number | null {
  if (clipping.type === "value") {
    const limit = clipping.clipValue;
    for (const grad of grads) {
      for (let i = 0; i < grad.length; i++) grad[i] = Math.min(limit, Math.max(-limit, grad[i]));
    }
    return null;
  }
  const norm = totalGradNorm(grads, clipping.normType);
  const coefficient = clipCoefficient(clipping.maxNorm, norm);
  for (const grad of grads) {
    for (let i = 0; i < grad.length; i++) grad[i] *= coefficient;
  }
  return norm;
}
