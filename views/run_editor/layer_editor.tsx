/**
 * The hidden layers as a table of fields. Each button is a named submit button: htmx posts the
 * form to `/runs/new/layers` and swaps in the list the server renders; without JavaScript the
 * same button posts the whole form to `/runs/new`, which re-renders it with the change.
 *
 * @module
 */

import { MAX_HIDDEN_LAYERS } from "../../config/schema.ts";
import { ACTIVATIONS } from "../../engine/spec.ts";
import {
  CheckboxField,
  type FormState,
  GroupErrors,
  NumberField,
  SelectField,
} from "../shell/form_fields.tsx";
import { slotted, useEditorAction } from "../shell/field_slot.ts";
import { LAYER_ACTION_FIELD, layerCount } from "./run_form_state.ts";

const ACTIVATION_CHOICES = ACTIVATIONS.map((value) => ({ value, label: value }));

function LayerButton(props: { action: string; label: string; text: string; disabled?: boolean }) {
  const editor = useEditorAction();
  const target = editor.fragments
    ? { "hx-post": `${editor.action}/layers`, "hx-target": "#layers", "hx-swap": "outerHTML" }
    : {
      "hx-post": `${editor.action}/validate`,
      "hx-target": "closest form",
      "hx-swap": "innerMorph",
    };
  return (
    <button
      type="submit"
      name={LAYER_ACTION_FIELD}
      value={props.action}
      class="icon"
      aria-label={props.label}
      title={props.label}
      disabled={props.disabled}
      {...target}
      hx-sync="closest form:replace"
    >
      {props.text}
    </button>
  );
}

export function LayerEditor(props: { state: FormState; outputNote: string }) {
  const { state } = props;
  const count = layerCount(state.values);
  return slotted(
    { name: "model.layers", label: "Hidden layers", kind: "layers" },
    <fieldset id="layers" class="layers">
      <legend>Hidden layers</legend>
      <p class="help">
        Each layer is Linear → BatchNorm (if on) → activation → Dropout.
      </p>
      {count === 0
        ? <p class="muted">No hidden layers: a linear model straight from inputs to outputs.</p>
        : (
          <table class="layer-table">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Units</th>
                <th scope="col">Activation</th>
                <th scope="col">Batch norm</th>
                <th scope="col">Dropout</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {Array.from({ length: count }, (_, i) => {
                const name = (field: string) => `model.layers.${i}.${field}`;
                const n = i + 1;
                return (
                  <tr>
                    <th scope="row">{n}</th>
                    <td>
                      <NumberField
                        state={state}
                        name={name("units")}
                        label={`Layer ${n} units`}
                        hideLabel
                        integer
                      />
                    </td>
                    <td>
                      <SelectField
                        state={state}
                        name={name("activation")}
                        label={`Layer ${n} activation`}
                        hideLabel
                        choices={ACTIVATION_CHOICES}
                      />
                    </td>
                    <td>
                      <CheckboxField
                        state={state}
                        name={name("batchNorm")}
                        label={`Layer ${n} batch norm`}
                        hideLabel
                      />
                    </td>
                    <td>
                      <NumberField
                        state={state}
                        name={name("dropout")}
                        label={`Layer ${n} dropout`}
                        hideLabel
                      />
                    </td>
                    <td class="layer-actions">
                      <LayerButton
                        action={`up:${i}`}
                        label={`Move layer ${n} up`}
                        text="↑"
                        disabled={i === 0}
                      />
                      <LayerButton
                        action={`down:${i}`}
                        label={`Move layer ${n} down`}
                        text="↓"
                        disabled={i === count - 1}
                      />
                      <LayerButton action={`remove:${i}`} label={`Remove layer ${n}`} text="✕" />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      <GroupErrors state={state} path="model.layers" />
      <div class="layer-footer">
        <LayerButton
          action="add"
          label="Add a hidden layer"
          text="+ Add layer"
          disabled={count >= MAX_HIDDEN_LAYERS}
        />
        <span class="muted">{props.outputNote}</span>
      </div>
    </fieldset>,
  );
}
