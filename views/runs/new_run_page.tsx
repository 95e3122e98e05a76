/**
 * The new-run page: one form over the whole run config. It posts to `/runs/new` and works
 * without JavaScript; with htmx, every change is validated on the server and morphed in, layer
 * buttons and the optimizer picker swap only their part.
 *
 * @module
 */

import { BUILT_IN_DATASETS } from "../../config/schema.ts";
import type { DatasetInfo } from "../../engine/data/load.ts";
import {
  BATCH_MODES,
  INIT_SCHEMES,
  LOSSES,
  type LossName,
  outputUnits,
} from "../../engine/spec.ts";
import { ConfigPreview, type PreviewProps } from "../run_editor/config_preview.tsx";
import {
  CheckboxField,
  type Choice,
  type FormState,
  IssueSummary,
  NumberField,
  RadioGroup,
  SelectField,
  TextField,
} from "../shell/form_fields.tsx";
import { SplitFields } from "../run_editor/split_fields.tsx";
import { DEVICE_CHOICES, ValidatedFormPage } from "../shell/validated_form_page.tsx";
import { BATCH_LABELS, fieldLabel, INIT_LABELS, LOSS_LABELS } from "../run_editor/field_labels.ts";
import { LayerEditor } from "../run_editor/layer_editor.tsx";
import { OptimizerFields, OptimizerPicker } from "../run_editor/optimizer_fields.tsx";
import {
  DATASET_OTHER_FIELD,
  type FormValues,
  NORMALIZE_FIELD,
  OTHER_DATASET,
} from "../run_editor/run_form_state.ts";

export interface NewRunProps {
  state: FormState;
  datasets: DatasetInfo[];
  preview: PreviewProps;
  /** A line above the form: why it came back instead of launching, or where it came from. */
  notice?: string;
}

const BATCH_CHOICES: Choice[] = BATCH_MODES.map((value) => ({
  value,
  label: BATCH_LABELS[value],
}));

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
          <DataSection state={state} datasets={props.datasets} />
          <section class="card">
            <h2>Model</h2>
            <SelectField
              state={state}
              name="model.init"
              label="Weight initialisation"
              help={"How weights start. The default draws biases from U(±1/√fan_in) too; " +
                "the named schemes start them at 0."}
              choices={INIT_SCHEMES.map((value) => ({ value, label: INIT_LABELS[value] }))}
            />
            <LayerEditor state={state} outputNote={outputNote(state.values, props.datasets)} />
            <SelectField
              state={state}
              name="loss"
              label="Loss"
              help="Binary losses on two classes use one output unit."
              choices={LOSSES.map((value) => ({ value, label: LOSS_LABELS[value] }))}
            />
          </section>
          <TrainingSection state={state} />
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

function DataSection(props: { state: FormState; datasets: DatasetInfo[] }) {
  const { state } = props;
  const installed = new Map(props.datasets.map((info) => [info.id, info]));
  const choices: Choice[] = [
    ...props.datasets.map((info) => ({ value: info.id, label: info.name })),
    ...BUILT_IN_DATASETS.filter((id) => !installed.has(id)).map((id) => ({
      value: id,
      label: `${id} (not installed)`,
    })),
    { value: OTHER_DATASET, label: "Other: idx:<dir> or csv:<path>" },
  ];
  return (
    <section class="card">
      <h2>Data</h2>
      <div class="row">
        <SelectField state={state} name="data.dataset" label="Dataset" choices={choices} />
        <TextField
          state={state}
          name={DATASET_OTHER_FIELD}
          label="Other dataset"
          placeholder="csv:/path/to/table.csv"
          help="Used when Dataset is Other."
        />
      </div>
      <fieldset>
        <legend>Normalisation</legend>
        <CheckboxField
          state={state}
          name={NORMALIZE_FIELD}
          label="Normalize inputs"
          help="x → (x − mean) / std, after pixels are scaled to [0, 1]."
        />
        <div class="row">
          <NumberField state={state} name="data.normalize.mean" label="Mean" />
          <NumberField state={state} name="data.normalize.std" label="Std" />
        </div>
      </fieldset>
      <SplitFields state={state} path="data.split" />
      <div class="row">
        <NumberField
          state={state}
          name="data.trainSize"
          label="Train size"
          help="First N training examples; empty for all."
          integer
        />
        <NumberField
          state={state}
          name="data.testSize"
          label="Test size"
          help="First N official test examples; empty for all."
          integer
        />
      </div>
    </section>
  );
}

function TrainingSection(props: { state: FormState }) {
  const { state } = props;
  return (
    <section class="card">
      <h2>Training</h2>
      <RadioGroup state={state} name="batch.mode" legend="Batches" choices={BATCH_CHOICES} />
      <div class="row">
        <NumberField
          state={state}
          name="batch.size"
          label="Batch size"
          help="Used by mini-batch."
          integer
        />
        <CheckboxField
          state={state}
          name="batch.shuffle"
          label="Shuffle each epoch"
          help="Seeded, so a run repeats exactly."
        />
      </div>
      <OptimizerPicker state={state} />
      <OptimizerFields state={state} />
      <fieldset>
        <legend>Regularisation</legend>
        <div class="row">
          <NumberField
            state={state}
            name="regularization.l1"
            label="L1"
            help="Adds l1 · Σ|w| to the loss."
          />
          <NumberField
            state={state}
            name="regularization.l2"
            label="L2"
            help="Adds l2 · Σw² to the loss."
          />
        </div>
      </fieldset>
      <div class="row">
        <NumberField state={state} name="epochs" label="Epochs" integer />
        <NumberField
          state={state}
          name="seed"
          label="Seed"
          help="Same seed, same run."
          integer
        />
        <SelectField state={state} name="device" label="Device" choices={DEVICE_CHOICES} />
      </div>
    </section>
  );
}

/** What the output layer will be, which the layer editor shows under the hidden layers. */
export function outputNote(values: FormValues, datasets: DatasetInfo[]): string {
  const info = datasets.find((candidate) => candidate.id === values["data.dataset"]);
  const loss = values.loss as LossName;
  if (!info || !(LOSSES as readonly string[]).includes(loss)) {
    return "Output layer: one unit per class of the dataset.";
  }
  const units = outputUnits(loss, info.classes);
  return `Output layer: ${units} ${units === 1 ? "unit" : "units"} (${info.name}, ${
    LOSS_LABELS[loss].toLowerCase()
  }).`;
}
