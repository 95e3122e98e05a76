/**
 * The OpenAPI entries of the studies API (`routes/studies/`): creating, listing and reading
 * studies, their event stream, train-best, the Optuna script and stop, with the `Study` and
 * `Trial` response schemas; spread into `openapi.ts`'s paths and components.
 *
 * @module
 */

import {
  badId,
  badRequest,
  created,
  dateTime,
  error,
  failure,
  idParam,
  integer,
  json,
  notFound,
  nullable,
  number,
  ok,
  record,
  ref,
  sse,
  string,
} from "./openapi_schemas.ts";
import { studyAdminOperations, studyTablePaths } from "./openapi_study_admin.ts";

export const studyPaths = {
  "/api/studies": {
    post: {
      summary: "Create a study from a study file and start its trials on this server",
      requestBody: { required: true, content: json(ref("StudySpec")) },
      responses: {
        201: created,
        200: ok(
          record({ id: integer, name: string }),
          "A study of that name with the same study file exists: joined it",
        ),
        400: badRequest,
        409: {
          description: "A study of that name exists with a different study file; " +
            "fields names the parts that differ",
          content: json({
            type: "object",
            required: ["error", "fields"],
            properties: { error: string, fields: { type: "array", items: string } },
          }),
        },
        413: error,
        415: error,
      },
    },
    get: {
      summary: "List studies, newest first, with trial counts and best value",
      responses: {
        200: ok(record({
          studies: {
            type: "array",
            items: {
              type: "object",
              required: ["id", "name", "direction", "createdAt", "bestValue"],
              properties: {
                id: integer,
                name: string,
                direction: { type: "string", enum: ["minimize", "maximize"] },
                spec: ref("StudySpec"),
                createdAt: dateTime,
                complete: integer,
                pruned: integer,
                failed: integer,
                running: integer,
                waiting: integer,
                requeued: { ...integer, description: "failed trials queued again" },
                trials: { ...integer, description: "all trials, re-queued ones included" },
                bestValue: nullable(number),
              },
            },
          },
        })),
      },
    },
  },
  "/api/studies/{id}": {
    get: {
      summary: "A study: its trials, best value and params, study file, whether it runs here",
      parameters: [idParam],
      responses: {
        200: ok(ref("Study")),
        400: badId,
        404: notFound,
      },
    },
    ...studyAdminOperations,
  },
  ...studyTablePaths,
  "/api/studies/{id}/events": {
    get: {
      summary: "Server-sent events: trial (id = trial number) on each change, then done",
      parameters: [idParam],
      responses: {
        200: sse(
          "event trial: a Trial, sent again whenever its state, value or intermediate " +
            "values change; event done: {bestValue, bestParams} once every trial has ended",
        ),
        400: badId,
        404: notFound,
      },
    },
  },
  "/api/studies/{id}/train-best": {
    post: {
      summary: "Train the study's final model: its best trial's params on the whole " +
        "training pool, for more epochs, with a new seed",
      description: "The body may be left out. epochs: by default twice the trial's; seed: " +
        "by default the trial's plus one; fullPool: train size cleared; foldDev: the dev " +
        "fraction moved into training (dev 0). The run records originStudyId and " +
        "originTrialNumber and is not a trial run.",
      parameters: [idParam],
      requestBody: { required: false, content: json(ref("TrainBestOptions")) },
      responses: {
        201: ok(ref("Run"), "Queued; Location names the run"),
        400: badRequest,
        404: notFound,
        409: failure("The study has no complete trial yet"),
        415: error,
        429: failure("The queue is full"),
      },
    },
  },
  "/api/studies/{id}/optuna.py": {
    get: {
      summary: "The study as an Optuna script in PyTorch: its search space as the objective's " +
        "suggest calls, its sampler and pruner, optimize, and the two plots",
      parameters: [idParam],
      responses: {
        200: {
          description: "The script, as an attachment",
          content: { "text/x-python": { schema: string } },
        },
        400: badId,
        404: notFound,
        409: failure("The study searches data.dataset, which one script cannot read"),
      },
    },
  },
  "/api/studies/{id}/stop": {
    post: {
      summary: "Stop a study's trials on this server (finished trials are kept)",
      parameters: [idParam],
      responses: {
        200: ok(ref("Study"), "Stopped; the study as GET /api/studies/{id} gives it"),
        400: badId,
        404: notFound,
        409: failure("The study is not running on this server"),
      },
    },
  },
};

export const studySchemas = {
  Study: {
    type: "object",
    required: ["id", "name", "direction", "status", "trials", "spec", "active"],
    properties: {
      id: integer,
      name: string,
      study: { ...string, description: "The name again, as deno task tune --json has it" },
      status: {
        ...string,
        description: "running; completed (every trial in, one complete); ended (every " +
          "trial in, none complete); stopped (trials left, no worker on it until resumed)",
      },
      direction: { type: "string", enum: ["minimize", "maximize"] },
      metric: string,
      trialBudget: integer,
      bestParams: nullable({ type: "object" }),
      bestValue: nullable(number),
      bestTrial: nullable(integer),
      metrics: {
        type: "array",
        items: string,
        description: "A multi-objective study's metrics (absent with one); the best* fields " +
          "are then null",
      },
      directions: {
        type: "array",
        items: { type: "string", enum: ["minimize", "maximize"] },
      },
      bestTrials: {
        type: "array",
        items: integer,
        description: "A multi-objective study's Pareto front: its feasible trials no other " +
          "beats on every objective",
      },
      counts: { type: "object", additionalProperties: integer },
      trials: { type: "array", items: ref("Trial") },
      spec: ref("StudySpec"),
      active: { type: "boolean", description: "Trials are being run by this server" },
    },
  },
  Trial: withOptional(
    record({
      number: integer,
      state: { type: "string", enum: ["WAITING", "RUNNING", "COMPLETE", "PRUNED", "FAIL"] },
      params: { type: "object" },
      value: nullable(number),
      intermediateValues: {
        type: "array",
        items: { type: "array", items: number, minItems: 2, maxItems: 2 },
        description: "[step, value] pairs",
      },
      runId: nullable(integer),
      durationSeconds: nullable(number),
      failReason: nullable(string),
    }),
    {
      values: {
        ...nullable({ type: "array", items: number }),
        description: "Multi-objective studies: one value per metric",
      },
      constraints: {
        ...nullable({ type: "array", items: number }),
        description: "Studies with constraints: each value ≤ 0 when satisfied",
      },
      feasible: nullable({ type: "boolean" }),
    },
  ),
};

/** `schema` with more properties that may be absent. */
function withOptional<T extends { properties: Record<string, unknown> }>(
  schema: T,
  properties: Record<string, unknown>,
): T {
  return { ...schema, properties: { ...schema.properties, ...properties } };
}
