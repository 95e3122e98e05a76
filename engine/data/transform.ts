/**
 * The affine map from stored inputs to model inputs: torchvision's `ToTensor` (u8 pixels / 255)
 * followed by `Normalize(mean, std)`, folded into one scale and shift so a backend applies it in
 * a single multiply-add while it gathers a batch.
 *
 * @module
 */

import type { Dataset, InputTransform } from "./dataset.ts";
import type { Normalize } from "../spec.ts";

/** raw · scale + shift = (raw · toTensor − mean) / std, with toTensor = 1/255 for pixels. */
export function inputTransform(
  dataset: Pick<Dataset, "pixels">,
  normalize: Normalize | null,
): InputTransform {
  const toTensor = dataset.pixels ? 1 / 255 : 1;
  if (normalize === null) return { scale: toTensor, shift: 0 };
  const { mean, std } = normalize;
  if (!Number.isFinite(mean)) {
    throw new Error(`data.normalize.mean must be a finite number, got ${mean}`);
  }
  if (!(std > 0 && Number.isFinite(std))) {
    throw new Error(`data.normalize.std must be a finite number > 0, got ${std}`);
  }
  return { scale: toTensor / std, shift: -mean / std };
}
