/**
 * The OpenAPI entries of a study's table, rename and delete (`routes/studies/study_admin_api.ts`),
 * spread into `openapi.ts`'s paths and components.
 *
 * @module
 */

import { studyRenameSchema } from "../../config/study_schema.ts";
import {
  badId,
  badRequest,
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
  schemaOf,
  string,
} from "./openapi_schemas.ts";

const busy = failure(
  "A worker is on the study: it is active (stop it first) or a trial's heartbeat is still " +
    "within its grace period; the error says which",
);

/** `PATCH` and `DELETE` beside `GET /api/studies/{id}`. */
export const studyAdminOperations = {
  patch: {
    summary: "Rename a study; its trial runs' names follow",
    requestBody: { required: true, content: json(ref("StudyRename")) },
    parameters: [idParam],
    responses: {
      200: ok(record({ id: integer, name: string })),
      400: { ...badRequest, description: "A bad name, or one another study has" },
      404: notFound,
      409: busy,
      415: error,
    },
  },
  delete: {
    summary: "Delete a study with its trials and their runs (epochs, weights, predictions, " +
      "checkpoints), all or nothing; final models trained from it are kept",
    parameters: [idParam],
    responses: {
      200: ok(record({ id: integer, name: string, trials: integer, runs: integer }, "Removed")),
      400: badId,
      404: notFound,
      409: busy,
    },
  },
};

const table = "One row per trial with the columns of Optuna's study.trials_dataframe(): number, " +
  "value, datetime_start, datetime_complete, duration (seconds), params_<name> (sorted; empty " +
  "where a trial did not suggest it), user_attrs_<key> (sorted), state";

export const studyTablePaths = {
  "/api/studies/{id}/trials.csv": {
    get: {
      summary: "The study's trials as CSV, a header line then one row per trial",
      description: table,
      parameters: [idParam],
      responses: {
        200: {
          description: "CSV (RFC 4180), as an attachment",
          headers: { "Content-Disposition": { schema: string } },
          content: { "text/csv": { schema: string } },
        },
        400: badId,
        404: notFound,
      },
    },
  },
  "/api/studies/{id}/trials.json": {
    get: {
      summary: "The study's trials as JSON, one object per trial with the CSV's columns",
      description: table,
      parameters: [idParam],
      responses: {
        200: ok({ type: "array", items: ref("TrialRow") }),
        400: badId,
        404: notFound,
      },
    },
  },
};

export const studyAdminSchemas = {
  StudyRename: schemaOf(studyRenameSchema),
  TrialRow: {
    type: "object",
    required: ["number", "value", "datetime_start", "datetime_complete", "duration", "state"],
    properties: {
      number: integer,
      value: nullable(number),
      datetime_start: nullable(dateTime),
      datetime_complete: nullable(dateTime),
      duration: { ...nullable(number), description: "Seconds from start to complete" },
      state: { type: "string", enum: ["WAITING", "RUNNING", "COMPLETE", "PRUNED", "FAIL"] },
    },
    patternProperties: { "^(params|user_attrs)_": {} },
  },
};
