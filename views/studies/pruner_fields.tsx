/**
 * The study form's pruner: a type, then that type's knobs (`config/study_schema.ts` names and
 * defaults them; an empty field takes the default). A patient pruner draws its wrapped pruner
 * the same way one level down, at `pruner.wrapped.*`.
 *
 * @module
 */

import {
  type Choice,
  type FormState,
  NumberField,
  SelectField,
  TextField,
} from "../shell/form_fields.tsx";
import { STUDY_PREFIX } from "./study_form_state.ts";

const PRUNER_CHOICES: Choice[] = [
  { value: "median", label: "Median" },
  { value: "percentile", label: "Percentile" },
  { value: "asha", label: "ASHA" },
  { value: "hyperband", label: "Hyperband" },
  { value: "threshold", label: "Threshold" },
  { value: "patient", label: "Patient" },
  { value: "none", label: "None" },
];

/** What a patient pruner may wrap; "none" prunes as soon as patience runs out. */
const WRAPPED_CHOICES: Choice[] = [
  { value: "none", label: "None: prune then" },
  ...PRUNER_CHOICES.filter((choice) => !["patient", "none"].includes(choice.value)),
];

const PRUNER_HELP: Record<string, string> = {
  median: "Stops a trial worse than the median of earlier trials at the same epoch.",
  percentile: "Stops a trial outside the best percentile of earlier trials at that epoch.",
  asha: "Successive halving: keeps the best 1/η at epochs r, rη, rη², …",
  hyperband: "Successive halving in brackets of different aggressiveness.",
  threshold: "Stops a trial whose latest value leaves the bounds.",
  patient: "Waits for epochs without improvement, then asks the wrapped pruner.",
  none: "Every trial trains all its epochs.",
};

export function PrunerFields(props: { state: FormState }) {
  const { state } = props;
  const type = state.values[`${STUDY_PREFIX}pruner.type`];
  const wrapped = state.values[`${STUDY_PREFIX}pruner.wrapped.type`] ?? "none";
  return (
    <>
      <div class="row">
        <SelectField
          state={state}
          name={`${STUDY_PREFIX}pruner.type`}
          label="Pruner"
          help={PRUNER_HELP[type] ?? PRUNER_HELP.median}
          choices={PRUNER_CHOICES}
        />
        <PrunerKnobs state={state} prefix="pruner" type={type} />
      </div>
      {type === "patient" && (
        <div class="row">
          <SelectField
            state={state}
            name={`${STUDY_PREFIX}pruner.wrapped.type`}
            label="After patience"
            help="Which pruner decides once patience runs out."
            choices={WRAPPED_CHOICES}
          />
          <PrunerKnobs state={state} prefix="pruner.wrapped" type={wrapped} />
        </div>
      )}
    </>
  );
}

/** The knobs of a pruner of `type` whose fields sit at `prefix` (`pruner`, `pruner.wrapped`). */
function PrunerKnobs(props: { state: FormState; prefix: string; type: string }) {
  const { state, prefix } = props;
  const name = (knob: string) => `${STUDY_PREFIX}${prefix}.${knob}`;
  const integer = (knob: string, label: string, help?: string) => (
    <NumberField state={state} name={name(knob)} label={label} help={help} integer />
  );
  const decimal = (knob: string, label: string, help?: string) => (
    <NumberField state={state} name={name(knob)} label={label} help={help} />
  );
  const warmup = integer("nWarmupSteps", "Warm-up epochs");
  const interval = integer("intervalSteps", "Interval");
  switch (props.type) {
    case "median":
      return (
        <>
          {integer("nStartupTrials", "Startup trials", "Trials never pruned.")}
          {warmup}
          {interval}
        </>
      );
    case "percentile":
      return (
        <>
          {decimal("percentile", "Percentile", "25 keeps the best quarter.")}
          {integer("nStartupTrials", "Startup trials", "Trials never pruned.")}
          {warmup}
          {interval}
          {integer("nMinTrials", "Min trials", "Trials needed at an epoch to compare.")}
        </>
      );
    case "asha":
      return (
        <>
          <TextField
            state={state}
            name={name("minResource")}
            label="Min resource"
            help='Epochs before the first rung; "auto" as Optuna.'
          />
          {integer("reductionFactor", "Reduction factor")}
          {integer("minEarlyStoppingRate", "Min early stopping rate")}
        </>
      );
    case "hyperband":
      return (
        <>
          {integer("minResource", "Min resource", "Epochs before the first rung.")}
          <TextField
            state={state}
            name={name("maxResource")}
            label="Max resource"
            help='Epochs a trial trains at most; "auto" as Optuna.'
          />
          {integer("reductionFactor", "Reduction factor")}
        </>
      );
    case "threshold":
      return (
        <>
          {decimal("lower", "Lower bound", "Empty: none.")}
          {decimal("upper", "Upper bound", "Empty: none.")}
          {warmup}
          {interval}
        </>
      );
    case "patient":
      return (
        <>
          {integer("patience", "Epochs without gain", "Tolerated before pruning.")}
          {decimal("minDelta", "Smallest gain", "Smaller ones do not count.")}
        </>
      );
    default:
      return null;
  }
}
