/**
 * The OpenAPI entries of the runs API (`routes/runs/`): queueing, listing and reading runs, their
 * event stream, cancel and continue, the model downloads and predict; spread into `openapi.ts`'s
 * paths.
 *
 * @module
 */

import { RUN_STATUSES, TRIAL_FILTERS } from "../../db/runs.ts";
import { DEFAULT_LIST, MAX_LIST } from "../runs/runs_api.ts";
import { MAX_PNG_SIDE, MAX_PREDICT_BYTES } from "../runs/predict_api.ts";
import {
  badId,
  badRequest,
  error,
  failure,
  idParam,
  integer,
  json,
  notFound,
  number,
  ok,
  record,
  ref,
  sse,
  string,
} from "./openapi_schemas.ts";

export const runPaths = {
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
};
