/**
 * Where a linear layer reads its input (`shaders/layer_input.wgsl`, a library of linear_forward
 * and linear_backward_weight): dataset rows through the batch order with the input transform,
 * or the previous layer's activations.
 *
 * @module
 */

import type { InputTransform } from "../data/dataset.ts";

export type LayerSource =
  | { kind: "data_u8"; transform: InputTransform }
  | { kind: "data_f32"; transform: InputTransform }
  | { kind: "activations" };

/** Must match the SOURCE_* constants of shaders/layer_input.wgsl. */
const SOURCE_CODES = { data_u8: 0, data_f32: 1, activations: 2 } as const;

export function layerInputConstants(
  source: LayerSource,
  inFeatures: number,
): Record<string, number> {
  const constants: Record<string, number> = {
    SOURCE: SOURCE_CODES[source.kind],
    IN_FEATURES: inFeatures,
  };
  if (source.kind !== "activations") {
    constants.INPUT_SCALE = Math.fround(source.transform.scale);
    constants.INPUT_SHIFT = Math.fround(source.transform.shift);
  }
  return constants;
}

/** 4-byte words a source buffer needs for `rows` rows (dataset rows, or activation rows). */
export function sourceWords(source: LayerSource, rows: number, inFeatures: number): number {
  return source.kind === "data_u8" ? Math.ceil((rows * inFeatures) / 4) : rows * inFeatures;
}
