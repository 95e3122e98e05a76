/**
 * `/runs/new`: the new-run form, its htmx fragments, and launching. Every path validates with
 * the same zod schema as the API (`parseRunConfig`); a launch with problems re-renders the form
 * with each message beside its field and writes nothing.
 *
 * @module
 */

import { Hono } from "hono";
import type { Context } from "hono";
import type { Issue } from "../../config/issues.ts";
import { OPTIMIZER_TYPES } from "../../config/optimizer_schema.ts";
import { defaultRunConfig, parseRunConfig } from "../../config/schema.ts";
import { describeDatasets } from "../../engine/data/load.ts";
import type { DatasetInfo } from "../../engine/data/load.ts";
import type { OptimizerType } from "../../engine/spec.ts";
import {
  ConfigPreview,
  PREVIEW_ID,
  type PreviewProps,
} from "../../views/run_editor/config_preview.tsx";
import type { FormState } from "../../views/shell/form_fields.tsx";
import { fieldLabel } from "../../views/run_editor/field_labels.ts";
import { LayerEditor } from "../../views/run_editor/layer_editor.tsx";
import { EDITOR_NETWORK_ID, EditorNetwork } from "../../views/network/editor_network.tsx";
import {
  NewRunForm,
  NewRunPage,
  type NewRunProps,
  outputNote,
} from "../../views/runs/new_run_page.tsx";
import { OPTIMIZER_CHOICES, OptimizerFields } from "../../views/run_editor/optimizer_fields.tsx";
import { SchedulerFields } from "../../views/run_editor/scheduler_fields.tsx";
import { schedulerSwitched, switchScheduler } from "../../views/run_editor/scheduler_form.ts";
import {
  applyLayerAction,
  configToValues,
  DATASET_OTHER_FIELD,
  decodeShareConfig,
  type FormValues,
  LAYER_ACTION_FIELD,
  OTHER_DATASET,
  SHOWN_OPTIMIZER_FIELD,
  switchOptimizer,
  valuesToInput,
} from "../../views/run_editor/run_form_state.ts";
import type { AppContext } from "../context.ts";
import { checkRunInput } from "../shell/admit.ts";
import { readFormFields } from "../shell/form_body.ts";
import { applyDevChoice, finalRunOf, finalRunValues } from "./final_run_form.ts";

interface Evaluation {
  issues: Issue[];
  preview: PreviewProps;
}

/**
 * Validates the form as a launch would: the schema and, beside it, what this server would refuse
 * (the dataset's limits, memory), so one submit names every problem and a model too large to
 * train is named while it is being built.
 */
async function evaluate(
  ctx: AppContext,
  values: FormValues,
  datasets: DatasetInfo[],
): Promise<Evaluation> {
  const input = valuesToInput(values);
  const checked = await checkRunInput(ctx, input, datasets);
  if (checked.ok) return { issues: [], preview: { valid: true, config: checked.config } };
  const issues = checked.issues.map((issue) => ({ ...issue, path: fieldOf(issue.path, values) }));
  const preview: PreviewProps = { valid: false, input, problems: issues.length };
  return { issues, preview };
}

/** The form field an issue belongs to: a typed-in dataset's problem goes under its text box. */
function fieldOf(path: string, values: FormValues): string {
  return path === "data.dataset" && values["data.dataset"] === OTHER_DATASET
    ? DATASET_OTHER_FIELD
    : path;
}

function isOptimizerType(type: string | undefined): type is OptimizerType {
  return (OPTIMIZER_TYPES as readonly (string | undefined)[]).includes(type);
}

export function runFormRoutes(ctx: AppContext): Hono {
  const datasets = () => describeDatasets(ctx.datasetRoots);

  const page = async (c: Context, values: FormValues, options: {
    issues?: Issue[];
    notice?: string;
    status?: 200 | 422;
  } = {}) => {
    const infos = await datasets();
    const { preview } = await evaluate(ctx, values, infos);
    const state: FormState = { values, issues: options.issues ?? [] };
    const final = await finalRunOf(ctx, values);
    const props: NewRunProps = { state, datasets: infos, preview, notice: options.notice, final };
    return c.html(<NewRunPage {...props} />, options.status ?? 200);
  };

  return new Hono()
    .get("/new", async (c) => {
      const study = c.req.query("study");
      if (study !== undefined) return page(c, await finalRunValues(ctx, study));
      const shared = c.req.query("config");
      if (shared === undefined) return page(c, configToValues(defaultRunConfig()));
      let notice: string;
      try {
        const parsed = parseRunConfig(decodeShareConfig(shared));
        if (parsed.ok) {
          return page(c, configToValues(parsed.config), {
            notice: "Filled in from a shared config: edit anything, then launch.",
          });
        }
        const problems = parsed.issues.map((issue) =>
          `${fieldLabel(issue.path)}: ${issue.message}`
        );
        notice = `The shared config is not valid (${problems.join("; ")}); ` +
          `showing the defaults instead.`;
      } catch (error) {
        notice = `${(error as Error).message}; showing the defaults instead.`;
      }
      return page(c, configToValues(defaultRunConfig()), { notice });
    })
    .post("/new", async (c) => {
      let values = await readFormFields(c);
      const layerAction = values[LAYER_ACTION_FIELD];
      if (layerAction !== undefined) {
        delete values[LAYER_ACTION_FIELD];
        return page(c, applyLayerAction(values, layerAction));
      }
      const type = values["optimizer.type"];
      const switched = isOptimizerType(type) && type !== values[SHOWN_OPTIMIZER_FIELD];
      if (switched) values = switchOptimizer(values, type);
      const schedulerChanged = schedulerSwitched(values);
      if (schedulerChanged) values = switchScheduler(values, values["scheduler.type"]);
      if (switched || schedulerChanged || values.refresh !== undefined) {
        delete values.refresh;
        const label = OPTIMIZER_CHOICES.find((choice) => choice.value === type)?.label ?? type;
        return page(c, values, {
          notice: switched
            ? `Showing ${label}'s fields with PyTorch's defaults: check them, then launch.`
            : undefined,
        });
      }
      const final = await finalRunOf(ctx, values);
      if (final && applyDevChoice(values, final)) {
        return page(c, values, {
          notice: "The split now says where dev goes: check it, then launch.",
        });
      }
      const infos = await datasets();
      const { issues, preview } = await evaluate(ctx, values, infos);
      if (!preview.valid) return page(c, values, { issues, status: 422 });
      const id = final
        ? await ctx.service.createFinal(preview.config, {
          studyId: final.studyId,
          trialNumber: final.trialNumber,
        })
        : await ctx.service.create(preview.config);
      return c.redirect(`/runs/${id}`, 303);
    })
    .post("/new/validate", async (c) => {
      const values = await readFormFields(c);
      const final = await finalRunOf(ctx, values);
      if (final) applyDevChoice(values, final);
      const infos = await datasets();
      const { issues, preview } = await evaluate(ctx, values, infos);
      return c.html(
        <NewRunForm
          state={{ values, issues }}
          datasets={infos}
          preview={preview}
          final={final}
        />,
      );
    })
    .post("/new/layers", async (c) => {
      const posted = await readFormFields(c);
      const action = posted[LAYER_ACTION_FIELD] ?? "";
      delete posted[LAYER_ACTION_FIELD];
      const values = applyLayerAction(posted, action);
      const infos = await datasets();
      const { preview } = await evaluate(ctx, values, infos);
      return c.html(
        <>
          <LayerEditor
            state={{ values, issues: [] }}
            outputNote={outputNote(values, infos)}
          />
          <PreviewPartial preview={preview} />
          <hx-partial hx-target={`#${EDITOR_NETWORK_ID}`} hx-swap="outerHTML">
            <EditorNetwork values={values} datasets={infos} />
          </hx-partial>
        </>,
      );
    })
    .post("/new/scheduler", async (c) => {
      const posted = await readFormFields(c);
      const values = switchScheduler(posted, posted["scheduler.type"] ?? "");
      const { preview } = await evaluate(ctx, values, await datasets());
      return c.html(
        <>
          <SchedulerFields state={{ values, issues: [] }} />
          <PreviewPartial preview={preview} />
        </>,
      );
    })
    .post("/new/optimizer", async (c) => {
      let values = await readFormFields(c);
      const type = values["optimizer.type"];
      if (isOptimizerType(type)) values = switchOptimizer(values, type);
      const { preview } = await evaluate(ctx, values, await datasets());
      return c.html(
        <>
          <OptimizerFields state={{ values, issues: [] }} />
          <PreviewPartial preview={preview} />
        </>,
      );
    });
}

function PreviewPartial(props: { preview: PreviewProps }) {
  return (
    <hx-partial hx-target={`#${PREVIEW_ID}`} hx-swap="outerHTML">
      <ConfigPreview {...props.preview} />
    </hx-partial>
  );
}
