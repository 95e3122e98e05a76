/**
 * Activation codes shared with `shaders/activation.wgsl` (a library of the linear and batch-norm
 * kernels), and the dropout constants the kernels take.
 *
 * @module
 */

import type { Activation } from "../spec.ts";

/** Must match the ACTIVATION_* constants of shaders/activation.wgsl. */
export const ACTIVATION_CODES: Readonly<Record<Activation, number>> = {
  none: 0,
  relu: 1,
  sigmoid: 2,
  tanh: 3,
  leaky_relu: 4,
  gelu: 5,
};

/** A hidden layer's activation and dropout as the kernels apply them. */
export interface HiddenEpilogue {
  activation: Activation;
  /** Hidden layer index, the dropout hash's `layer` key. */
  layer: number;
  /** Dropout probability p in [0, 1). */
  dropout: number;
}

/**
 * ⌈p · 2^24⌉: the shader keeps a unit when its 24-bit hash is ≥ this, which is exactly
 * `hashUniform(...) >= p` in f64 as engine/cpu/dropout.ts decides.
 */
export function dropoutThreshold(p: number): number {
  if (!(p >= 0 && p < 1)) throw new RangeError(`Dropout must be in [0, 1), got ${p}`);
  return Math.ceil(p * 16777216);
}

/** Override constants for `epilogue`; dropout applies only when `training`. */
export function epilogueConstants(
  epilogue: HiddenEpilogue,
  training: boolean,
): Record<string, number> {
  const p = training ? epilogue.dropout : 0;
  return {
    ACTIVATION: ACTIVATION_CODES[epilogue.activation],
    LAYER: epilogue.layer,
    DROPOUT_THRESHOLD: dropoutThreshold(p),
    // 1/(1 − p) rounded to f32, as engine/cpu/dropout.ts's dropoutScale.
    DROPOUT_SCALE: Math.fround(1 / (1 - p)),
  };
}
