/**
 * A study file's objectives beyond one metric, and its constraints (issue 20):
 *
 * ```jsonc
 * { "metrics": ["devAccuracy", "parameterCount"], "directions": ["maximize", "minimize"],
 *   "constraints": [{ "metric": "epochSeconds", "max": 2 }],
 *   "sampler": { "type": "nsga2" }, "pruner": { "type": "none" } }
 * ```
 *
 * Several metrics make a multi-objective study (its best trials are a Pareto front); each
 * direction defaults by its metric (accuracy maximized, the rest minimized). Such a study cannot
 * prune, as in Optuna: its pruner defaults to "none" and any other is refused. A constraint
 * bounds a measured metric of the trial (`max`, `min` or both); a trial outside is kept but
 * ranked below every trial inside, with Optuna's constraint semantics (value − max ≤ 0, and
 * min − value ≤ 0, mean satisfied).
 *
 * @module
 */

import { z } from "zod";
import { boundedNumber, show, strictObject } from "./fields.ts";

/** What a trial can be measured by: the epoch metrics, and these of the whole run. */
export const OBJECTIVE_METRICS = [
  "devAccuracy",
  "devLoss",
  "trainLoss",
  "trainAccuracy",
  "parameterCount",
  "epochSeconds",
  "totalSeconds",
] as const;
export type ObjectiveMetric = typeof OBJECTIVE_METRICS[number];

/** Metrics of the whole run rather than of an epoch: known once the run ends. */
export const RUN_METRICS: readonly string[] = ["parameterCount", "epochSeconds", "totalSeconds"];

/** Objectives a study may have at most. */
export const MAX_OBJECTIVES = 4;

/** How each metric is read, for labels and help. */
export const METRIC_LABELS: Record<ObjectiveMetric, string> = {
  devAccuracy: "dev accuracy",
  devLoss: "dev loss",
  trainLoss: "train loss",
  trainAccuracy: "train accuracy",
  parameterCount: "parameter count",
  epochSeconds: "seconds per epoch",
  totalSeconds: "training seconds",
};

/** The direction a metric takes when the study file does not say. */
export function defaultDirection(metric: string): "maximize" | "minimize" {
  return metric.endsWith("Accuracy") ? "maximize" : "minimize";
}

const metricError = (label: string) => (iss: { input?: unknown }) =>
  `${label} must be one of ${OBJECTIVE_METRICS.map((m) => `"${m}"`).join(", ")}, got ${
    show(iss.input)
  }`;
const objectiveMetric = (label: string) => z.enum(OBJECTIVE_METRICS, { error: metricError(label) });

export const metricsSchema = z.array(objectiveMetric("Each metric"), {
  error: (iss) =>
    `Metrics must be a list such as ["devAccuracy", "parameterCount"], got ${show(iss.input)}`,
}).min(2, {
  error: (iss) =>
    `Metrics must list 2 to ${MAX_OBJECTIVES} metrics (use "metric" for one), got ${
      show(iss.input)
    }`,
}).max(MAX_OBJECTIVES, {
  error: (iss) => `Metrics must list 2 to ${MAX_OBJECTIVES} metrics, got ${show(iss.input)}`,
}).refine((metrics) => new Set(metrics).size === metrics.length, {
  error: (iss) => `Metrics must not repeat a metric, got ${show(iss.input)}`,
}).describe(
  "Several objectives (a multi-objective study): the trials' Pareto front is what it finds",
);

const directionError = (iss: { input?: unknown }) =>
  `Each direction must be "maximize" or "minimize", got ${show(iss.input)}`;
export const directionsSchema = z.array(
  z.enum(["maximize", "minimize"], { error: directionError }),
  {
    error: (iss) =>
      `Directions must be a list such as ["maximize", "minimize"], got ${show(iss.input)}`,
  },
).describe("One direction per metric; by default accuracy is maximized and the rest minimized");

export const constraintSchema = strictObject("constraint", {
  metric: objectiveMetric("Constraint metric"),
  max: boundedNumber("Constraint max").optional(),
  min: boundedNumber("Constraint min").optional(),
}, '{"metric": "parameterCount", "max": 100000}').superRefine((c, ctx) => {
  if (c.max === undefined && c.min === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["max"],
      input: c,
      message: `A constraint on ${c.metric} needs a max, a min, or both`,
    });
  } else if (c.max !== undefined && c.min !== undefined && c.min > c.max) {
    ctx.addIssue({
      code: "custom",
      path: ["min"],
      input: c.min,
      message: `Constraint min must be at most its max (${c.max}), got ${c.min}`,
    });
  }
});
export type ConstraintSpec = z.output<typeof constraintSchema>;

export const constraintsSchema = z.array(constraintSchema, {
  error: (iss) =>
    `Constraints must be a list such as [{"metric": "parameterCount", "max": 100000}], got ${
      show(iss.input)
    }`,
}).max(8, { error: "A study may have at most 8 constraints" }).describe(
  "Bounds on measured metrics; a trial outside them is kept but ranked below every trial inside",
);

interface ObjectivesInput {
  metric?: unknown;
  direction?: unknown;
  metrics?: unknown;
  directions?: unknown;
  pruner?: unknown;
}

/**
 * Issues of a study file's objectives that its fields alone cannot tell (before defaults are
 * applied): directions without metrics or of another length, a metric or direction that
 * contradicts the lists, a pruner in a multi-objective study.
 */
export function objectivesIssues(input: ObjectivesInput): { path: string; message: string }[] {
  const { metrics, directions } = input;
  const pruner = (input.pruner as { type?: unknown } | undefined)?.type;
  const pruning = input.pruner !== undefined && pruner !== "none";
  if (typeof input.metric === "string" && RUN_METRICS.includes(input.metric) && pruning) {
    return [{
      path: "pruner.type",
      message: `Metric ${input.metric} is measured once the run ends, so no pruner can judge it ` +
        `epoch by epoch: pruner must be {"type": "none"} or left out, got ${show(pruner)}`,
    }];
  }
  if (!Array.isArray(metrics)) {
    return directions === undefined ? [] : [{
      path: "directions",
      message: 'Directions go with "metrics" (one per metric); for one metric use "direction"',
    }];
  }
  const issues: { path: string; message: string }[] = [];
  if (Array.isArray(directions) && directions.length !== metrics.length) {
    issues.push({
      path: "directions",
      message:
        `Directions must have one entry per metric (${metrics.length}), got ${directions.length}`,
    });
  }
  if (input.metric !== undefined && input.metric !== metrics[0]) {
    issues.push({
      path: "metric",
      message: `Metric must be left out or be the first of metrics (${show(metrics[0])}), got ${
        show(input.metric)
      }`,
    });
  }
  const first = Array.isArray(directions) ? directions[0] : defaultDirection(String(metrics[0]));
  if (input.direction !== undefined && input.direction !== first) {
    issues.push({
      path: "direction",
      message: `Direction must be left out or be the first of directions (${show(first)}), got ${
        show(input.direction)
      }`,
    });
  }
  if (metrics.length > 1 && pruning) {
    issues.push({
      path: "pruner.type",
      message: `A study with ${metrics.length} metrics cannot prune (as in Optuna): ` +
        `pruner must be {"type": "none"} or left out, got ${show(pruner ?? input.pruner)}`,
    });
  }
  return issues;
}

/**
 * The input with what a multi-objective study implies filled in before parsing: the directions
 * each metric defaults to, `metric`/`direction` as the first objective's (so that what reads
 * one objective keeps working), and no pruner.
 */
export function withObjectiveDefaults<T extends ObjectivesInput>(input: T): T {
  if (typeof input.metric === "string" && RUN_METRICS.includes(input.metric)) {
    // A single run-level metric: nothing to prune by, and minimized unless the file says.
    return {
      ...input,
      direction: input.direction ?? defaultDirection(input.metric),
      pruner: input.pruner ?? { type: "none" },
    };
  }
  if (!Array.isArray(input.metrics) || input.metrics.length === 0) return input;
  const metrics = input.metrics as string[];
  const directions = Array.isArray(input.directions)
    ? input.directions
    : metrics.map((m) => defaultDirection(String(m)));
  return {
    ...input,
    directions,
    metric: input.metric ?? metrics[0],
    direction: input.direction ?? directions[0],
    pruner: input.pruner ?? (metrics.length > 1 ? { type: "none" } : undefined),
  };
}

/** A trial's constraint values, Optuna's way: each ≤ 0 when satisfied. */
export function constraintValues(
  constraints: readonly ConstraintSpec[],
  measured: Readonly<Record<string, number | null | undefined>>,
): number[] {
  const values: number[] = [];
  for (const c of constraints) {
    const v = measured[c.metric];
    // Unmeasured counts as infinitely violated.
    const value = typeof v === "number" && Number.isFinite(v) ? v : NaN;
    if (c.max !== undefined) values.push(Number.isNaN(value) ? Infinity : value - c.max);
    if (c.min !== undefined) values.push(Number.isNaN(value) ? Infinity : c.min - value);
  }
  return values;
}
