/**
 * The search space, drawn where the values are: each base field's "search" switch swaps its
 * control for a distribution editor (float, int or categorical) in place; a searched choice
 * offers a sub-space per choice (rows of path and distribution, as Optuna's `if` in an
 * objective); the layer editor's switch searches the number of layers with one layer's fields
 * fixed or searched. Buttons are named submit buttons: htmx posts the form to
 * `/studies/new/validate` and morphs in the answer; without JavaScript they post the whole form.
 *
 * @module
 */

import type { Child } from "hono/jsx";
import { MAX_HIDDEN_LAYERS } from "../../config/schema.ts";
import { MAX_SPACE_DEPTH } from "../../config/space_schema.ts";
import { ACTIVATIONS } from "../../engine/spec.ts";
import type { FieldSlot, SlotField } from "../shell/field_slot.ts";
import {
  CheckboxField,
  fieldId,
  type FormState,
  GroupErrors,
  NumberField,
  SelectField,
  TextField,
} from "../shell/form_fields.tsx";
import { isChecked } from "../run_editor/run_form_state.ts";
import { MAX_ROWS, parseChoices, rowCount, rowPrefix, whenRows } from "./space_fields.ts";
import {
  DEPTH_ENTRY,
  DEPTH_SEARCH,
  isSearchable,
  SEARCH_PREFIX,
  SPACE_ACTION_FIELD,
  SPACE_PREFIX,
  TEMPLATE,
} from "./study_form_state.ts";

const TYPE_CHOICES = [
  { value: "float", label: "Float range" },
  { value: "int", label: "Integer range" },
  { value: "categorical", label: "Choices" },
];

/** Posts the whole form for the server to redraw (htmx), or submits it (no JavaScript). */
function SpaceButton(props: { action: string; label: string; text: string; disabled?: boolean }) {
  return (
    <button
      type="submit"
      name={SPACE_ACTION_FIELD}
      value={props.action}
      class="secondary small"
      aria-label={props.label}
      title={props.label}
      disabled={props.disabled}
      hx-post="/studies/new/validate"
      hx-target="closest form"
      hx-swap="innerMorph"
      hx-sync="closest form:replace"
    >
      {props.text}
    </button>
  );
}

/** The switch between a fixed value and a searched one; its change redraws the form. */
function SearchSwitch(props: { state: FormState; name: string; label: string }) {
  const name = `${SEARCH_PREFIX}${props.name}`;
  const id = fieldId(name);
  return (
    <span class="search-switch">
      <input
        type="checkbox"
        id={id}
        name={name}
        checked={isChecked(props.state.values, name)}
      />
      <label for={id}>
        search<span class="visually-hidden">{` ${props.label}`}</span>
      </label>
    </span>
  );
}

/** A searched field's base value, kept so that switching back finds it as it was. */
function KeptValue(props: { state: FormState; name: string }) {
  const value = props.state.values[props.name];
  if (value === undefined) return null;
  return <input type="hidden" name={props.name} value={value} />;
}

/** One distribution: its kind, then a range or the choices (with their sub-spaces). */
export function DistributionEditor(
  props: { state: FormState; prefix: string; label: string; depth: number },
) {
  const { state, prefix } = props;
  const type = state.values[`${prefix}.type`];
  return (
    <div class="distribution" id={fieldId(prefix)}>
      <SelectField
        state={state}
        name={`${prefix}.type`}
        label={`${props.label}: distribution`}
        hideLabel
        choices={TYPE_CHOICES}
      />
      {type === "categorical"
        ? (
          <TextField
            state={state}
            name={`${prefix}.choices`}
            label={`${props.label}: choices`}
            hideLabel
            placeholder="sgd, adam"
          />
        )
        : (
          <span class="range">
            <NumberField state={state} name={`${prefix}.low`} label="low" />
            <NumberField state={state} name={`${prefix}.high`} label="high" />
            <NumberField state={state} name={`${prefix}.step`} label="step" placeholder="none" />
            <CheckboxField state={state} name={`${prefix}.log`} label="log" />
          </span>
        )}
      <GroupErrors state={state} path={prefix} />
      {type === "categorical" && props.depth <= MAX_SPACE_DEPTH && (
        <WhenEditor state={state} prefix={prefix} depth={props.depth} />
      )}
    </div>
  );
}

/** A sub-space per choice: parameters searched only in trials that take that choice. */
function WhenEditor(props: { state: FormState; prefix: string; depth: number }) {
  const choices = parseChoices(props.state.values[`${props.prefix}.choices`] ?? "");
  if (choices.length === 0 || choices.length > 12) return null;
  return (
    <div class="when">
      {choices.map((choice) => {
        const rows = whenRows(props.prefix, choice);
        const count = rowCount(props.state.values, rows);
        return (
          <fieldset class={count ? "when-choice" : "when-choice empty"}>
            <legend>When {String(choice)}</legend>
            <RowsEditor state={props.state} rows={rows} depth={props.depth + 1} />
          </fieldset>
        );
      })}
    </div>
  );
}

/** Rows of path and distribution: a sub-space, or the parameters not drawn in place. */
export function RowsEditor(props: { state: FormState; rows: string; depth: number }) {
  const { state, rows } = props;
  const count = Math.min(rowCount(state.values, rows), MAX_ROWS);
  return (
    <div class="space-rows" id={fieldId(rows)}>
      <GroupErrors state={state} path={rows} />
      {Array.from({ length: count }, (_, i) => {
        const row = rowPrefix(rows, i);
        const path = state.values[`${row}.path`];
        if (path === undefined) return null;
        return (
          <div class="space-row" id={fieldId(row)}>
            <input type="hidden" name={`${row}.shown`} value={state.values[`${row}.shown`] ?? ""} />
            <TextField
              state={state}
              name={`${row}.path`}
              label="Parameter path"
              hideLabel
              placeholder="optimizer.momentum"
            />
            <DistributionEditor state={state} prefix={row} label={path} depth={props.depth} />
            <SpaceButton action={`remove:${row}`} label={`Remove ${path}`} text="✕" />
          </div>
        );
      })}
      <SpaceButton
        action={`add:${rows}`}
        label="Add a searched parameter"
        text="+ Add parameter"
        disabled={count >= MAX_ROWS}
      />
    </div>
  );
}

/** The study form's slot: a search switch on every base field, the depth switch on the layers. */
export function studyFieldSlot(state: FormState): FieldSlot {
  return (field: SlotField, normal: Child) => {
    if (field.kind === "layers") return <DepthSlot state={state} normal={normal} />;
    if (!isSearchable(field.name)) return normal;
    const searched = isChecked(state.values, `${SEARCH_PREFIX}${field.name}`);
    const toggle = <SearchSwitch state={state} name={field.name} label={field.label} />;
    if (!searched) return <div class="searchable">{normal}{toggle}</div>;
    return (
      <div class="field searched">
        <span class="searched-label">{field.label}</span>
        {toggle}
        <KeptValue state={state} name={field.name} />
        <DistributionEditor
          state={state}
          prefix={`${SPACE_PREFIX}${field.name}`}
          label={field.label}
          depth={1}
        />
        <GroupErrors state={state} path={field.name} />
      </div>
    );
  };
}

/** Every base layer field, kept while the depth is searched (the template replaces them). */
function KeptLayers(props: { state: FormState }) {
  const kept = Object.entries(props.state.values).filter(([name]) =>
    /^model\.layers\.\d+\./.test(name)
  );
  return (
    <>{kept.map(([name, value]) => <input key={name} type="hidden" name={name} value={value} />)}</>
  );
}

const ACTIVATION_CHOICES = ACTIVATIONS.map((value) => ({ value, label: value }));

function DepthSlot(props: { state: FormState; normal: Child }) {
  const { state } = props;
  const searched = isChecked(state.values, DEPTH_SEARCH);
  const toggle = (
    <CheckboxField
      state={state}
      name={DEPTH_SEARCH}
      label="Search the number of hidden layers"
      help="Each trial draws a depth, then each layer's fields (Optuna's n_layers example)."
    />
  );
  if (!searched) return <div class="depth">{toggle}{props.normal}</div>;
  const field = (name: string, label: string, control: Child) => {
    const full = `${TEMPLATE}.${name}`;
    const on = isChecked(state.values, `${SEARCH_PREFIX}${full}`);
    return (
      <div class={on ? "field searched" : "searchable"}>
        {on
          ? (
            <>
              <span class="searched-label">{label}</span>
              <KeptValue state={state} name={full} />
              <DistributionEditor state={state} prefix={full} label={label} depth={1} />
            </>
          )
          : control}
        <SearchSwitch state={state} name={full} label={label} />
      </div>
    );
  };
  return (
    <fieldset id="layers" class="layers depth">
      <legend>Hidden layers</legend>
      {toggle}
      <KeptLayers state={state} />
      <div class="row">
        <NumberField state={state} name={`${DEPTH_ENTRY}.low`} label="Fewest layers" integer />
        <NumberField
          state={state}
          name={`${DEPTH_ENTRY}.high`}
          label="Most layers"
          help={`Up to ${MAX_HIDDEN_LAYERS}.`}
          integer
        />
      </div>
      <p class="help">Every layer, whatever the depth:</p>
      <GroupErrors state={state} path={DEPTH_ENTRY} />
      <GroupErrors state={state} path={TEMPLATE} />
      <div class="row template">
        {field(
          "units",
          "Units",
          <NumberField state={state} name={`${TEMPLATE}.units`} label="Units" integer />,
        )}
        {field(
          "activation",
          "Activation",
          <SelectField
            state={state}
            name={`${TEMPLATE}.activation`}
            label="Activation"
            choices={ACTIVATION_CHOICES}
          />,
        )}
        {field(
          "batchNorm",
          "Batch norm",
          <CheckboxField state={state} name={`${TEMPLATE}.batchNorm`} label="Batch norm" />,
        )}
        {field(
          "dropout",
          "Dropout",
          <NumberField state={state} name={`${TEMPLATE}.dropout`} label="Dropout" />,
        )}
      </div>
    </fieldset>
  );
}
