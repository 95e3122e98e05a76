/**
 * `GET /api/openapi.json`: the OpenAPI 3.1 document, its request schemas generated from the same
 * zod schemas that validate requests, so the two cannot disagree. Response schemas are written
 * by hand after `db/runs.ts`; `routes/shell/openapi_test.ts` checks them against real responses and
 * checks that every route the app registers under `/api` is listed here.
 *
 * @module
 */

import { Hono } from "hono";
import { runConfigSchema } from "../../config/schema.ts";
import { studySpecSchema } from "../../config/study_schema.ts";
import { finalRunOptionsSchema } from "../../config/final_run.ts";
import { RUN_STATUSES, TRIAL_FILTERS } from "../../db/runs.ts";
import { DEFAULT_LIST, MAX_LIST } from "../runs/runs_api.ts";
import { MAX_PNG_SIDE, MAX_PREDICT_BYTES } from "../runs/predict_api.ts";
import {
  badId,
  badRequest,
  classMetricsSchema,
  created,
  dateTime,
  deviceSchema,
  epochSchema,
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
  runListItemSchema,
  runSchema,
  schemaOf,
  sse,
  string,
  testSchema,
} from "./openapi_schemas.ts";
import { studyAdminOperations, studyAdminSchemas, studyTablePaths } from "./openapi_study_admin.ts";
import { lessonPaths } from "./openapi_lessons.ts";

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
      "/api/runs": {
        post: {
          summary: "Queue a training run",
          description: "Besides the schema, a run is refused (400) when its dataset could not " +
            "train it: a split without a test fraction for a dataset with no official test " +
            "set, sizes over the dataset's, an idx:/csv: path the server will not read.",
          requestBody: { required: true, content: json(ref("RunConfig")) },
          responses: {
            201: {
              description: "Queued; Location names it",
              content: json(record({ id: integer })),
            },
            400: badRequest,
            413: error,
            415: error,
          },
        },
        get: {
          summary: "List runs, newest first",
          parameters: [
            {
              name: "status",
              in: "query",
              description: "pruned: a study trial's run its pruner stopped; cancelled: a " +
                "user's Cancel or a study's Stop",
              schema: { type: "string", enum: RUN_STATUSES },
            },
            { name: "dataset", in: "query", schema: { type: "string" } },
            {
              name: "trials",
              in: "query",
              description: "runs of study trials: listed with the others (include), left out " +
                "(exclude, as the runs page does by default), or alone (only)",
              schema: { type: "string", enum: TRIAL_FILTERS, default: "include" },
            },
            {
              name: "sort",
              in: "query",
              schema: { type: "string", enum: ["created", "devAccuracy"] },
            },
            {
              name: "limit",
              in: "query",
              schema: { type: "integer", minimum: 1, maximum: MAX_LIST, default: DEFAULT_LIST },
            },
            {
              name: "offset",
              in: "query",
              description: "runs to skip, for the next page",
              schema: { type: "integer", minimum: 0, default: 0 },
            },
          ],
          responses: {
            200: ok(record({
              runs: { type: "array", items: ref("RunListItem"), maxItems: MAX_LIST },
              total: {
                ...integer,
                description: "runs the filters match over all pages (limit and offset aside)",
              },
            })),
            400: badRequest,
          },
        },
      },
      "/api/runs/{id}": {
        get: {
          summary: "A run: status, config, per-epoch metrics, test metrics",
          parameters: [idParam],
          responses: { 200: ok(ref("Run")), 400: badId, 404: notFound },
        },
      },
      "/api/runs/{id}/events": {
        get: {
          summary:
            "Server-sent events: epoch (id = epoch number), progress (phases before the first epoch, steps in a slow one), status, done; resumes after Last-Event-ID",
          parameters: [
            idParam,
            {
              name: "Last-Event-ID",
              in: "header",
              description: "Send only the epochs after this one (also ?lastEventId=)",
              schema: integer,
            },
          ],
          responses: {
            200: sse(
              "event epoch: an Epoch plus total; event status: {status, error}; " +
                "event done: {status}, then the stream ends",
            ),
            400: badId,
            404: notFound,
          },
        },
      },
      "/api/runs/{id}/cancel": {
        post: {
          summary: "Cancel a queued or running run",
          parameters: [idParam],
          responses: {
            202: ok(
              record({ id: integer, status: string }),
              "Cancelled (queued) or cancelling (running)",
            ),
            400: badId,
            404: notFound,
            409: failure("The run has already ended"),
          },
        },
      },
      "/api/runs/{id}/continue": {
        post: {
          summary: "Continue a completed run for more epochs, as a new linked run",
          description: "The new run resumes from the run's last checkpoint — weights, " +
            "optimizer state, schedule, early stopping — and ends as the same config trained " +
            "that many epochs from the start would. 409 for a run not completed, a study trial, " +
            "a run that stopped early, one without stored state, or a OneCycle schedule sized " +
            "by the run's epochs.",
          parameters: [idParam],
          requestBody: {
            required: true,
            content: json(record({ epochs: { ...integer, minimum: 1 } })),
          },
          responses: {
            201: ok(record({ id: integer, continuedFrom: integer }), "The new run, queued"),
            400: badRequest,
            404: notFound,
            409: failure("The run cannot be continued; the message says why"),
          },
        },
      },
      "/api/runs/{id}/model": {
        get: {
          summary: "Final weights as safetensors (safetensors.torch.load_file reads them)",
          description: "HEAD gives the same headers, Content-Length included, without the body.",
          parameters: [idParam],
          responses: {
            200: {
              description: "The weights, as an attachment",
              headers: {
                "Content-Length": { schema: integer },
                "Content-Disposition": { schema: string },
              },
              content: {
                "application/octet-stream": { schema: { type: "string", format: "binary" } },
              },
            },
            400: badId,
            404: failure("No such run, or it has no weights (not completed)"),
          },
        },
      },
      "/api/runs/{id}/pytorch.py": {
        get: {
          summary: "The run as a self-contained PyTorch script that trains its config; with " +
            "--weights FILE it tests the run's weights file and prints its stored test metrics",
          parameters: [idParam],
          responses: {
            200: {
              description: "The script, as an attachment",
              content: { "text/x-python": { schema: string } },
            },
            400: badId,
            404: notFound,
          },
        },
      },
      "/api/runs/{id}/model.onnx": {
        get: {
          summary: "The trained model as ONNX (opset 13) in evaluation mode: raw features in " +
            "(pixels 0–255 for images; the run's normalisation is the first nodes), logits and " +
            "probabilities out",
          parameters: [idParam],
          responses: {
            200: {
              description: "The model, as an attachment",
              headers: { "Content-Disposition": { schema: string } },
              content: {
                "application/octet-stream": { schema: { type: "string", format: "binary" } },
              },
            },
            400: badId,
            404: failure("No such run, or it has no weights (not completed)"),
          },
        },
      },
      "/api/runs/{id}/predict": {
        post: {
          summary: "Classify one drawn or uploaded digit with a completed image run's weights",
          description: "A grey-level image, ink bright on dark (dark ink on light paper is " +
            "inverted, judged by the border): JSON pixels of a 28×28 image, or a PNG of any " +
            `size up to ${MAX_PNG_SIDE}×${MAX_PNG_SIDE}. It is preprocessed as MNIST's digits ` +
            "were (the ink fitted to 20×20 keeping its aspect ratio, its centre of mass moved " +
            "to the centre of 28×28), normalised as the run's inputs, and classified on the " +
            `CPU reference in evaluation mode. Bodies over ${MAX_PREDICT_BYTES} bytes get 413.`,
          parameters: [idParam],
          requestBody: {
            required: true,
            content: {
              ...json(record({
                pixels: {
                  type: "array",
                  items: { type: "number", minimum: 0, maximum: 255 },
                  minItems: 784,
                  maxItems: 784,
                  description: "28×28 grey levels, row by row",
                },
              })),
              "image/png": { schema: { type: "string", format: "binary" } },
            },
          },
          responses: {
            200: ok(record({
              probabilities: {
                type: "array",
                items: number,
                description: "Per class, in [0, 1]; softmax for cross-entropy (sums to 1), " +
                  "sigmoids for the binary losses, clamped outputs for MSE",
              },
              predicted: integer,
              classes: { type: "array", items: string },
              input: {
                type: "array",
                items: integer,
                description: "The 784 preprocessed grey levels the model saw",
              },
            })),
            400: failure(
              "The body is not a 28×28 image of 0–255 values, not a readable PNG, or blank; " +
                "issues name the field (pixels.17, body)",
            ),
            404: failure("No such run"),
            409: failure("The run has no weights (not completed) or is not of 28×28 images"),
            413: failure(`The body is larger than ${MAX_PREDICT_BYTES} bytes`),
            415: failure("Content-Type is neither application/json nor image/png"),
          },
        },
      },
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
      ...lessonPaths,
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
          summary:
            "The study as an Optuna script in PyTorch: its search space as the objective's " +
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
              description:
                "A multi-objective study's metrics (absent with one); the best* fields " +
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

/** `schema` with more properties that may be absent. */
function withOptional<T extends { properties: Record<string, unknown> }>(
  schema: T,
  properties: Record<string, unknown>,
): T {
  return { ...schema, properties: { ...schema.properties, ...properties } };
}
