/**
 * Form controls with their label, one line of help and the validation message for their path.
 * A field's `name` is its config path, so the issue for `optimizer.lr` lands under the
 * "Learning rate" input.
 *
 * @module
 */

import type { Child } from "hono/jsx";
import type { Issue } from "../../config/issues.ts";
import { type FormValues, isChecked } from "../run_editor/run_form_state.ts";
import { slotted } from "./field_slot.ts";

/** What every field needs to show itself: the posted values and the issues found in them. */
export interface FormState {
  values: FormValues;
  issues: Issue[];
}

/** An element id for a field name (dots are legal in ids but awkward in CSS selectors). */
export function fieldId(name: string): string {
  return `field-${name.replaceAll(".", "-")}`;
}

export function issuesAt(issues: Issue[], path: string): Issue[] {
  return issues.filter((issue) => issue.path === path);
}

interface FieldProps {
  state: FormState;
  name: string;
  label: string;
  help?: string;
  /** Keeps the label for screen readers only (tables of layer fields have column headers). */
  hideLabel?: boolean;
  /** Where this field's issues are reported, when not at `name`. */
  path?: string;
  /** Shown beside the field without blocking the form (an unusual but valid value). */
  warning?: string;
}

function Described(props: FieldProps & { children: Child; class?: string }) {
  const id = fieldId(props.name);
  const errors = issuesAt(props.state.issues, props.path ?? props.name);
  return (
    <div class={`field${props.class ? ` ${props.class}` : ""}${errors.length ? " invalid" : ""}`}>
      <label for={id} class={props.hideLabel ? "visually-hidden" : undefined}>{props.label}</label>
      {props.children}
      {props.help && <small class="help" id={`${id}-help`}>{props.help}</small>}
      <FieldErrors id={id} errors={errors} />
      {props.warning && <p class="field-warning" id={`${id}-warning`}>{props.warning}</p>}
    </div>
  );
}

function FieldErrors(props: { id: string; errors: Issue[] }) {
  if (props.errors.length === 0) return null;
  return (
    <p class="field-error" id={`${props.id}-error`}>
      {props.errors.map((issue) => issue.message).join("; ")}
    </p>
  );
}

function describedBy(props: FieldProps): string | undefined {
  const id = fieldId(props.name);
  const ids = [
    props.help ? `${id}-help` : "",
    issuesAt(props.state.issues, props.path ?? props.name).length ? `${id}-error` : "",
    props.warning ? `${id}-warning` : "",
  ].filter(Boolean);
  return ids.length ? ids.join(" ") : undefined;
}

/** A number typed as text, so that the server, not the browser, says what is wrong with it. */
export function NumberField(props: FieldProps & { integer?: boolean; placeholder?: string }) {
  const invalid = issuesAt(props.state.issues, props.path ?? props.name).length > 0;
  const kind = props.integer ? "integer" : "number";
  return slotted(
    { name: props.name, label: props.label, kind },
    <Described {...props}>
      <input
        id={fieldId(props.name)}
        name={props.name}
        type="text"
        inputmode={props.integer ? "numeric" : "decimal"}
        autocomplete="off"
        spellcheck={false}
        value={props.state.values[props.name] ?? ""}
        placeholder={props.placeholder}
        aria-invalid={invalid ? "true" : undefined}
        aria-describedby={describedBy(props)}
      />
    </Described>,
  );
}

export function TextField(props: FieldProps & { placeholder?: string }) {
  const invalid = issuesAt(props.state.issues, props.path ?? props.name).length > 0;
  return slotted(
    { name: props.name, label: props.label, kind: "text" },
    <Described {...props}>
      <input
        id={fieldId(props.name)}
        name={props.name}
        type="text"
        autocomplete="off"
        value={props.state.values[props.name] ?? ""}
        placeholder={props.placeholder}
        aria-invalid={invalid ? "true" : undefined}
        aria-describedby={describedBy(props)}
      />
    </Described>,
  );
}

export interface Choice {
  value: string;
  label: string;
}

export function SelectField(
  props: FieldProps & { choices: readonly Choice[]; attributes?: Record<string, string> },
) {
  const current = props.state.values[props.name];
  const invalid = issuesAt(props.state.issues, props.path ?? props.name).length > 0;
  const known = props.choices.some((choice) => choice.value === current);
  return slotted(
    { name: props.name, label: props.label, kind: "select", choices: props.choices },
    <Described {...props}>
      <select
        id={fieldId(props.name)}
        name={props.name}
        aria-invalid={invalid ? "true" : undefined}
        aria-describedby={describedBy(props)}
        {...props.attributes}
      >
        {props.choices.map((choice) => (
          <option value={choice.value} selected={choice.value === current}>{choice.label}</option>
        ))}
        {!known && current !== undefined && <option value={current} selected>{current}</option>}
      </select>
    </Described>,
  );
}

export function CheckboxField(props: FieldProps) {
  const id = fieldId(props.name);
  const errors = issuesAt(props.state.issues, props.path ?? props.name);
  return slotted(
    { name: props.name, label: props.label, kind: "checkbox" },
    <div class={`field checkbox${errors.length ? " invalid" : ""}`}>
      <input
        id={id}
        name={props.name}
        type="checkbox"
        checked={isChecked(props.state.values, props.name)}
        aria-describedby={describedBy(props)}
      />
      <label for={id} class={props.hideLabel ? "visually-hidden" : undefined}>{props.label}</label>
      {props.help && <small class="help" id={`${id}-help`}>{props.help}</small>}
      <FieldErrors id={id} errors={errors} />
    </div>,
  );
}

/** Messages for a group (a fieldset) rather than one input: "fractions must sum to 1". */
export function GroupErrors(props: { state: FormState; path: string }) {
  return (
    <>
      {issuesAt(props.state.issues, props.path).map((issue) => (
        <p class="field-error">{issue.message}</p>
      ))}
    </>
  );
}

/** Radio buttons in a fieldset whose legend names the choice. */
export function RadioGroup(
  props: { state: FormState; name: string; legend: string; choices: readonly Choice[] },
) {
  const current = props.state.values[props.name];
  const errors = issuesAt(props.state.issues, props.name);
  return slotted(
    { name: props.name, label: props.legend, kind: "radio", choices: props.choices },
    <fieldset class={`radios${errors.length ? " invalid" : ""}`}>
      <legend>{props.legend}</legend>
      {props.choices.map((choice) => {
        const id = `${fieldId(props.name)}-${choice.value}`;
        return (
          <span class="radio">
            <input
              type="radio"
              id={id}
              name={props.name}
              value={choice.value}
              checked={choice.value === current}
            />
            <label for={id}>{choice.label}</label>
          </span>
        );
      })}
      <FieldErrors id={fieldId(props.name)} errors={errors} />
    </fieldset>,
  );
}

/** One line of a form's problem list: what to call the field, its input's name, and why. */
export interface SummaryIssue {
  label: string;
  field: string;
  message: string;
}

/** The problems above a form, each linking to its field; nothing when there are none. */
export function IssueSummary(props: { issues: SummaryIssue[] }) {
  const { issues } = props;
  if (issues.length === 0) return null;
  return (
    <section class="issue-summary" role="alert">
      <h2>{issues.length === 1 ? "1 problem" : `${issues.length} problems`} to fix</h2>
      <ul>
        {issues.map((issue) => (
          <li>
            <a href={`#${fieldId(issue.field)}`}>{issue.label}</a>: {issue.message}
          </li>
        ))}
      </ul>
    </section>
  );
}
