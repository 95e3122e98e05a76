/**
 * `/api/studies/:id/optuna.py`: a study as an Optuna script in PyTorch (`export/optuna_script.ts`).
 *
 * @module
 */

import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { optunaScript, StudyScriptError } from "../../export/optuna_script.ts";
import type { AppContext } from "../context.ts";
import { findStudy } from "./final_run_data.ts";

export function studyScriptApi(ctx: AppContext): Hono {
  return new Hono().get("/:id/optuna.py", async (c) => {
    const study = await findStudy(ctx.db, c.req.param("id"));
    const fileName = `ajuste-study-${study.id}.py`;
    let script: string;
    try {
      script = optunaScript({ id: study.id, name: study.name, spec: study.spec }, fileName);
    } catch (error) {
      if (!(error instanceof StudyScriptError)) throw error;
      throw new HTTPException(409, { message: error.message });
    }
    return c.body(script, 200, {
      "Content-Type": "text/x-python; charset=utf-8",
      "Content-Disposition": `attachment; filename="${fileName}"`,
    });
  });
}
