/**
 * In-memory datasets. Inputs stay in their stored form (u8 pixels for IDX, f32 for CSV and
 * synthetic data) and an affine {@linkcode InputTransform} maps them to model inputs, so the GPU
 * backend can upload u8 pixels once and normalise in the first layer's gather.
 *
 * @module
 */

/** feature = raw · scale + shift (ToTensor's /255 folded together with Normalize). */
export interface InputTransform {
  scale: number;
  shift: number;
}

/** One table of examples: `count` rows of `features` values, row-major, with integer labels. */
export interface Examples {
  count: number;
  inputs: Uint8Array | Float32Array;
  /** Class index per row, in [0, classes). */
  labels: Uint8Array;
}

export interface Dataset {
  id: string;
  name: string;
  features: number;
  classes: number;
  /** Side of the square image for image datasets (28 for MNIST), for previews. */
  imageSide?: number;
  /** The training pool that train/dev are drawn from. */
  train: Examples;
  /** The official test set, when the dataset has one. */
  test?: Examples;
  /** Raw inputs are pixels in 0..255 (ToTensor divides by 255). */
  pixels: boolean;
  /** Human names of the classes when known (Fashion-MNIST), else "0".."9". */
  classNames: string[];
}

/** What a backend trains on: the three splits as contiguous tables, and the input transform. */
export interface PreparedData {
  features: number;
  classes: number;
  transform: InputTransform;
  train: Examples;
  dev: Examples;
  test: Examples;
}

/** Model input value for raw input `raw` (the CPU twin of the GPU gather's normalisation). */
export function transformInput(raw: number, transform: InputTransform): number {
  return Math.fround(Math.fround(raw * transform.scale) + transform.shift);
}
