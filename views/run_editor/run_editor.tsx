/**
 * The run editor: every field of a run config, in the sections the New run form shows. The
 * study form draws the same editor for its base run, with a search switch on each field (see
 * `../shell/field_slot.ts`).
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
import {
  CheckboxField,
  type Choice,
  type FormState,
  NumberField,
  RadioGroup,
  SelectField,
  TextField,
} from "../shell/form_fields.tsx";
import { DEVICE_CHOICES } from "../shell/validated_form_page.tsx";
import {
  BATCH_LABELS,
  CLIP_LABELS,
  EARLY_STOPPING_LABELS,
  EARLY_STOPPING_METRIC_LABELS,
  EARLY_STOPPING_MODE_LABELS,
  INIT_LABELS,
  LOSS_LABELS,
} from "./field_labels.ts";
import { EARLY_STOPPING_FIELD } from "./early_stopping_form.ts";
import { LayerEditor } from "./layer_editor.tsx";
import { OptimizerFields, OptimizerPicker } from "./optimizer_fields.tsx";
import { SchedulerFields, SchedulerPicker } from "./scheduler_fields.tsx";
import {
  CLIP_TYPE_FIELD,
  DATASET_OTHER_FIELD,
  type FormValues,
  NORMALIZE_FIELD,
  OTHER_DATASET,
} from "./run_form_state.ts";
import { SplitFields } from "./split_fields.tsx";
import { EditorNetwork } from "../network/editor_network.tsx";

const BATCH_CHOICES: Choice[] = BATCH_MODES.map((value) => ({
  value,
  label: BATCH_LABELS[value],
}));

const CLIP_CHOICES: Choice[] = Object.entries(CLIP_LABELS).map(([value, label]) => ({
  value,
  label,
}));

const choicesOf = (labels: Record<string, string>): Choice[] =>
  Object.entries(labels).map(([value, label]) => ({ value, label }));

/** Data, model and training: the whole run config but its name. */
export function RunEditor(props: { state: FormState; datasets: DatasetInfo[] }) {
  const { state } = props;
  return (
    <>
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
        <EditorNetwork values={state.values} datasets={props.datasets} />
      </section>
      <TrainingSection state={state} />
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
      <SchedulerPicker state={state} />
      <SchedulerFields state={state} />
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
      <RadioGroup
        state={state}
        name={CLIP_TYPE_FIELD}
        legend="Gradient clipping"
        choices={CLIP_CHOICES}
      />
      <div class="row">
        <NumberField
          state={state}
          name="gradientClipping.maxNorm"
          label="Max norm"
          help="By norm: all gradients scaled so their global norm is at most this (clip_grad_norm_)."
        />
        <TextField
          state={state}
          name="gradientClipping.normType"
          label="Norm type"
          help="By norm: p of the p-norm, 2 for Euclidean, or inf."
        />
        <NumberField
          state={state}
          name="gradientClipping.clipValue"
          label="Clip value"
          help="By value: each gradient clamped to ±this (clip_grad_value_)."
        />
      </div>
      <RadioGroup
        state={state}
        name={EARLY_STOPPING_FIELD}
        legend="Early stopping"
        choices={choicesOf(EARLY_STOPPING_LABELS)}
      />
      <div class="row">
        <SelectField
          state={state}
          name="earlyStopping.metric"
          label="Watch"
          choices={choicesOf(EARLY_STOPPING_METRIC_LABELS)}
        />
        <SelectField
          state={state}
          name="earlyStopping.mode"
          label="Better when"
          choices={choicesOf(EARLY_STOPPING_MODE_LABELS)}
        />
        <NumberField
          state={state}
          name="earlyStopping.patience"
          label="Patience (epochs)"
          help="Stops after this many epochs in a row without an improvement."
          integer
        />
        <NumberField
          state={state}
          name="earlyStopping.minDelta"
          label="Min delta"
          help="An improvement must beat the best by more than this."
        />
        <CheckboxField
          state={state}
          name="earlyStopping.restoreBest"
          label="Restore best weights"
          help="Test metrics and the weights download are then the best epoch's."
        />
      </div>
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
        <CheckboxField
          state={state}
          name="layerStats"
          label="Layer statistics"
          help="Each epoch: activations, dead units, gradient and weight norms per layer."
        />
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
