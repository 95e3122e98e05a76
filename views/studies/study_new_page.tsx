/**
 * The new-study page: what to optimise, how to search, and the base run every trial starts
 * from, drawn by the New run editor with a "search" switch on each field (the search space, in
 * place). It posts to `/studies/new` and works without JavaScript; with htmx, every change is
 * validated on the server and the redrawn form is morphed in.
 *
 * @module
 */

import type { DatasetInfo } from "../../engine/data/load.ts";
import { EditorActionContext, FieldSlotContext } from "../shell/field_slot.ts";
import {
  type Choice,
  type FormState,
  IssueSummary,
  NumberField,
  SelectField,
  type SummaryIssue,
  TextField,
} from "../shell/form_fields.tsx";
import { ValidatedFormPage } from "../shell/validated_form_page.tsx";
import { RunEditor } from "../run_editor/run_editor.tsx";
import { PrunerFields } from "./pruner_fields.tsx";
import { SamplerFields } from "./sampler_fields.tsx";
import { MoreObjectiveFields } from "./objective_fields.tsx";
import { StudyFilePreview, type StudyFileProps } from "./study_file_preview.tsx";
import { EXTRA_ROWS, SPACE_FIELD, STUDY_PREFIX } from "./study_form_state.ts";
import { RowsEditor, studyFieldSlot } from "./study_space_editor.tsx";

export interface NewStudyProps {
  state: FormState;
  summary: SummaryIssue[];
  datasets: DatasetInfo[];
  preview: StudyFileProps;
  notice?: string;
}

const DIRECTION_CHOICES: Choice[] = [
  { value: "maximize", label: "Maximize" },
  { value: "minimize", label: "Minimize" },
];

const METRIC_CHOICES: Choice[] = [
  { value: "devAccuracy", label: "Dev accuracy" },
  { value: "devLoss", label: "Dev loss" },
  { value: "trainAccuracy", label: "Train accuracy" },
  { value: "trainLoss", label: "Train loss" },
];

export function NewStudyPage(props: NewStudyProps) {
  return (
    <ValidatedFormPage
      title="New study"
      current="/studies"
      formId="study-form"
      action="/studies/new"
    >
      <NewStudyForm {...props} />
    </ValidatedFormPage>
  );
}

/** The form's content; `/studies/new/validate` answers with it for htmx to morph in. */
export function NewStudyForm(props: NewStudyProps) {
  const { state } = props;
  return (
    <>
      {props.notice && <p class="notice" role="status">{props.notice}</p>}
      <IssueSummary
        issues={props.summary.map((issue) => ({ ...issue, label: issue.label || "Study" }))}
      />
      <div class="form-columns">
        <div class="form-main">
          <ObjectiveSection state={state} />
          <section class="card base-intro">
            <h2>Base run, and what to search</h2>
            <p class="help">
              Every trial trains this run. Tick <strong>search</strong>{" "}
              beside a field to search it instead: a range or a list of choices, and for choices,
              parameters searched only when that choice is taken.
            </p>
          </section>
          <EditorActionContext.Provider value={{ fragments: false, action: "/studies/new" }}>
            <FieldSlotContext.Provider value={studyFieldSlot(state)}>
              <RunEditor state={state} datasets={props.datasets} />
            </FieldSlotContext.Provider>
          </EditorActionContext.Provider>
          <section class="card" id="space">
            <h2>Other searched parameters</h2>
            <p class="help">
              Paths the form does not show above, such as a field of another optimizer type.
            </p>
            <RowsEditor state={state} rows={EXTRA_ROWS} depth={1} />
            <noscript>
              <button type="submit" name="refresh" value="space" class="secondary">
                Redraw the form
              </button>
            </noscript>
          </section>
        </div>
        <aside class="form-side">
          <section class="card launch">
            <h2>Start</h2>
            <p class="help">
              Trials train on this server, as many at once as set above. More workers can join from
              a terminal: <code>deno task tune --study NAME</code>.
            </p>
            <button type="submit" class="primary">Start study</button>
          </section>
          <StudyFilePreview {...props.preview} />
        </aside>
      </div>
    </>
  );
}

function ObjectiveSection(props: { state: FormState }) {
  const { state } = props;
  const name = (path: string) => `${STUDY_PREFIX}${path}`;
  return (
    <section class="card">
      <h2>Study</h2>
      <div class="row">
        <TextField
          state={state}
          name={name("name")}
          label="Study name"
          placeholder="mnist-lr"
          help="Names the study; CLI workers join it by this name."
        />
        <NumberField
          state={state}
          name={name("trials")}
          label="Trials"
          help="How many trials in all."
          integer
        />
        <NumberField
          state={state}
          name={name("parallel")}
          label="Trials at once"
          placeholder="auto"
          help="Per machine, each in its own engine; empty: from the cores and the backend."
          integer
        />
      </div>
      <div class="row">
        <SelectField
          state={state}
          name={name("direction")}
          label="Direction"
          choices={DIRECTION_CHOICES}
        />
        <SelectField
          state={state}
          name={name("metric")}
          label="Metric"
          help="Read at each trial's last epoch."
          choices={METRIC_CHOICES}
        />
      </div>
      <MoreObjectiveFields state={state} />
      <SamplerFields state={state} />
      <PrunerFields state={state} />
      <p class="help" id={`field-${SPACE_FIELD}`}>
        The search space is drawn in place below: each field searched instead of fixed.
      </p>
    </section>
  );
}
