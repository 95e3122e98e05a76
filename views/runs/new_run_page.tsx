/**
 * The new-run page: one form over the whole run config. It posts to `/runs/new` and works
 * without JavaScript; with htmx, every change is validated on the server and morphed in, layer
 * buttons and the optimizer picker swap only their part.
 *
 * @module
 */

import type { DatasetInfo } from "../../engine/data/load.ts";
import { ConfigPreview, type PreviewProps } from "../run_editor/config_preview.tsx";
import { type FormState, IssueSummary, TextField } from "../shell/form_fields.tsx";
import { ValidatedFormPage } from "../shell/validated_form_page.tsx";
import { fieldLabel } from "../run_editor/field_labels.ts";
import { RunEditor } from "../run_editor/run_editor.tsx";
import { FinalRunCard, type FinalRunProps } from "./final_run_card.tsx";

export { outputNote } from "../run_editor/run_editor.tsx";

export interface NewRunProps {
  state: FormState;
  datasets: DatasetInfo[];
  preview: PreviewProps;
  /** A line above the form: why it came back instead of launching, or where it came from. */
  notice?: string;
  /** A study's final model: where it comes from and what differs from its trial. */
  final?: FinalRunProps;
}

export function NewRunPage(props: NewRunProps) {
  return (
    <ValidatedFormPage title="New run" current="/runs/new" formId="run-form" action="/runs/new">
      <NewRunForm {...props} />
    </ValidatedFormPage>
  );
}

/**
 * The form's content; `/runs/new/validate` answers with it for htmx to morph in. Its requests
 * share one queue in which the newest replaces any in flight (`hx-sync`), so an older answer
 * never lands after a newer edit: a field left for a layer button starts a validation, and the
 * button's request takes its place.
 */
export function NewRunForm(props: NewRunProps) {
  const { state } = props;
  return (
    <>
      {props.notice && <p class="notice" role="status">{props.notice}</p>}
      <IssueSummary
        issues={state.issues.map((issue) => ({
          label: fieldLabel(issue.path),
          field: issue.path,
          message: issue.message,
        }))}
      />
      <div class="form-columns">
        <div class="form-main">
          {props.final && <FinalRunCard final={props.final} state={state} />}
          <RunEditor state={state} datasets={props.datasets} />
        </div>
        <aside class="form-side">
          <section class="card launch">
            <h2>Launch</h2>
            <TextField state={state} name="name" label="Run name" placeholder="baseline" />
            <button type="submit" class="primary">Launch run</button>
          </section>
          <ConfigPreview {...props.preview} />
        </aside>
      </div>
    </>
  );
}
