/**
 * The range a field starts with when a user switches it to "searched": what the exercise tunes,
 * with ranges that suit an MNIST MLP; for any other field, one derived from its current value.
 * Values are form text, as the distribution editor's fields hold them.
 *
 * @module
 */

import { ACTIVATIONS, BATCH_MODES, INIT_SCHEMES, LOSSES } from "../../engine/spec.ts";
import type { FormValues } from "../run_editor/run_form_state.ts";

const CHECKED = "on";
const logFloat = (low: string, high: string) => ({ type: "float", low, high, log: CHECKED });
const float = (low: string, high: string) => ({ type: "float", low, high });
const logInt = (low: string, high: string) => ({ type: "int", low, high, log: CHECKED });
const choices = (list: readonly string[]) => ({ type: "categorical", choices: list.join(", ") });

/** By path; `N` stands for a hidden layer's index. */
const SUGGESTIONS: Record<string, FormValues> = {
  "optimizer.lr": logFloat("0.0001", "0.1"),
  "optimizer.type": choices(["sgd", "adam"]),
  "optimizer.momentum": float("0", "0.99"),
  "optimizer.dampening": float("0", "0.5"),
  "optimizer.weightDecay": logFloat("0.000001", "0.01"),
  "optimizer.nesterov": choices(["false", "true"]),
  "optimizer.alpha": float("0.9", "0.999"),
  "optimizer.eps": logFloat("1e-10", "1e-6"),
  "optimizer.betas.0": float("0.8", "0.99"),
  "optimizer.betas.1": float("0.99", "0.9999"),
  "batch.size": logInt("16", "512"),
  "batch.mode": choices(BATCH_MODES),
  "model.layers.N.units": logInt("16", "512"),
  "model.layers.N.dropout": float("0", "0.5"),
  "model.layers.N.activation": choices(["relu", "tanh", "gelu"]),
  "model.layers.N.batchNorm": choices(["false", "true"]),
  "model.init": choices(["default", "xavier_uniform", "kaiming_uniform"]),
  "regularization.l1": logFloat("0.000001", "0.01"),
  "regularization.l2": logFloat("0.000001", "0.01"),
  "data.trainSize": logInt("1000", "60000"),
  epochs: { type: "int", low: "1", high: "10" },
  seed: { type: "int", low: "0", high: "1000" },
  loss: choices(LOSSES),
};

/** Paths a row of "other searched parameters" offers, in the order the exercise tunes them. */
export const SUGGESTED_PATHS = Object.keys(SUGGESTIONS);

/** Every choice a select field offers, for the paths whose choices are not suggested above. */
const ALL_CHOICES: Record<string, readonly string[]> = {
  "model.init": INIT_SCHEMES,
  "model.layers.N.activation": ACTIVATIONS,
};

function generic(path: string): string {
  return path.replace(/^model\.layers\.\d+\./, "model.layers.N.");
}

/**
 * The distribution `path` starts with when searched; `current` is the field's value in the
 * base (a number gives a range around it, anything else a categorical of that value).
 */
export function suggestionFor(path: string, current?: string): FormValues {
  const known = SUGGESTIONS[generic(path)];
  if (known) return { ...known };
  const value = Number(current);
  if (current !== undefined && current.trim() !== "" && Number.isFinite(value)) {
    if (Number.isInteger(value) && value > 0) {
      return {
        type: "int",
        low: String(Math.max(1, Math.floor(value / 2))),
        high: String(value * 2),
      };
    }
    if (value > 0) {
      return { type: "float", low: String(value / 10), high: String(value * 10), log: CHECKED };
    }
    return { type: "float", low: String(value), high: String(value + 1) };
  }
  const choicesOf = ALL_CHOICES[generic(path)];
  if (choicesOf) return choices(choicesOf);
  if (current === CHECKED || current === undefined || current === "") {
    return choices(["false", "true"]);
  }
  return choices([current]);
}
