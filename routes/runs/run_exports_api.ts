/**
 * `/api/runs/:id/pytorch.py` and `/api/runs/:id/model.onnx`: a run taken back to PyTorch code,
 * and its trained model as ONNX (`export/`).
 *
 * @module
 */

import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { getRun, getWeights } from "../../db/runs.ts";
import type { RunConfig } from "../../engine/spec.ts";
import type { TestRecord } from "../../engine/train.ts";
import { runOnnxModel } from "../../export/onnx_model.ts";
import { pytorchScript } from "../../export/pytorch_script.ts";
import type { AppContext } from "../context.ts";
import { parseRunId } from "../shell/params.ts";

export function runExportsApi(ctx: AppContext): Hono {
  const { db } = ctx;
  const findRun = async (raw: string) => {
    const id = parseRunId(raw);
    const run = await getRun(db, id);
    if (!run) throw new HTTPException(404, { message: `Run ${id} does not exist` });
    return run;
  };
  return new Hono()
    .get("/:id/pytorch.py", async (c) => {
      const run = await findRun(c.req.param("id"));
      const fileName = `ajuste-run-${run.id}.py`;
      const script = pytorchScript({
        id: run.id,
        config: run.config as RunConfig,
        test: run.test as TestRecord | null,
      }, fileName);
      return c.body(script, 200, {
        "Content-Type": "text/x-python; charset=utf-8",
        "Content-Disposition": `attachment; filename="${fileName}"`,
      });
    })
    .get("/:id/model.onnx", async (c) => {
      const run = await findRun(c.req.param("id"));
      const safetensors = await getWeights(db, run.id);
      if (!safetensors) {
        throw new HTTPException(404, {
          message: `Run ${run.id} has no stored weights (only completed runs do)`,
        });
      }
      const onnx = runOnnxModel({
        id: run.id,
        config: run.config as RunConfig,
        safetensors,
        version: ctx.version,
      });
      return c.body(onnx.slice().buffer, 200, {
        "Content-Length": String(onnx.byteLength),
        "Content-Type": "application/octet-stream",
        "Content-Disposition": `attachment; filename="ajuste-run-${run.id}.onnx"`,
      });
    });
}
