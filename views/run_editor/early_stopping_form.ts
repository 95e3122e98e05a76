/**
 * The New run form's early stopping fields, both ways: a posted form to the `earlyStopping`
 * input, and a config back to the fields. Off is an absent config field; while off, the fields
 * keep Lightning's defaults, so turning it on starts from them.
 *
 * @module
 */

import { defaultMode } from "../../config/early_stopping_schema.ts";
import type { EarlyStoppingSpec } from "../../engine/spec.ts";
import { type FormValues, isChecked, numberOrText } from "./form_values.ts";

/** "off" or "on": the form's choice. */
export const EARLY_STOPPING_FIELD = "earlyStopping.enabled";

const CHECKED = "on";

const SUGGESTION: EarlyStoppingSpec = {
  metric: "devLoss",
  mode: defaultMode("devLoss"),
  patience: 3,
  minDelta: 0,
  restoreBest: true,
};

/** The `earlyStopping` input the form asks for, or undefined when it is off. */
export function earlyStoppingInput(values: FormValues): Record<string, unknown> | undefined {
  if (values[EARLY_STOPPING_FIELD] !== "on") return undefined;
  const field = (name: string) => values[`earlyStopping.${name}`];
  return {
    metric: field("metric"),
    mode: field("mode"),
    patience: numberOrText(field("patience")),
    minDelta: numberOrText(field("minDelta")),
    restoreBest: isChecked(values, "earlyStopping.restoreBest"),
  };
}

/** The form's fields for `spec` (null: off, with the defaults ready). */
export function earlyStoppingValues(spec: EarlyStoppingSpec | null): FormValues {
  const fields = spec ?? SUGGESTION;
  const values: FormValues = {
    [EARLY_STOPPING_FIELD]: spec ? "on" : "off",
    "earlyStopping.metric": fields.metric,
    "earlyStopping.mode": fields.mode,
    "earlyStopping.patience": String(fields.patience),
    "earlyStopping.minDelta": String(fields.minDelta),
  };
  if (fields.restoreBest) values["earlyStopping.restoreBest"] = CHECKED;
  return values;
}
