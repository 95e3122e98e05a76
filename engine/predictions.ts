/**
 * Test-set predictions kept with a run: the predicted class and how confident the model was,
 * for confusion heat maps and "most confidently wrong" grids.
 *
 * @module
 */

import type { LossName } from "./spec.ts";

export interface Predictions {
  predicted: Uint8Array;
  /** Probability of the predicted class: softmax over several outputs, sigmoid for one. */
  confidence: Float32Array;
}

/**
 * From evaluation outputs (`units` per row: logits, or probabilities for `bce`). With `mse` the
 * outputs are not logits; their softmax still ranks the classes and serves as a score.
 */
export function summarizePredictions(
  outputs: Float32Array,
  units: number,
  loss: LossName,
): Predictions {
  const rows = outputs.length / units;
  const predicted = new Uint8Array(rows);
  const confidence = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    if (units === 1) {
      const p = loss === "bce" ? outputs[r] : 1 / (1 + Math.exp(-outputs[r]));
      predicted[r] = p > 0.5 ? 1 : 0;
      confidence[r] = Math.max(p, 1 - p);
      continue;
    }
    const row = outputs.subarray(r * units, (r + 1) * units);
    let best = 0;
    for (let k = 1; k < units; k++) if (row[k] > row[best]) best = k;
    let sum = 0;
    for (let k = 0; k < units; k++) sum += Math.exp(row[k] - row[best]);
    predicted[r] = best;
    confidence[r] = 1 / sum;
  }
  return { predicted, confidence };
}
