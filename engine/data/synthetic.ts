/**
 * `synthetic-binary`: the seed notebook's toy problem, `X = torch.randn(1000, 10)` with random
 * 0/1 labels, drawn from ajuste's own {@linkcode Rng} so a run seed reproduces it exactly (the
 * values differ from torch's generator; the distribution is the same).
 *
 * @module
 */

import type { Dataset } from "./dataset.ts";
import { lowbias32, Rng } from "../random.ts";

export const SYNTHETIC_BINARY = {
  id: "synthetic-binary",
  name: "Synthetic binary (randn 1000×10)",
  rows: 1000,
  features: 10,
  classes: 2,
};

/** Salt that gives the data its own stream, independent of the weights drawn from the same seed. */
const SYNTHETIC_STREAM = 0x73796e74; // "synt"

/** Standard-normal features, then uniform labels in {0, 1}; no official test set. */
export function syntheticBinary(seed: number): Dataset {
  const { id, name, rows, features, classes } = SYNTHETIC_BINARY;
  const rng = new Rng(lowbias32((seed ^ SYNTHETIC_STREAM) >>> 0) | 0);
  const inputs = new Float32Array(rows * features);
  for (let i = 0; i < inputs.length; i++) inputs[i] = rng.normal();
  const labels = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) labels[i] = rng.int(classes);
  return {
    id,
    name,
    features,
    classes,
    train: { count: rows, inputs, labels },
    pixels: false,
    classNames: ["0", "1"],
  };
}
