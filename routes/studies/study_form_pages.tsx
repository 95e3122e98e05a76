/**
 * `/studies/new`: the new-study form and starting the study. Every path validates with the same
 * schema as the API and the CLI (`parseStudySpec`, through `checkStudyInput`, which adds what
 * this server would refuse of the datasets and memory in the same pass); a start with problems
 * re-renders the form with each message beside its field and writes nothing.
 *
 * The form opens empty (a search over the learning rate), from a study ("Edit as new study":
 * `?from=<study id>`, its file exactly) or from a run ("Tune from this run": `?run=<run id>`, its
 * config as the base).
 *
 * @module
 */

import { Hono } from "hono";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Issue } from "../../config/issues.ts";
import type { StudySpec } from "../../config/study_schema.ts";
import { getRun } from "../../db/runs.ts";
import { getStudyById, getStudyByName } from "../../db/studies.ts";
import { type DatasetInfo, describeDatasets } from "../../engine/data/load.ts";
import type { SummaryIssue } from "../../views/shell/form_fields.tsx";
import { NewStudyPage } from "../../views/studies/study_new_page.tsx";
import { NewStudyForm } from "../../views/studies/study_new_page.tsx";
import {
  applyFormAction,
  defaultStudyValues,
  type FormValues,
  SPACE_ACTION_FIELD,
  specToValues,
  STUDY_PREFIX,
  tuneRunValues,
  valuesToStudyInput,
} from "../../views/studies/study_form_state.ts";
import { fieldForIssue, formIssues, issueLabel } from "../../views/studies/study_form_issues.ts";
import { LAYER_ACTION_FIELD } from "../../views/run_editor/run_form_state.ts";
import type { AppContext } from "../context.ts";
import { checkStudyInput } from "../shell/admit.ts";
import { readFormFields } from "../shell/form_body.ts";
import { parseRunId } from "../shell/params.ts";

interface Evaluation {
  input: Record<string, unknown>;
  /** Present when the form has no problem at all. */
  spec?: StudySpec;
  /** Issues with their path moved to the field that shows them. */
  issues: Issue[];
  summary: SummaryIssue[];
}

/** The schema, what this server would refuse, and the form's own rules, in one pass. */
async function evaluate(
  ctx: AppContext,
  values: FormValues,
  datasets: DatasetInfo[],
  extra: Issue[] = [],
): Promise<Evaluation> {
  const input = valuesToStudyInput(values);
  const checked = await checkStudyInput(ctx, input, datasets);
  const all = [...(checked.ok ? [] : checked.issues), ...formIssues(values), ...extra];
  const summary = all.map((issue) => ({
    label: issueLabel(issue.path),
    field: fieldForIssue(issue.path, values),
    message: issue.message,
  }));
  const issues = summary.map(({ field, message }) => ({ path: field, message }));
  return {
    input,
    spec: checked.ok && all.length === 0 ? checked.spec : undefined,
    issues,
    summary,
  };
}

/** The posted form with its buttons applied: a space or layer button, a switched optimizer. */
function edited(posted: FormValues): { values: FormValues; redraw: boolean } {
  const action = posted[SPACE_ACTION_FIELD];
  const layerAction = posted[LAYER_ACTION_FIELD];
  const redraw = action !== undefined || layerAction !== undefined || posted.refresh !== undefined;
  const values = { ...posted };
  delete values[SPACE_ACTION_FIELD];
  delete values[LAYER_ACTION_FIELD];
  delete values.refresh;
  return { values: applyFormAction(values, action, layerAction), redraw };
}

export function studyFormRoutes(ctx: AppContext): Hono {
  const datasets = () => describeDatasets(ctx.datasetRoots);

  /** A study of this name exists already: starting would join it instead of starting anew. */
  const nameTaken = async (values: FormValues): Promise<Issue[]> => {
    const taken = await getStudyByName(ctx.db, values[`${STUDY_PREFIX}name`]?.trim() ?? "");
    if (!taken) return [];
    return [{
      path: "name",
      message: `Study name "${taken.name}" is taken by study #${taken.id}; pick another name`,
    }];
  };

  /** `wanted`, or `wanted-2`, `wanted-3`…: the first name no study has. */
  const freeName = async (wanted: string) => {
    let name = wanted;
    for (let n = 2; await getStudyByName(ctx.db, name); n++) name = `${wanted}-${n}`;
    return name;
  };

  const page = async (c: Context, values: FormValues, options: {
    notice?: string;
    /** Problems found outside the form (the name is taken); shown with the form's own. */
    extra?: Issue[];
    /** Show problems (after a start); otherwise only the preview counts them. */
    showIssues?: boolean;
    status?: 200 | 422;
  } = {}) => {
    const infos = await datasets();
    const evaluation = await evaluate(ctx, values, infos, options.extra);
    const shown = options.showIssues ? evaluation : { issues: [], summary: [] };
    return c.html(
      <NewStudyPage
        state={{ values, issues: shown.issues }}
        summary={shown.summary}
        datasets={infos}
        preview={{ input: evaluation.input, problems: evaluation.issues.length }}
        notice={options.notice}
      />,
      options.status ?? 200,
    );
  };

  const named = async (values: FormValues, wanted: string) => ({
    ...values,
    [`${STUDY_PREFIX}name`]: await freeName(wanted.slice(0, 90)),
  });

  return new Hono()
    .get("/new", async (c) => {
      const from = c.req.query("from");
      const run = c.req.query("run");
      if (from !== undefined) {
        const id = parseRunId(from, "Study id");
        const study = await getStudyById(ctx.db, id);
        if (!study) throw new HTTPException(404, { message: `Study ${id} does not exist` });
        return page(c, await named(specToValues(study.spec), study.name), {
          notice: `Filled in from study "${study.name}": edit anything, then start it.`,
        });
      }
      if (run !== undefined) {
        const id = parseRunId(run, "Run id");
        const found = await getRun(ctx.db, id);
        if (!found) throw new HTTPException(404, { message: `Run ${id} does not exist` });
        return page(c, await named(tuneRunValues(found.config), `${found.name}-tune`), {
          notice: `The base is run #${id} ("${found.name}"): tick "search" beside each field ` +
            `to tune, then start.`,
        });
      }
      return page(c, await named(defaultStudyValues(), "mnist-lr"));
    })
    .post("/new", async (c) => {
      const { values, redraw } = edited(await readFormFields(c));
      if (redraw) return page(c, values);
      const extra = await nameTaken(values);
      const { spec } = await evaluate(ctx, values, await datasets(), extra);
      if (!spec) return page(c, values, { extra, showIssues: true, status: 422 });
      try {
        const { study } = await ctx.studies.start(spec);
        return c.redirect(`/studies/${study.id}`, 303);
      } catch (error) {
        const extra = [{ path: "name", message: (error as Error).message }];
        return page(c, values, { extra, showIssues: true, status: 422 });
      }
    })
    .post("/new/validate", async (c) => {
      const { values } = edited(await readFormFields(c));
      const infos = await datasets();
      const { input, issues, summary } = await evaluate(
        ctx,
        values,
        infos,
        await nameTaken(values),
      );
      return c.html(
        <NewStudyForm
          state={{ values, issues }}
          summary={summary}
          datasets={infos}
          preview={{ input, problems: issues.length }}
        />,
      );
    });
}
