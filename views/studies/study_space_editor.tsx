/**
 * The search space as a table of rows: a run config path, its distribution type, and its range
 * or choices. Picking another path or type, and the add and remove buttons, post the form to
 * `/studies/new/space`, which answers with this table redrawn; without JavaScript the buttons
 * post the whole form to `/studies/new`, which re-renders it with the change.
 *
 * @module
 */

import { PARAM_TYPES } from "../../config/space_schema.ts";
import {
  CheckboxField,
  fieldId,
  type FormState,
  GroupErrors,
  NumberField,
  SelectField,
  TextField,
} from "../shell/form_fields.tsx";
import {
  layerUnits,
  MAX_PARAMS,
  paramCount,
  rowField,
  rowIssueField,
  searchablePaths,
  SPACE_ACTION_FIELD,
  SPACE_FIELD,
} from "./study_form_state.ts";

export const SPACE_EDITOR_ID = "space-editor";

const TYPE_LABELS: Record<(typeof PARAM_TYPES)[number], string> = {
  float: "float",
  int: "int",
  categorical: "categorical",
};

/** Posts the form for the table redrawn (buttons on click). */
const REDRAW = {
  "hx-post": "/studies/new/space",
  "hx-target": `#${SPACE_EDITOR_ID}`,
  "hx-swap": "outerHTML",
  "hx-sync": "closest form:replace",
};
/** A changed path or type redraws its row, instead of validating the whole form. */
const REDRAW_ON_CHANGE = { ...REDRAW, "hx-trigger": "change consume" };

function RowButton(props: { action: string; label: string; text: string; disabled?: boolean }) {
  return (
    <button
      type="submit"
      name={SPACE_ACTION_FIELD}
      value={props.action}
      class="icon"
      aria-label={props.label}
      title={props.label}
      disabled={props.disabled}
      {...REDRAW}
    >
      {props.text}
    </button>
  );
}

export function SpaceEditor(props: { state: FormState }) {
  const { state } = props;
  const count = paramCount(state.values);
  const paths = searchablePaths(layerUnits(state.values).length);
  const pathChoices = paths.map((path) => ({ value: path, label: path }));
  const typeChoices = PARAM_TYPES.map((type) => ({ value: type, label: TYPE_LABELS[type] }));
  return (
    <fieldset id={SPACE_EDITOR_ID} class="space-editor">
      <legend class="visually-hidden">Search space</legend>
      <p class="help">
        Each row is a run config path the tuner sets for every trial. Floats and ints are sampled
        from [low, high] (on a log scale when Log is on, or in steps); categorical parameters pick
        one of the comma-separated choices.
      </p>
      {count === 0
        ? <p class="muted">No parameters yet: add at least one.</p>
        : (
          <table class="space-table">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Parameter</th>
                <th scope="col">Type</th>
                <th scope="col">Low</th>
                <th scope="col">High</th>
                <th scope="col">Step</th>
                <th scope="col">Log</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            {Array.from({ length: count }, (_, i) => (
              <ParamRow
                state={state}
                index={i}
                pathChoices={pathChoices}
                typeChoices={typeChoices}
              />
            ))}
          </table>
        )}
      <GroupErrors state={state} path={SPACE_FIELD} />
      <div class="layer-footer">
        <RowButton
          action="add"
          label="Add a parameter"
          text="+ Add parameter"
          disabled={count >= MAX_PARAMS}
        />
        <noscript>
          <button type="submit" name="refresh" value="space" class="secondary">
            Update rows
          </button>{" "}
          <span class="muted">after changing a parameter or its type.</span>
        </noscript>
      </div>
    </fieldset>
  );
}

interface RowProps {
  state: FormState;
  index: number;
  pathChoices: { value: string; label: string }[];
  typeChoices: { value: string; label: string }[];
}

/** One parameter: a body of its own, so its row-wide message sits right under it. */
function ParamRow(props: RowProps) {
  const { state, index: i } = props;
  const n = i + 1;
  const name = (field: string) => rowField(i, field);
  const type = state.values[name("type")];
  const path = state.values[name("path")] ?? "";
  return (
    <tbody id={fieldId(rowIssueField(i))}>
      <tr>
        <th scope="row">{n}</th>
        <td class="param-path">
          <SelectField
            state={state}
            name={name("path")}
            label={`Parameter ${n} path`}
            hideLabel
            choices={props.pathChoices}
            attributes={REDRAW_ON_CHANGE}
          />
          <input type="hidden" name={name("shown")} value={state.values[name("shown")] ?? ""} />
        </td>
        <td class="param-type">
          <SelectField
            state={state}
            name={name("type")}
            label={`Parameter ${n} type`}
            hideLabel
            choices={props.typeChoices}
            attributes={REDRAW_ON_CHANGE}
          />
        </td>
        {type === "categorical"
          ? (
            <td colspan={4}>
              <TextField
                state={state}
                name={name("choices")}
                label={`Parameter ${n} choices`}
                hideLabel
                placeholder="sgd, rmsprop, adam"
                help="Choices, comma-separated."
              />
            </td>
          )
          : (
            <>
              <td>
                <NumberField
                  state={state}
                  name={name("low")}
                  label={`Parameter ${n} low`}
                  hideLabel
                />
              </td>
              <td>
                <NumberField
                  state={state}
                  name={name("high")}
                  label={`Parameter ${n} high`}
                  hideLabel
                />
              </td>
              <td>
                <NumberField
                  state={state}
                  name={name("step")}
                  label={`Parameter ${n} step`}
                  hideLabel
                  placeholder="none"
                />
              </td>
              <td class="param-log">
                <CheckboxField
                  state={state}
                  name={name("log")}
                  label={`Parameter ${n} log scale`}
                  hideLabel
                />
              </td>
            </>
          )}
        <td class="layer-actions">
          <RowButton
            action={`remove:${i}`}
            label={`Remove parameter ${n} (${path})`}
            text="✕"
          />
        </td>
      </tr>
      <RowErrors state={state} index={i} />
    </tbody>
  );
}

/**
 * Every message of the row, across its width: the cells are too narrow for a sentence. (Each
 * field keeps its own message for `aria-describedby`, hidden from sight by the stylesheet.)
 */
function RowErrors(props: { state: FormState; index: number }) {
  const row = rowIssueField(props.index);
  const issues = props.state.issues.filter((issue) =>
    issue.path === row || issue.path.startsWith(`${row}.`)
  );
  if (issues.length === 0) return null;
  return (
    <tr class="row-errors">
      <td></td>
      <td colspan={7}>
        {issues.map((issue) => (
          <p class="field-error">
            {issue.message}
          </p>
        ))}
      </td>
    </tr>
  );
}
