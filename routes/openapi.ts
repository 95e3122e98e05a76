/**
 * `GET /api/openapi.json`: the OpenAPI 3.1 document, its request schemas generated from the same
 * zod schemas that validate requests, so the two cannot disagree.
 *
 * @module
 */

import { Hono } from "hono";
import { z } from "zod";
import { runConfigSchema } from "../config/schema.ts";
import { studySpecSchema } from "../config/study_schema.ts";
import { RUN_STATUSES } from "../db/runs.ts";

const json = (schema: unknown) => ({ "application/json": { schema } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const error = { description: "Error", content: json(ref("Error")) };
const badRequest = {
  description: "Invalid request; nothing was written",
  content: json(ref("Error")),
};
const idParam = { name: "id", in: "path", required: true, schema: { type: "integer", minimum: 1 } };

function schemaOf(schema: z.ZodType) {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
  return rest;
}

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
          summary: "The WebGPU adapter, or why the CPU reference is used",
          responses: { 200: { description: "OK" } },
        },
      },
      "/api/datasets": {
        get: {
          summary: "Datasets available on this server",
          responses: { 200: { description: "OK" } },
        },
      },
      "/api/runs": {
        post: {
          summary: "Queue a training run",
          requestBody: { required: true, content: json(ref("RunConfig")) },
          responses: {
            201: {
              description: "Queued",
              content: json({ type: "object", properties: { id: { type: "integer" } } }),
            },
            400: badRequest,
            413: error,
            415: error,
          },
        },
        get: {
          summary: "List runs, newest first",
          parameters: [
            { name: "status", in: "query", schema: { type: "string", enum: RUN_STATUSES } },
            { name: "dataset", in: "query", schema: { type: "string" } },
            {
              name: "sort",
              in: "query",
              schema: { type: "string", enum: ["created", "devAccuracy"] },
            },
          ],
          responses: { 200: { description: "OK" }, 400: badRequest },
        },
      },
      "/api/runs/{id}": {
        get: {
          summary: "A run: status, config, per-epoch metrics, test metrics",
          parameters: [idParam],
          responses: { 200: { description: "OK" }, 400: badRequest, 404: error },
        },
      },
      "/api/runs/{id}/events": {
        get: {
          summary:
            "Server-sent events: epoch (id = epoch number), status, done; resumes after Last-Event-ID",
          parameters: [idParam],
          responses: { 200: { description: "text/event-stream" }, 404: error },
        },
      },
      "/api/runs/{id}/cancel": {
        post: {
          summary: "Cancel a queued or running run",
          parameters: [idParam],
          responses: { 202: { description: "Cancelled or cancelling" }, 404: error, 409: error },
        },
      },
      "/api/runs/{id}/model": {
        get: {
          summary: "Final weights as safetensors (safetensors.torch.load_file reads them)",
          parameters: [idParam],
          responses: { 200: { description: "application/octet-stream" }, 404: error },
        },
      },
    },
    components: {
      schemas: {
        RunConfig: schemaOf(runConfigSchema),
        StudySpec: schemaOf(studySpecSchema),
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
