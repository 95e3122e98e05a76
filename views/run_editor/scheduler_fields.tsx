/**
 * The LR scheduler picker and the fields of the chosen scheduler, labelled as
 * torch.optim.lr_scheduler's arguments (https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate).
 * Picking another scheduler swaps in its fields with its defaults: through htmx, or without
 * JavaScript on the next post, as the optimizer picker does.
 *
 * @module
 */

import { ANNEAL_STRATEGIES, PLATEAU_METRICS, type SchedulerType } from "../../engine/spec.ts";
import { useEditorAction } from "../shell/field_slot.ts";
import {
  CheckboxField,
  type Choice,
  type FormState,
  GroupErrors,
  NumberField,
  SelectField,
  TextField,
} from "../shell/form_fields.tsx";
import { fieldLabel } from "./field_labels.ts";
import {
  isSchedulerType,
  NO_SCHEDULER,
  SCHEDULER_FIELDS,
  SHOWN_SCHEDULER_FIELD,
} from "./scheduler_form.ts";

export const SCHEDULER_CHOICES: readonly { value: SchedulerType | "none"; label: string }[] = [
  { value: NO_SCHEDULER, label: "None (constant lr)" },
  { value: "step", label: "StepLR" },
  { value: "multi_step", label: "MultiStepLR" },
  { value: "exponential", label: "ExponentialLR" },
  { value: "cosine_annealing", label: "CosineAnnealingLR" },
  { value: "linear", label: "LinearLR (warm-up)" },
  { value: "one_cycle", label: "OneCycleLR (per batch)" },
  { value: "reduce_on_plateau", label: "ReduceLROnPlateau (dev metric)" },
];

const CHOICES: Record<string, readonly Choice[]> = {
  annealStrategy: ANNEAL_STRATEGIES.map((value) => ({ value, label: value })),
  metric: PLATEAU_METRICS.map((value) => ({
    value,
    label: value === "devLoss" ? "Dev loss" : "Dev accuracy",
  })),
  mode: [{ value: "min", label: "min" }, { value: "max", label: "max" }],
  thresholdMode: [{ value: "rel", label: "rel" }, { value: "abs", label: "abs" }],
};

const HELP: Record<string, string> = {
  stepSize: "Multiplies the lr by gamma every this many epochs.",
  milestones: "Epochs at which the lr is multiplied by gamma, comma-separated (e.g. 5, 8).",
  tMax: "Epochs of the half cosine from the lr down to eta min.",
  totalIters: "Epochs over which the factor goes from start to end.",
  maxLr: "Peak lr; the cycle starts at max lr / div factor and ends far below.",
  totalSteps: "Batches in the cycle; empty: this run's epochs × batches per epoch.",
  cycleMomentum: "Also cycles momentum (SGD, RMSprop) or β1 (Adam) inversely to the lr.",
  metric: "Checked after each epoch's dev evaluation.",
  patience: "Epochs without improvement before the lr is cut by factor.",
  cooldown: "Epochs after a cut before bad epochs count again.",
};

export function SchedulerPicker(props: { state: FormState }) {
  const editor = useEditorAction();
  const attributes = editor.fragments
    ? {
      "hx-post": `${editor.action}/scheduler`,
      "hx-trigger": "change consume",
      "hx-target": "#scheduler-fields",
      "hx-swap": "outerHTML",
      "hx-sync": "closest form:replace",
    }
    : undefined;
  return (
    <div class="optimizer-picker">
      <SelectField
        state={props.state}
        name="scheduler.type"
        label="LR scheduler"
        help="Changes the learning rate during training, as torch.optim.lr_scheduler."
        choices={SCHEDULER_CHOICES}
        attributes={attributes}
      />
      <noscript>
        <button type="submit" name="refresh" value="scheduler" class="secondary">
          Show its fields
        </button>
      </noscript>
    </div>
  );
}

/** The chosen scheduler's own fields, in torch's argument order. */
export function SchedulerFields(props: { state: FormState }) {
  const { state } = props;
  const type = state.values["scheduler.type"] ?? NO_SCHEDULER;
  const fields = isSchedulerType(type) ? SCHEDULER_FIELDS[type] : [];
  return (
    <div id="scheduler-fields" class="optimizer-fields">
      <input type="hidden" name={SHOWN_SCHEDULER_FIELD} value={type} />
      {fields.map(([field, kind]) => {
        const name = `scheduler.${field}`;
        const label = fieldLabel(name);
        const help = HELP[field];
        if (kind === "flag") {
          return <CheckboxField key={name} state={state} name={name} label={label} help={help} />;
        }
        if (kind === "choice") {
          return (
            <SelectField
              key={name}
              state={state}
              name={name}
              label={label}
              help={help}
              choices={CHOICES[field]}
            />
          );
        }
        if (kind === "list") {
          return <TextField key={name} state={state} name={name} label={label} help={help} />;
        }
        return <NumberField key={name} state={state} name={name} label={label} help={help} />;
      })}
      <GroupErrors state={state} path="scheduler" />
    </div>
  );
}
