/**
 * Building blocks of the OpenAPI document (`openapi.ts`): response helpers and the response
 * schemas written by hand after `db/runs.ts` (`openapi_test.ts` checks them against real
 * answers), and `schemaOf` for the request schemas generated from zod.
 *
 * @module
 */

import { z } from "zod";
import { RUN_STATUSES } from "../../db/runs.ts";

export const json = (schema: unknown) => ({ "application/json": { schema } });
export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const error = { description: "Error", content: json(ref("Error")) };
export const badRequest = {
  description: "Invalid request; nothing was written",
  content: json(ref("Error")),
};
export const idParam = {
  name: "id",
  in: "path",
  required: true,
  schema: { type: "integer", minimum: 1 },
};
export const failure = (description: string) => ({ description, content: json(ref("Error")) });
export const notFound = failure("No such run or study");
export const badId = failure("The id is not a positive integer");
export const ok = (schema: unknown, description = "OK") => ({ description, content: json(schema) });
export const sse = (description: string) => ({
  description,
  content: { "text/event-stream": { schema: { type: "string" } } },
});

export const nullable = (schema: Record<string, unknown>) => ({
  anyOf: [schema, { type: "null" }],
});
export const integer = { type: "integer" };
export const number = { type: "number" };
export const string = { type: "string" };
/** Dates leave the API as JSON does them: ISO 8601 strings. */
export const dateTime = { type: "string", format: "date-time" };

/** An object whose listed properties are all present (values may be null where typed so). */
export const record = (properties: Record<string, unknown>, description?: string) => ({
  type: "object",
  ...(description ? { description } : {}),
  required: Object.keys(properties),
  properties,
});

/** `engine/layer_stats.ts`'s `LayerStats`. */
export const layerStatsSchema = record(
  {
    preActivationMean: nullable(number),
    preActivationStd: nullable(number),
    activationMean: nullable(number),
    activationStd: nullable(number),
    deadShare: {
      ...nullable(number),
      description: "Units never positive before the activation on the probe rows, over units " +
        "(relu, leaky_relu, gelu; else null)",
    },
    saturatedShare: {
      ...nullable(number),
      description: "Probe values with |pre-activation| > 4 (sigmoid) or > 2 (tanh), where the " +
        "derivative is below ~7% of its peak, over all (else null)",
    },
    weightNorm: nullable(number),
    gradientNorm: {
      ...nullable(number),
      description: "‖∂L/∂W‖ of the data loss at the epoch's last step, before the L1/L2 penalty " +
        "and clipping",
    },
    updateRatio: {
      ...nullable(number),
      description: "‖W_end − W_start‖ / ‖W_start‖ over the epoch; null when the start is unknown",
    },
    weightHistogram: record({
      limit: { ...number, description: "R = 4/√fan_in: the bins split [−R, R] evenly" },
      counts: {
        type: "array",
        items: integer,
        description: "32 counts; weights outside [−R, R] count in the end bins",
      },
    }),
  },
  "One hidden layer at an epoch's end, from an evaluation-mode forward of the train split's " +
    "first min(256, rows) rows; stds over all (row, unit) values, ÷ n. A figure that was not " +
    "finite is null",
);

/** `db/runs.ts`'s `EpochRow`. */
export const epochSchema = record({
  epoch: integer,
  trainLoss: number,
  trainAccuracy: number,
  devLoss: nullable(number),
  devAccuracy: nullable(number),
  seconds: number,
  lr: nullable(number),
  layers: {
    ...nullable({ type: "array", items: layerStatsSchema }),
    description: "Per hidden layer, first to last; null when the run turned layerStats off or " +
      "the epoch was stored before they were kept",
  },
}, "Null dev figures: the dev split is empty; null lr: an epoch stored before lr was kept");

/** `engine/train.ts`'s `TestRecord`. */
export const testSchema = record({
  loss: number,
  accuracy: number,
  count: integer,
  classes: integer,
  confusion: {
    type: "array",
    items: integer,
    description: "confusion[true * classes + predicted]",
  },
}, "Test-set metrics of a completed run");

const deviceRecord = record({
  backend: { type: "string", enum: ["cpu", "webgpu"] },
  description: string,
  bytesAllocated: integer,
}, "Where the run trained");

export const deviceSchema = {
  ...deviceRecord,
  properties: {
    ...deviceRecord.properties,
    warmupSeconds: {
      type: "number",
      description: "Seconds before the first epoch (loading data, choosing the device, " +
        "compiling); not in epoch 1's seconds. Absent on older runs",
    },
  },
};

const divergedSchema = record({ epoch: integer, step: integer, message: string });

const earlyStopSchema = record({
  stoppedEpoch: {
    ...nullable(integer),
    description: "The epoch it stopped at; null when it trained every epoch",
  },
  bestEpoch: {
    ...nullable(integer),
    description: "The epoch whose dev metric was best (its weights are kept with restoreBest)",
  },
  message: { ...string, description: '"Stopped early at epoch 5; best epoch 3"' },
}, "A run with earlyStopping: where it stopped and its best epoch");

const fraction = { type: "number", minimum: 0, maximum: 1 };
const scoresSchema = record({ precision: fraction, recall: fraction, f1: fraction });

/** `engine/class_metrics.ts`'s `ClassMetrics`. */
export const classMetricsSchema = record(
  {
    perClass: {
      type: "array",
      description: "One row per class, in class order",
      items: record({
        name: { ...string, description: "The dataset's name for the class" },
        precision: fraction,
        recall: fraction,
        f1: fraction,
        support: { ...integer, description: "Test examples of this class" },
      }),
    },
    macro: { ...scoresSchema, description: "Unweighted mean over the classes counted" },
    weighted: { ...scoresSchema, description: "Mean weighted by support" },
  },
  "Per-class test metrics with torcheval's definitions (multiclass_precision, " +
    "multiclass_recall, multiclass_f1_score): a 0/0 (a class never predicted, or without " +
    "support) scores 0; a class with neither support nor predictions is left out of both " +
    "averages",
);

const runStatus = { type: "string", enum: RUN_STATUSES };

/** `GET /api/runs`'s items: `listRuns` in `db/runs.ts`. */
export const runListItemSchema = record({
  id: integer,
  name: string,
  status: runStatus,
  dataset: string,
  epochsPlanned: integer,
  epochsDone: integer,
  bestDevAccuracy: nullable(number),
  test: nullable(ref("TestMetrics")),
  error: {
    ...nullable(string),
    description: "Why it did not complete: the failure, the divergence, the pruner's verdict " +
      "(pruned), or a cancel's reason (a study's Stop)",
  },
  studyId: { ...nullable(integer), description: "A study trial's run: its study" },
  studyName: { ...nullable(string), description: "A study trial's run: its study's name" },
  trialNumber: nullable(integer),
  createdAt: dateTime,
  finishedAt: nullable(dateTime),
});

/** `GET /api/runs/{id}`: the stored row with its epochs (`RunWithEpochs` in `db/runs.ts`). */
export const runSchema = record({
  id: integer,
  name: string,
  status: runStatus,
  config: { ...ref("RunConfig"), description: "The config as stored: every default filled in" },
  dataset: string,
  epochsPlanned: integer,
  device: nullable(ref("Device")),
  test: nullable(ref("TestMetrics")),
  error: nullable(string),
  classMetrics: {
    ...nullable(ref("ClassMetrics")),
    description: "From the test confusion matrix; null until the run has test metrics",
  },
  divergedAt: nullable(divergedSchema),
  earlyStop: { ...nullable(earlyStopSchema), description: "Null without earlyStopping" },
  studyId: nullable(integer),
  trialNumber: nullable(integer),
  originStudyId: {
    ...nullable(integer),
    description: "A study's final model (POST /api/studies/{id}/train-best): the study it " +
      "came from. Not a trial run, whose studyId is set instead",
  },
  originTrialNumber: {
    ...nullable(integer),
    description: "A study's final model: the trial whose parameters it retrained",
  },
  continuedFrom: {
    ...nullable(integer),
    description: "A continued run (POST /api/runs/{id}/continue): the run whose last " +
      "checkpoint it resumed from; its first epochs are that run's",
  },
  owner: {
    ...nullable(string),
    description: "host:pid:token of the process that claimed it (its lease's holder)",
  },
  attempt: { ...integer, description: "Claims so far; a run whose trainer died twice fails" },
  leaseExpiresAt: {
    ...nullable(dateTime),
    description: "Until when the claim holds unless its owner renews it",
  },
  heartbeatAt: { ...nullable(dateTime), description: "When the owner last renewed the lease" },
  reservedFor: {
    ...nullable(string),
    description: "A study trial's run: the worker that alone may claim it",
  },
  cancelRequested: {
    type: "boolean",
    description: "A cancel reached it from a process that does not train it; its owner stops it",
  },
  createdAt: dateTime,
  startedAt: nullable(dateTime),
  finishedAt: nullable(dateTime),
  epochs: { type: "array", items: ref("Epoch") },
});

export const created = ok(
  record({ id: integer, name: string }),
  "Created; Location names it",
);

export function schemaOf(schema: z.ZodType) {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
  return rest;
}
