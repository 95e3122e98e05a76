/**
 * `/api/runs`: create, list, inspect, cancel and continue runs; download their weights, as
 * safetensors or ONNX, and their config as a PyTorch script.
 *
 * @module
 */

import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { badRequestBody } from "../../config/issues.ts";
import { parseRunConfig } from "../../config/schema.ts";
import { countRuns, getRun, getWeights, listRuns, type RunFilter } from "../../db/runs.ts";
import { runIssues } from "../shell/admit.ts";
import type { AppContext } from "../context.ts";
import { parseRunId } from "../shell/params.ts";
import { readJsonBody } from "../shell/json_body.ts";
import { queryInteger, queryStatus, queryTrials } from "./run_query.ts";
import { runJson } from "./run_json.ts";
import { continueRun } from "./continue_run.ts";
import { predictApi } from "./predict_api.ts";
import { runExportsApi } from "./run_exports_api.ts";

export function runsApi(ctx: AppContext): Hono {
  const { db, service } = ctx;
  return new Hono()
    .post("/", async (c) => {
      const parsed = parseRunConfig(await readJsonBody(c));
      if (!parsed.ok) return c.json(badRequestBody(parsed.issues), 400);
      // What the data pipeline or the memory would refuse at start (a split without test for a
      // dataset without a test set, sizes over the dataset's, a model too large to hold): 400
      // now rather than a run that fails, or takes the machine down.
      const issues = await runIssues(ctx, parsed.config);
      if (issues.length) return c.json(badRequestBody(issues), 400);
      const id = await service.create(parsed.config);
      return c.json({ id }, 201, { Location: `/api/runs/${id}` });
    })
    .get("/", async (c) => {
      const sort = c.req.query("sort");
      if (sort !== undefined && sort !== "created" && sort !== "devAccuracy") {
        throw new HTTPException(400, {
          message: `Sort must be "created" or "devAccuracy", got ${JSON.stringify(sort)}`,
        });
      }
      const limit = queryInteger(c.req.query("limit"), "Limit", 1, MAX_LIST, DEFAULT_LIST);
      const offset = queryInteger(c.req.query("offset"), "Offset", 0, Number.MAX_SAFE_INTEGER, 0);
      const filter: RunFilter = {
        status: queryStatus(c.req.query("status")),
        dataset: c.req.query("dataset"),
        // Trial runs are listed unless told otherwise, as before the runs page hid them.
        trials: queryTrials(c.req.query("trials"), "include"),
      };
      const [runs, total] = await Promise.all([
        listRuns(db, { ...filter, sort, limit, offset }),
        countRuns(db, filter),
      ]);
      return c.json({ runs, total });
    })
    .get("/:id", async (c) => {
      const id = parseRunId(c.req.param("id"));
      const run = await getRun(db, id);
      if (!run) throw new HTTPException(404, { message: `Run ${id} does not exist` });
      return c.json(runJson(run));
    })
    .post("/:id/cancel", async (c) => {
      const id = parseRunId(c.req.param("id"));
      const outcome = await service.cancel(id);
      if (outcome === "not_found") {
        throw new HTTPException(404, { message: `Run ${id} does not exist` });
      }
      if (outcome === "already_final") {
        const run = await getRun(db, id);
        throw new HTTPException(409, { message: `Run ${id} has already ended as ${run?.status}` });
      }
      return c.json({ id, status: outcome }, 202);
    })
    .post("/:id/continue", async (c) => {
      const id = parseRunId(c.req.param("id"));
      const body = await readJsonBody(c);
      const more = body !== null && typeof body === "object" && !Array.isArray(body)
        ? (body as Record<string, unknown>).epochs
        : undefined;
      const outcome = await continueRun(ctx, id, more);
      if (!outcome.ok) {
        return c.json(badRequestBody(outcome.issues, "Cannot continue this run"), outcome.status);
      }
      return c.json({ id: outcome.id, continuedFrom: id }, 201, {
        Location: `/api/runs/${outcome.id}`,
      });
    })
    .get("/:id/model", async (c) => {
      const id = parseRunId(c.req.param("id"));
      const weights = await getWeights(db, id);
      if (!weights) {
        throw new HTTPException(404, {
          message: `Run ${id} has no stored weights (only completed runs do)`,
        });
      }
      // Content-Length is set here so HEAD, which Hono answers with GET's headers and no body,
      // gives the download's size too.
      return c.body(weights.slice().buffer, 200, {
        "Content-Length": String(weights.byteLength),
        "Content-Type": "application/octet-stream",
        "Content-Disposition": `attachment; filename="ajuste-run-${id}.safetensors"`,
      });
    })
    .route("/", predictApi(ctx))
    .route("/", runExportsApi(ctx));
}

/** Runs per page of `GET /api/runs`, by default and at most. */
export const DEFAULT_LIST = 100;
export const MAX_LIST = 1000;
