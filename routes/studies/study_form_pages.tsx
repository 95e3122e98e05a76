/**
 * `/studies/new`: the new-study form, its htmx fragments, and starting the study. Every path
 * validates with the same schema as the API and the CLI (`parseStudySpec`), then checks the base
 * run against the datasets here; a start with problems re-renders the form with each message
 * beside its field and writes nothing.
 *
 * @module
 */

import { Hono } from "hono";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Issue } from "../../config/issues.ts";
import { parseStudySpec, type StudySpec } from "../../config/study_schema.ts";
import { getStudyById, getStudyByName } from "../../db/studies.ts";
import { type DatasetInfo, describeDatasets } from "../../engine/data/load.ts";
import type { FormState } from "../../views/shell/form_fields.tsx";
import { STUDY_FILE_ID, StudyFilePreview } from "../../views/studies/study_file_preview.tsx";
import {
  applySpaceAction,
  defaultStudyValues,
  fieldForIssue,
  formIssues,
  type FormValues,
  paramCount,
  refreshRows,
  rowIssueField,
  SPACE_ACTION_FIELD,
  SPACE_FIELD,
  specToValues,
  valuesToStudyInput,
} from "../../views/studies/study_form_state.ts";
import type { SummaryIssue } from "../../views/shell/form_fields.tsx";
import { NewStudyForm, NewStudyPage } from "../../views/studies/study_new_page.tsx";
import { SpaceEditor } from "../../views/studies/study_space_editor.tsx";
import type { AppContext } from "../context.ts";
import { studyIssues } from "../shell/admit.ts";
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

/**
 * Validates the form as a start would: the study schema, the form's own rules, then what this
 * server would refuse (datasets, and memory at the search space's worst case).
 */
async function evaluate(
  ctx: AppContext,
  values: FormValues,
  datasets: DatasetInfo[],
  extra: Issue[] = [],
): Promise<Evaluation> {
  const input = valuesToStudyInput(values);
  const parsed = parseStudySpec(input);
  const found = parsed.ok ? await studyIssues(ctx, parsed.spec, datasets) : parsed.issues;
  const all = [...found, ...formIssues(values), ...extra];
  const summary = all.map((issue) => ({
    label: issue.path,
    field: fieldForIssue(issue.path, values),
    message: issue.message,
  }));
  const issues = summary.map(({ field, message }) => ({ path: field, message }));
  return { input, spec: parsed.ok && all.length === 0 ? parsed.spec : undefined, issues, summary };
}

/** The issues the space editor shows: about the space as a whole, or about one of its rows. */
function spaceIssues(issues: Issue[], values: FormValues): Issue[] {
  const rows = Array.from({ length: paramCount(values) }, (_, i) => rowIssueField(i));
  const inside = (path: string, field: string) => path === field || path.startsWith(`${field}.`);
  return issues.filter((issue) =>
    inside(issue.path, SPACE_FIELD) || rows.some((row) => inside(issue.path, row))
  );
}

export function studyFormRoutes(ctx: AppContext): Hono {
  const datasets = () => describeDatasets(ctx.datasetRoots);

  /** A study of this name exists already: starting would join it instead of starting anew. */
  const nameTaken = async (values: FormValues): Promise<Issue[]> => {
    const taken = await getStudyByName(ctx.db, values.name?.trim() ?? "");
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
    // Before a start, only the space rows show their problems (as `/new/space` draws them).
    const shown = options.showIssues
      ? evaluation
      : { issues: spaceIssues(evaluation.issues, values), summary: [] };
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

  return new Hono()
    .get("/new", async (c) => {
      const from = c.req.query("from");
      if (from === undefined) {
        return page(c, { ...defaultStudyValues(), name: await freeName("mnist-lr") });
      }
      const id = parseRunId(from, "Study id");
      const study = await getStudyById(ctx.db, id);
      if (!study) throw new HTTPException(404, { message: `Study ${id} does not exist` });
      return page(c, { ...specToValues(study.spec), name: await freeName(study.name) }, {
        notice: `Filled in from study "${study.name}": edit anything, then start it.`,
      });
    })
    .post("/new", async (c) => {
      const posted = await readFormFields(c);
      const action = posted[SPACE_ACTION_FIELD];
      delete posted[SPACE_ACTION_FIELD];
      if (action !== undefined) return page(c, applySpaceAction(posted, action));
      const { values, changed } = refreshRows(posted);
      if (changed.length > 0 || values.refresh !== undefined) {
        delete values.refresh;
        return page(c, values, {
          notice: changed.length
            ? `Redrew the rows of ${changed.join(", ")}: check their ranges, then start.`
            : undefined,
        });
      }
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
      const values = await readFormFields(c);
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
    })
    .post("/new/space", async (c) => {
      const posted = await readFormFields(c);
      const action = posted[SPACE_ACTION_FIELD];
      delete posted[SPACE_ACTION_FIELD];
      const values = refreshRows(action ? applySpaceAction(posted, action) : posted).values;
      const { input, issues } = await evaluate(ctx, values, await datasets());
      // The rows show their problems as soon as they are drawn (a path the base cannot take,
      // such as momentum with Adam); the rest of the form keeps its own until it is validated.
      const state: FormState = { values, issues: spaceIssues(issues, values) };
      return c.html(
        <>
          <SpaceEditor state={state} />
          <hx-partial hx-target={`#${STUDY_FILE_ID}`} hx-swap="outerHTML">
            <StudyFilePreview input={input} problems={issues.length} />
          </hx-partial>
        </>,
      );
    });
}
