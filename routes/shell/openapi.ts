/**
 * `GET /api/openapi.json`: the OpenAPI 3.1 document, assembled here from the entries of each
 * resource (`openapi_runs.ts`, `openapi_studies.ts`, `openapi_study_admin.ts`,
 * `openapi_lessons.ts`). Its request schemas are generated from the same zod schemas that
 * validate requests, so the two cannot disagree. Response schemas are written by hand after
 * `db/runs.ts` (`openapi_schemas.ts`); `routes/shell/openapi_test.ts` checks them against real
 * responses and checks that every route the app registers under `/api` is listed here.
 *
 * @module
 */

import { Hono } from "hono";
import { runConfigSchema } from "../../config/schema.ts";
import { studySpecSchema } from "../../config/study_schema.ts";
import { finalRunOptionsSchema } from "../../config/final_run.ts";
import {
  badRequest,
  classMetricsSchema,
  deviceSchema,
  epochSchema,
  failure,
  integer,
  ok,
  record,
  runListItemSchema,
  runSchema,
  schemaOf,
  string,
  testSchema,
} from "./openapi_schemas.ts";
import { studyAdminSchemas } from "./openapi_study_admin.ts";
import { lessonPaths } from "./openapi_lessons.ts";
import { runPaths } from "./openapi_runs.ts";
import { studyPaths, studySchemas } from "./openapi_studies.ts";

export function openApiDocument(version: string) {
  return {
    openapi: "3.1.0",
    info: {
      title: "ajuste",
      version,
      description:
        "Train and tune multilayer perceptrons on the GPU. Every run config field is optional " +
        "and defaults to PyTorch's value.",
    },
    paths: {
      "/api/health": {
        get: { summary: "Liveness, version and uptime", responses: { 200: { description: "OK" } } },
      },
      "/api/device": {
        get: {
          summary:
            'The WebGPU adapter (or why there is none) and what device "auto" chooses here, with the figures it measured',
          responses: { 200: { description: "OK" } },
        },
      },
      "/api/datasets": {
        get: {
          summary: "Datasets available on this server",
          responses: { 200: { description: "OK" } },
        },
      },
      "/api/datasets/{id}/samples": {
        get: {
          summary: "Labels of a listed dataset's first examples",
          parameters: [
            { name: "id", in: "path", required: true, schema: string },
            {
              name: "count",
              in: "query",
              schema: { type: "integer", minimum: 1, maximum: 1000, default: 24 },
            },
            {
              name: "split",
              in: "query",
              description: "test: the official test set (400 for a dataset without one)",
              schema: { type: "string", enum: ["train", "test"], default: "train" },
            },
          ],
          responses: {
            200: ok(record({
              dataset: string,
              split: { type: "string", enum: ["train", "test"] },
              samples: {
                type: "array",
                items: record({ index: integer, label: integer, className: string }),
              },
            })),
            400: badRequest,
            404: failure("The server does not list that dataset"),
          },
        },
      },
      "/api/openapi.json": {
        get: { summary: "This document", responses: { 200: { description: "OpenAPI 3.1" } } },
      },
      ...runPaths,
      ...studyPaths,
      ...lessonPaths,
    },
    components: {
      schemas: {
        RunConfig: schemaOf(runConfigSchema),
        StudySpec: schemaOf(studySpecSchema),
        TrainBestOptions: schemaOf(finalRunOptionsSchema),
        ...studyAdminSchemas,
        Run: runSchema,
        RunListItem: runListItemSchema,
        Epoch: epochSchema,
        TestMetrics: testSchema,
        ClassMetrics: classMetricsSchema,
        Device: deviceSchema,
        ...studySchemas,
        Error: {
          type: "object",
          required: ["error"],
          properties: {
            error: { type: "string" },
            issues: {
              type: "array",
              items: {
                type: "object",
                properties: { path: { type: "string" }, message: { type: "string" } },
              },
            },
          },
        },
      },
    },
  };
}

export function openApiRoute(version: string): Hono {
  const document = openApiDocument(version);
  return new Hono().get("/openapi.json", (c) => c.json(document));
}
