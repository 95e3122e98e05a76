/**
 * `/api/studies/:id` as a thing to manage: its trials as a table (`trials.csv`, `trials.json`,
 * Optuna's `trials_dataframe()` columns), a new name (`PATCH`), deletion (`DELETE`). Both writes
 * are refused with 409 while a worker is on the study (`db/study_admin.ts` says why).
 *
 * @module
 */

import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { badRequestBody, toIssues } from "../../config/issues.ts";
import { studyRenameSchema } from "../../config/study_schema.ts";
import { deleteStudy, renameStudy, StudyBusy, StudyNameTaken } from "../../db/study_admin.ts";
import { studyTrialsTable, trialsCsv } from "../../db/study_export.ts";
import type { AppContext } from "../context.ts";
import { readJsonBody } from "../shell/json_body.ts";
import { parseRunId } from "../shell/params.ts";
import { findStudy } from "./final_run_data.ts";

export function studyAdminApi(ctx: AppContext): Hono {
  const { db } = ctx;
  return new Hono()
    .get("/:id/trials.csv", async (c) => {
      const study = await findStudy(db, c.req.param("id"));
      const csv = trialsCsv(await studyTrialsTable(db, study.id));
      return c.body(csv, 200, {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": attachment(`${study.name}-trials.csv`),
      });
    })
    .get("/:id/trials.json", async (c) => {
      const study = await findStudy(db, c.req.param("id"));
      return c.json((await studyTrialsTable(db, study.id)).rows);
    })
    .patch("/:id", async (c) => {
      const id = parseRunId(c.req.param("id"), "Study id");
      const parsed = studyRenameSchema.safeParse(await readJsonBody(c));
      if (!parsed.success) {
        return c.json(badRequestBody(toIssues(parsed.error), "Invalid study name"), 400);
      }
      const study = await adminWrite(() => renameStudy(db, id, parsed.data.name), id);
      return c.json({ id: study.id, name: study.name });
    })
    .delete("/:id", async (c) => {
      const id = parseRunId(c.req.param("id"), "Study id");
      const deleted = await adminWrite(() => deleteStudy(db, id), id);
      return c.json({
        id: deleted.study.id,
        name: deleted.study.name,
        trials: deleted.trials,
        runs: deleted.runs,
      });
    });
}

/**
 * Runs a rename or delete, turning its refusals into HTTP errors: 404 for no such study, 409
 * while a worker is on it, 400 naming the field for a taken name.
 */
export async function adminWrite<T>(write: () => Promise<T | undefined>, id: number): Promise<T> {
  let result: T | undefined;
  try {
    result = await write();
  } catch (error) {
    if (error instanceof StudyBusy) throw new HTTPException(409, { message: error.message });
    if (error instanceof StudyNameTaken) {
      throw new HTTPException(400, {
        message: error.message,
        cause: [{ path: "name", message: error.message }],
      });
    }
    throw error;
  }
  if (result === undefined) throw new HTTPException(404, { message: `Study ${id} does not exist` });
  return result;
}

/** A Content-Disposition naming the download; the UTF-8 form keeps any study name intact. */
function attachment(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}
