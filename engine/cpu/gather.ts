/**
 * Gathers a batch of rows from stored {@linkcode Examples} into contiguous model inputs, applying
 * the input transform on the way (the CPU twin of the GPU's normalising gather).
 *
 * @module
 */

import { type Examples, type InputTransform, transformInput } from "../data/dataset.ts";

/** out[r × features + f] = transformInput(inputs[rows[r] × features + f]) for every r < rows.length. */
export function gatherInputs(
  examples: Examples,
  features: number,
  rows: Uint32Array,
  transform: InputTransform,
  out: Float32Array,
): void {
  const { inputs } = examples;
  if (inputs instanceof Uint8Array) {
    // 256 possible raw values: transform each once, bit-identical to transformInput.
    const table = new Float32Array(256);
    for (let v = 0; v < 256; v++) table[v] = transformInput(v, transform);
    for (let r = 0; r < rows.length; r++) {
      const from = rows[r] * features;
      const to = r * features;
      for (let f = 0; f < features; f++) out[to + f] = table[inputs[from + f]];
    }
    return;
  }
  for (let r = 0; r < rows.length; r++) {
    const from = rows[r] * features;
    const to = r * features;
    for (let f = 0; f < features; f++) out[to + f] = transformInput(inputs[from + f], transform);
  }
}

/** out[r] = labels[rows[r]]. */
export function gatherLabels(examples: Examples, rows: Uint32Array, out: Uint8Array): void {
  for (let r = 0; r < rows.length; r++) out[r] = examples.labels[rows[r]];
}
