/**
 * The study page's Rename and Delete (`views/studies/study_admin_actions.tsx`): each form as a
 * page of its own (`GET`) and its post. A refused post answers with
 * the form again and the reason in it: 400 for a bad or taken name, 409 while a worker is on
 * the study. Done, a rename goes back to the study and a delete to the list.
 *
 * @module
 */

import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { toIssues } from "../../config/issues.ts";
import { studyRenameSchema } from "../../config/study_schema.ts";
import type { Db } from "../../db/client.ts";
import { deleteStudy, renameStudy, StudyBusy, StudyNameTaken } from "../../db/study_admin.ts";
import type { StudyRow } from "../../db/studies.ts";
import { LibsqlStorage } from "../../db/tuner_storage.ts";
import {
  type AdminStudy,
  DeleteStudyPage,
  RenameStudyPage,
} from "../../views/studies/study_admin_actions.tsx";
import type { AppContext } from "../context.ts";
import { readFormFields } from "../shell/form_body.ts";
import { findStudy } from "./final_run_data.ts";

/** What the forms show of study `row`. */
export async function adminStudy(db: Db, row: StudyRow): Promise<AdminStudy> {
  const trials = await new LibsqlStorage(db).getAllTrials(row.id);
  return { id: row.id, name: row.name, trials: trials.length, active: row.active };
}

/** Deleted by someone else between reading the study and writing to it. */
function gone(id: number): HTTPException {
  return new HTTPException(404, { message: `Study ${id} does not exist` });
}

export function studyAdminPages(ctx: AppContext): Hono {
  const { db } = ctx;
  const load = async (raw: string) => await adminStudy(db, await findStudy(db, raw));

  return new Hono()
    .get(
      "/:id/rename",
      async (c) => c.html(<RenameStudyPage study={await load(c.req.param("id"))} />),
    )
    .post("/:id/rename", async (c) => {
      const study = await load(c.req.param("id"));
      const name = (await readFormFields(c)).name ?? "";
      const refused = (message: string, status: 400 | 409) =>
        c.html(
          <RenameStudyPage
            study={study}
            state={{ values: { name }, issues: [{ path: "name", message }] }}
          />,
          status,
        );
      const parsed = studyRenameSchema.safeParse({ name });
      if (!parsed.success) return refused(toIssues(parsed.error)[0].message, 400);
      let renamed: StudyRow | undefined;
      try {
        renamed = await renameStudy(db, study.id, parsed.data.name);
      } catch (error) {
        if (error instanceof StudyNameTaken) return refused(error.message, 400);
        if (error instanceof StudyBusy) return refused(error.message, 409);
        throw error;
      }
      if (!renamed) throw gone(study.id);
      return c.redirect(`/studies/${study.id}`, 303);
    })
    .get(
      "/:id/delete",
      async (c) => c.html(<DeleteStudyPage study={await load(c.req.param("id"))} />),
    )
    .post("/:id/delete", async (c) => {
      const study = await load(c.req.param("id"));
      try {
        if (!await deleteStudy(db, study.id)) throw gone(study.id);
      } catch (error) {
        if (!(error instanceof StudyBusy)) throw error;
        return c.html(<DeleteStudyPage study={study} refusal={error.message} />, 409);
      }
      return c.redirect("/studies", 303);
    });
}
