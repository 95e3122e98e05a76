/**
 * The optimizer picker and the fields of the chosen optimizer, labelled as torch.optim's
 * arguments (https://pytorch.org/docs/stable/optim.html). Picking another optimizer swaps in its
 * fields with its PyTorch defaults: through htmx, or without JavaScript on the next post.
 *
 * @module
 */

import { useEditorAction } from "../shell/field_slot.ts";
import type { OptimizerType } from "../../engine/spec.ts";
import {
  CheckboxField,
  fieldId,
  type FormState,
  GroupErrors,
  NumberField,
  SelectField,
} from "../shell/form_fields.tsx";
import { lrWarning } from "./lr_warning.ts";
import { SHOWN_OPTIMIZER_FIELD } from "./run_form_state.ts";

export const OPTIMIZER_CHOICES: readonly { value: OptimizerType; label: string }[] = [
  { value: "sgd", label: "SGD" },
  { value: "rmsprop", label: "RMSprop" },
  { value: "adam", label: "Adam" },
  { value: "adamw", label: "AdamW" },
];

const HELP = {
  lr: "Step size of every update.",
  momentum: "Fraction of the previous update carried into the next; 0 turns it off.",
  dampening: "Scales down the new gradient inside the momentum buffer.",
  weightDecay: "Adds decay × weight to each gradient (L2 penalty inside the optimizer).",
  nesterov: "Looks ahead along the momentum; needs momentum > 0 and dampening 0.",
  alpha: "Smoothing constant of the running average of squared gradients.",
  eps: "Added to the denominator for numerical stability.",
  centered: "Normalises by the gradient's estimated variance instead of its second moment.",
  betas: "Decay rates of the running averages of the gradient and its square.",
  amsgrad: "Uses the maximum of past squared-gradient averages (Reddi et al., 2018).",
  adamwDecay: "Decoupled weight decay: shrinks weights directly, apart from the gradient.",
};

export function OptimizerPicker(props: { state: FormState }) {
  const editor = useEditorAction();
  // Inside another form, the form's own validation on change redraws the fields.
  const attributes = editor.fragments
    ? {
      "hx-post": `${editor.action}/optimizer`,
      "hx-trigger": "change consume",
      "hx-target": "#optimizer-fields",
      "hx-swap": "outerHTML",
      "hx-sync": "closest form:replace",
    }
    : undefined;
  return (
    <div class="optimizer-picker">
      <SelectField
        state={props.state}
        name="optimizer.type"
        label="Optimizer"
        choices={OPTIMIZER_CHOICES}
        attributes={attributes}
      />
      <noscript>
        <button type="submit" name="refresh" value="optimizer" class="secondary">
          Show its fields
        </button>
      </noscript>
    </div>
  );
}

/** The chosen optimizer's own fields, in torch.optim's argument order. */
export function OptimizerFields(props: { state: FormState }) {
  const { state } = props;
  const type = state.values["optimizer.type"] as OptimizerType;
  const number = (name: string, label: string, help: string) => (
    <NumberField
      state={state}
      name={`optimizer.${name}`}
      label={label}
      help={help}
      warning={name === "lr" ? lrWarning(type, state.values["optimizer.lr"]) : undefined}
    />
  );
  const flag = (name: string, label: string, help: string) => (
    <CheckboxField state={state} name={`optimizer.${name}`} label={label} help={help} />
  );
  let fields;
  if (type === "sgd") {
    fields = (
      <>
        {number("lr", "Learning rate", HELP.lr)}
        {number("momentum", "Momentum", HELP.momentum)}
        {number("dampening", "Dampening", HELP.dampening)}
        {number("weightDecay", "Weight decay", HELP.weightDecay)}
        {flag("nesterov", "Nesterov", HELP.nesterov)}
      </>
    );
  } else if (type === "rmsprop") {
    fields = (
      <>
        {number("lr", "Learning rate", HELP.lr)}
        {number("alpha", "Alpha", HELP.alpha)}
        {number("eps", "Eps", HELP.eps)}
        {number("weightDecay", "Weight decay", HELP.weightDecay)}
        {number("momentum", "Momentum", HELP.momentum)}
        {flag("centered", "Centered", HELP.centered)}
      </>
    );
  } else if (type === "adam" || type === "adamw") {
    fields = (
      <>
        {number("lr", "Learning rate", HELP.lr)}
        <fieldset class="pair" id={fieldId("optimizer.betas")}>
          <legend>Betas (β1, β2)</legend>
          <div class="row">
            <NumberField state={state} name="optimizer.betas.0" label="β1" />
            <NumberField state={state} name="optimizer.betas.1" label="β2" />
          </div>
          <small class="help">{HELP.betas}</small>
          <GroupErrors state={state} path="optimizer.betas" />
        </fieldset>
        {number("eps", "Eps", HELP.eps)}
        {number(
          "weightDecay",
          "Weight decay",
          type === "adamw" ? HELP.adamwDecay : HELP.weightDecay,
        )}
        {flag("amsgrad", "AMSGrad", HELP.amsgrad)}
      </>
    );
  }
  return (
    <div id="optimizer-fields" class="optimizer-fields">
      <input type="hidden" name={SHOWN_OPTIMIZER_FIELD} value={type} />
      {fields}
      <GroupErrors state={state} path="optimizer" />
    </div>
  );
}
