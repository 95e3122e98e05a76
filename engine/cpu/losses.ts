/**
 * The four losses of the contract, each with `reduction="mean"` as torch.nn defines it, their
 * gradients with respect to the output layer's logits, and the predicted classes behind accuracy.
 *
 * Targets come from integer labels: `cross_entropy` takes them as class indices; `mse`, `bce` and
 * `bce_with_logits` take the one-hot row of the label, except with a single output unit (two
 * classes, binary losses) where the target is the label itself, 0 or 1. `bce` applies a sigmoid
 * to the logits first (the model's output is a probability, as with `nn.Sigmoid` + `nn.BCELoss`).
 *
 * @module
 */

import type { LossName } from "../spec.ts";
import { sigmoid32 } from "./activations.ts";

/** torch's BCELoss clamps each log term to ≥ −100 so a saturated probability gives a finite loss. */
const BCE_LOG_FLOOR = -100;
/** torch's binary_cross_entropy_backward divides by max(p·(1 − p), 1e-12). */
const BCE_GRAD_EPSILON = 1e-12;

/** Target value of output `unit` for a row with label `label` (see the module doc). */
function target(label: number, unit: number, units: number): number {
  if (units === 1) return label;
  return unit === label ? 1 : 0;
}

/**
 * Mean loss of a batch of logits [batch × units] against `labels` [batch]. When `dLogits` is
 * given it receives ∂loss/∂logits [batch × units].
 */
export function lossForward(
  name: LossName,
  logits: Float32Array,
  labels: Uint8Array,
  batch: number,
  units: number,
  dLogits: Float32Array | null,
): number {
  switch (name) {
    case "cross_entropy":
      return crossEntropy(logits, labels, batch, units, dLogits);
    case "bce_with_logits":
    case "bce":
    case "mse":
      return elementwise(name, logits, labels, batch, units, dLogits);
  }
}

/** mean_i (logsumexp(z_i) − z_i[y_i]) with the max subtracted first; gradient (softmax − onehot)/B. */
function crossEntropy(
  logits: Float32Array,
  labels: Uint8Array,
  batch: number,
  units: number,
  dLogits: Float32Array | null,
): number {
  let total = 0;
  for (let i = 0; i < batch; i++) {
    const row = i * units;
    let max = -Infinity;
    for (let j = 0; j < units; j++) max = Math.max(max, logits[row + j]);
    let sumExp = 0;
    for (let j = 0; j < units; j++) sumExp += Math.exp(logits[row + j] - max);
    const logSumExp = max + Math.log(sumExp);
    // Each row's loss is an f32, as the GPU's: one beyond f32's range is infinite, and the step
    // diverges where the GPU's does, not a few steps later in f64. (Torch also sums the batch in
    // f32, so several rows each near f32's limit overflow there a little earlier.)
    total += Math.fround(logSumExp - logits[row + labels[i]]);
    if (dLogits === null) continue;
    for (let j = 0; j < units; j++) {
      const softmax = Math.exp(logits[row + j] - logSumExp);
      dLogits[row + j] = (softmax - (j === labels[i] ? 1 : 0)) / batch;
    }
  }
  return total / batch;
}

/** The losses averaged over every element (batch × units). */
function elementwise(
  name: "bce_with_logits" | "bce" | "mse",
  logits: Float32Array,
  labels: Uint8Array,
  batch: number,
  units: number,
  dLogits: Float32Array | null,
): number {
  const count = batch * units;
  let total = 0;
  for (let i = 0; i < batch; i++) {
    // The row's sum in f32, as the GPU's row_loss (see crossEntropy): past f32's range it is
    // infinite, and the step diverges there.
    let row = 0;
    for (let j = 0; j < units; j++) {
      const index = i * units + j;
      const z = logits[index];
      const y = target(labels[i], j, units);
      let grad: number;
      if (name === "mse") {
        const d = Math.fround(z - y);
        row = Math.fround(row + Math.fround(d * d));
        grad = 2 * (z - y);
      } else if (name === "bce_with_logits") {
        // max(z, 0) − z·y + log(1 + e^(−|z|)): no overflow for any z.
        row = Math.fround(row + Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z))));
        grad = 1 / (1 + Math.exp(-z)) - y;
      } else {
        const p = sigmoid32(z);
        const q = Math.fround(1 - p);
        row = Math.fround(
          row - (y * Math.max(Math.log(p), BCE_LOG_FLOOR) +
            (1 - y) * Math.max(Math.log(q), BCE_LOG_FLOOR)),
        );
        // BCELoss's gradient in p times the sigmoid's p·(1 − p), as torch's two backward steps do:
        // it vanishes where p saturates to exactly 0 or 1.
        grad = ((p - y) / Math.max(p * q, BCE_GRAD_EPSILON)) * (p * q);
      }
      if (dLogits !== null) dLogits[index] = grad / count;
    }
    total += row;
  }
  return total / count;
}

/**
 * Predicted class of each row into `out` [batch]: argmax (first on ties, like torch.argmax) with
 * several units; with one unit 1 when the logit is > 0, or for `bce` when the probability is > 0.5
 * (torcheval's BinaryAccuracy threshold).
 */
export function predictClasses(
  name: LossName,
  logits: Float32Array,
  batch: number,
  units: number,
  out: Uint8Array,
): void {
  for (let i = 0; i < batch; i++) {
    if (units === 1) {
      out[i] = name === "bce" ? (sigmoid32(logits[i]) > 0.5 ? 1 : 0) : (logits[i] > 0 ? 1 : 0);
      continue;
    }
    const row = i * units;
    let best = 0;
    for (let j = 1; j < units; j++) if (logits[row + j] > logits[row + best]) best = j;
    out[i] = best;
  }
}

/** The model's user-facing outputs: probabilities for `bce` (sigmoid), logits otherwise; in place. */
export function outputsFromLogits(name: LossName, logits: Float32Array): void {
  if (name !== "bce") return;
  for (let i = 0; i < logits.length; i++) logits[i] = sigmoid32(logits[i]);
}
