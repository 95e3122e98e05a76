/**
 * The new-study page: what to optimise, how to search, the base run every trial starts from,
 * and the search space. It posts to `/studies/new` and works without JavaScript; with htmx,
 * every change is validated on the server and morphed in, and the space editor's buttons and
 * pickers swap only the table.
 *
 * @module
 */

import type { DatasetInfo } from "../../engine/data/load.ts";
import { BUILT_IN_DATASETS } from "../../config/schema.ts";
import {
  type Choice,
  fieldId,
  type FormState,
  GroupErrors,
  IssueSummary,
  NumberField,
  SelectField,
  type SummaryIssue,
  TextField,
} from "../shell/form_fields.tsx";
import { SplitFields } from "../run_editor/split_fields.tsx";
import { DEVICE_CHOICES, ValidatedFormPage } from "../shell/validated_form_page.tsx";
import { OPTIMIZER_CHOICES } from "../run_editor/optimizer_fields.tsx";
import { StudyFilePreview, type StudyFileProps } from "./study_file_preview.tsx";
import { BASE_FIELD, LAYERS_FIELD } from "./study_form_state.ts";
import { SpaceEditor } from "./study_space_editor.tsx";

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

const SAMPLER_CHOICES: Choice[] = [
  { value: "tpe", label: "TPE" },
  { value: "random", label: "Random" },
  { value: "grid", label: "Grid" },
];

const PRUNER_CHOICES: Choice[] = [
  { value: "median", label: "Median" },
  { value: "asha", label: "ASHA" },
  { value: "none", label: "None" },
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
        issues={props.summary.map((issue) => ({ ...issue, label: issue.label || "study" }))}
      />
      <div class="form-columns">
        <div class="form-main">
          <ObjectiveSection state={state} />
          <BaseSection state={state} datasets={props.datasets} />
          <section class="card">
            <h2>Search space</h2>
            <SpaceEditor state={state} />
          </section>
        </div>
        <aside class="form-side">
          <section class="card launch">
            <h2>Start</h2>
            <p class="help">
              Trials train one after another on this server. More workers can join from a terminal:
              {" "}
              <code>deno task tune --study NAME</code>.
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
  return (
    <section class="card">
      <h2>Study</h2>
      <div class="row">
        <TextField
          state={state}
          name="name"
          label="Study name"
          placeholder="mnist-lr"
          help="Names the study; CLI workers join it by this name."
        />
        <NumberField
          state={state}
          name="trials"
          label="Trials"
          help="How many trials in all."
          integer
        />
      </div>
      <div class="row">
        <SelectField state={state} name="direction" label="Direction" choices={DIRECTION_CHOICES} />
        <SelectField
          state={state}
          name="metric"
          label="Metric"
          help="Read at each trial's last epoch."
          choices={METRIC_CHOICES}
        />
      </div>
      <div class="row">
        <SelectField
          state={state}
          name="sampler.type"
          label="Sampler"
          help="TPE learns from earlier trials; grid tries every stepped value."
          choices={SAMPLER_CHOICES}
        />
        <NumberField
          state={state}
          name="sampler.seed"
          label="Sampler seed"
          help="Same seed, same trials; empty for a random start."
          integer
        />
        <SelectField
          state={state}
          name="pruner.type"
          label="Pruner"
          help="Median and ASHA stop trials that fall behind, epoch by epoch."
          choices={PRUNER_CHOICES}
        />
      </div>
    </section>
  );
}

function BaseSection(props: { state: FormState; datasets: DatasetInfo[] }) {
  const { state } = props;
  const installed = new Set(props.datasets.map((info) => info.id));
  const datasets: Choice[] = [
    ...props.datasets.map((info) => ({ value: info.id, label: info.name })),
    ...BUILT_IN_DATASETS.filter((id) => !installed.has(id)).map((id) => ({
      value: id,
      label: `${id} (not installed)`,
    })),
  ];
  return (
    <section class="card" id={fieldId(BASE_FIELD)}>
      <h2>Base run</h2>
      <p class="help">
        Every trial trains this run with the searched parameters set; anything not shown here takes
        the run defaults.
      </p>
      <GroupErrors state={state} path={BASE_FIELD} />
      <div class="row">
        <SelectField state={state} name="base.data.dataset" label="Dataset" choices={datasets} />
        <NumberField
          state={state}
          name="base.data.trainSize"
          label="Train size"
          help="First N training examples; empty for all."
          integer
        />
      </div>
      <SplitFields state={state} path="base.data.split" />
      <div class="row">
        <TextField
          state={state}
          name={LAYERS_FIELD}
          label="Hidden layer units"
          placeholder="512, 256"
          help="One number per ReLU layer; empty for a linear model."
        />
        <NumberField state={state} name="base.batch.size" label="Batch size" integer />
      </div>
      <div class="row">
        <SelectField
          state={state}
          name="base.optimizer.type"
          label="Optimizer"
          choices={OPTIMIZER_CHOICES}
        />
        <NumberField
          state={state}
          name="base.optimizer.lr"
          label="Learning rate"
          placeholder="optimizer default"
          help="Empty for the optimizer's default."
        />
      </div>
      <div class="row">
        <NumberField state={state} name="base.epochs" label="Epochs" integer />
        <SelectField state={state} name="base.device" label="Device" choices={DEVICE_CHOICES} />
      </div>
    </section>
  );
}
