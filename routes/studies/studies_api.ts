/**
 * `/api/studies`: create (or join) a study from a study file, follow its trials, stop it, train
 * its final model (`config/final_run.ts`); export, rename and delete it (`study_admin_api.ts`).
 *
 * @module
 */

import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { finalRunConfig, finalRunOptionsSchema } from "../../config/final_run.ts";
import { badRequestBody, toIssues } from "../../config/issues.ts";
import { parseStudySpec } from "../../config/study_schema.ts";
import { listStudies, StudyConflict, type StudyRow } from "../../db/studies.ts";
import { getRun } from "../../db/runs.ts";
import { runJson } from "../runs/run_json.ts";
import { runIssues, studyIssues } from "../shell/admit.ts";
import type { AppContext } from "../context.ts";
import { readJsonBody, readOptionalJsonBody } from "../shell/json_body.ts";
import { bestTrialOf, findStudy } from "./final_run_data.ts";
import { loadStudyStatus } from "./study_view_data.ts";
import { notActive } from "./study_pages.tsx";
import { studyScriptApi } from "./study_script_api.ts";
import { studyAdminApi } from "./study_admin_api.ts";

/** How often a study stream looks for trials that changed (any worker, any process). */
const POLL_MS = 1000;

export function studiesApi(ctx: AppContext): Hono {
  const { db, studies } = ctx;
  const find = (raw: string) => findStudy(db, raw);

  /** The study as `GET /api/studies/:id` answers: its trials report, file and state. */
  const studyState = async (study: StudyRow) => {
    const { report, status, active } = await loadStudyStatus(db, study);
    // `study` (the name, as `deno task tune --json` prints it) is kept beside `name`.
    return { ...report, name: study.name, status, spec: study.spec, active };
  };

  return new Hono()
    .post("/", async (c) => {
      const parsed = parseStudySpec(await readJsonBody(c));
      if (!parsed.ok) return c.json(badRequestBody(parsed.issues, "Invalid study"), 400);
      const failing = await studyIssues(ctx, parsed.spec);
      if (failing.length) return c.json(badRequestBody(failing, "Invalid study"), 400);
      try {
        const { study, created } = await studies.start(parsed.spec);
        // Joining the same study again (another worker's file, a retried request) is no error.
        return c.json({ id: study.id, name: study.name }, created ? 201 : 200, {
          Location: `/api/studies/${study.id}`,
        });
      } catch (error) {
        if (!(error instanceof StudyConflict)) throw error;
        return c.json({ error: error.message, fields: error.fields }, 409);
      }
    })
    .get("/", async (c) => c.json({ studies: await listStudies(db) }))
    .route("/", studyAdminApi(ctx))
    .get("/:id", async (c) => c.json(await studyState(await find(c.req.param("id")))))
    .post("/:id/train-best", async (c) => {
      const study = await find(c.req.param("id"));
      const options = finalRunOptionsSchema.safeParse(await readOptionalJsonBody(c));
      if (!options.success) {
        return c.json(badRequestBody(toIssues(options.error), "Invalid train-best options"), 400);
      }
      const best = await bestTrialOf(db, study);
      const config = finalRunConfig(study.spec, study.name, best, options.data);
      const issues = await runIssues(ctx, config);
      if (issues.length) return c.json(badRequestBody(issues), 400);
      const id = await ctx.service.createFinal(config, {
        studyId: study.id,
        trialNumber: best.number,
      });
      const run = await getRun(db, id);
      return c.json(run && runJson(run), 201, { Location: `/api/runs/${id}` });
    })
    .post("/:id/stop", async (c) => {
      const study = await find(c.req.param("id"));
      if (!await studies.stop(study.id)) throw notActive(study.name);
      return c.json(await studyState(study));
    })
    .get("/:id/events", async (c) => {
      const study = await find(c.req.param("id"));
      return streamSSE(c, async (stream) => {
        let closed = false;
        stream.onAbort(() => {
          closed = true;
        });
        const seen = new Map<number, string>();
        while (!closed) {
          const { report, status } = await loadStudyStatus(db, study);
          for (const trial of report.trials) {
            const key = `${trial.state}:${trial.value}:${trial.intermediateValues.length}`;
            if (seen.get(trial.number) === key) continue;
            seen.set(trial.number, key);
            await stream.writeSSE({
              event: "trial",
              id: String(trial.number),
              data: JSON.stringify(trial),
            });
          }
          // Over only when the budget is spent with nothing left to run; re-queued trials (a
          // stop, a dead worker) do not count toward it.
          if (status === "completed" || status === "ended") {
            await stream.writeSSE({
              event: "done",
              data: JSON.stringify({ bestValue: report.bestValue, bestParams: report.bestParams }),
            });
            return;
          }
          await stream.sleep(POLL_MS);
        }
      });
    })
    .route("/", studyScriptApi(ctx));
}
