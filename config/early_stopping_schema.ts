/**
 * The `earlyStopping` part of the run config, with PyTorch Lightning's EarlyStopping defaults
 * (patience 3, min_delta 0). Its mode follows the metric unless given, as Keras' "auto": a loss
 * falls, an accuracy rises. `restoreBest` defaults to true: the run's test metrics and stored
 * weights are then its best epoch's, as Lightning users get from `trainer.test(ckpt_path="best")`
 * with a ModelCheckpoint on the same metric (Keras' `restore_best_weights` defaults to false,
 * which tests a model `patience` epochs past its best). Null or left out, the run trains every
 * epoch.
 *
 * @module
 */

import { z } from "zod";
import type { EarlyStoppingSpec } from "../engine/spec.ts";
import { boundedNumber, type Equals, flag, oneOf, strictObject } from "./fields.ts";

export const EARLY_STOPPING_METRICS = ["devLoss", "devAccuracy"] as const;
export const EARLY_STOPPING_MODES = ["min", "max"] as const;

/** The mode a metric is watched in when none is given: a loss falls, an accuracy rises. */
export function defaultMode(metric: EarlyStoppingSpec["metric"]): EarlyStoppingSpec["mode"] {
  return metric === "devLoss" ? "min" : "max";
}

export const earlyStoppingSchema = strictObject("early stopping", {
  metric: oneOf("Early stopping metric", EARLY_STOPPING_METRICS).default("devLoss"),
  mode: oneOf("Early stopping mode", EARLY_STOPPING_MODES).optional(),
  patience: boundedNumber("Patience", { min: 0, max: 10000, integer: true }).default(3),
  minDelta: boundedNumber("Min delta", { min: 0 }).default(0),
  restoreBest: flag("Restore best").default(true),
}, '{"metric": "devLoss", "patience": 3}').transform((spec): EarlyStoppingSpec => ({
  metric: spec.metric,
  mode: spec.mode ?? defaultMode(spec.metric),
  patience: spec.patience,
  minDelta: spec.minDelta,
  restoreBest: spec.restoreBest,
}));

true satisfies Equals<z.output<typeof earlyStoppingSchema>, EarlyStoppingSpec>;
