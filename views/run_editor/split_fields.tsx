/**
 * The train/dev/test fractions of a run's data, shared by the run form (`data.split`) and the
 * study form's base run (`base.data.split`).
 *
 * @module
 */

import { fieldId, type FormState, GroupErrors, NumberField } from "../shell/form_fields.tsx";

/** `path` is the split's dotted path, such as `data.split`. */
export function SplitFields(props: { state: FormState; path: string }) {
  const { state, path } = props;
  return (
    <fieldset id={fieldId(path)}>
      <legend>Split of the training pool</legend>
      <div class="row">
        <NumberField state={state} name={`${path}.train`} label="Train fraction" />
        <NumberField state={state} name={`${path}.dev`} label="Dev fraction" />
        <NumberField
          state={state}
          name={`${path}.test`}
          label="Test fraction"
          help="Only without an official test set."
        />
      </div>
      <GroupErrors state={state} path={path} />
    </fieldset>
  );
}
