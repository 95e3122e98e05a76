/**
 * A study's search space: dotted run config paths mapped to Optuna-style distributions
 * (FloatDistribution, IntDistribution, CategoricalDistribution, with Optuna's rules on
 * `log` and `step`: https://optuna.readthedocs.io/en/stable/reference/distributions.html).
 *
 * @module
 */

import { z } from "zod";
import { boundedNumber, flag, show, strictObject, taggedUnionError } from "./fields.ts";
import { tryApplyParams } from "./params.ts";
import type { RunConfigInput } from "./schema.ts";

export const PARAM_TYPES = ["float", "int", "categorical"] as const;

// Every choice of every parameter is tried on the base config (`paramMisfit`), about 25 µs
// each: these bounds keep one request under a second of checking, far above any real space.
export const MAX_CHOICES = 100;
export const MAX_SPACE_PARAMS = 64;

type RangeParam = { low: number; high: number; log: boolean; step?: number };

/** Optuna's checks: a non-empty range, log only above 0 and not with a step (int step 1 is fine). */
function checkRange(integer: boolean) {
  return (param: RangeParam, ctx: z.core.$RefinementCtx<RangeParam>) => {
    const add = (path: string, message: string, input: unknown) =>
      ctx.addIssue({ code: "custom", path: [path], message, input });
    if (integer ? param.high < param.low : param.high <= param.low) {
      const relation = integer ? "at least" : "greater than";
      add("high", `High must be ${relation} low (${param.low}), got ${param.high}`, param.high);
    }
    if (param.log && param.low <= 0) {
      add("low", `Low must be greater than 0 when log is true, got ${param.low}`, param.low);
    }
    if (param.log && param.step !== undefined && !(integer && param.step === 1)) {
      add(
        "step",
        `Step cannot be combined with log: drop one of them, got step ${param.step}`,
        param.step,
      );
    }
  };
}

const floatParamSchema = strictObject("float parameter", {
  type: z.literal("float"),
  low: boundedNumber("Low"),
  high: boundedNumber("High"),
  log: flag("Log").default(false),
  step: boundedNumber("Step", { min: 0, minExclusive: true }).optional(),
}, '{"type": "float", "low": 0.0001, "high": 0.1, "log": true}').superRefine(checkRange(false));

const intParamSchema = strictObject("int parameter", {
  type: z.literal("int"),
  low: boundedNumber("Low", { integer: true }),
  high: boundedNumber("High", { integer: true }),
  log: flag("Log").default(false),
  step: boundedNumber("Step", { min: 1, integer: true }).optional(),
}, '{"type": "int", "low": 32, "high": 512, "log": true}').superRefine(checkRange(true));

const choiceSchema = z.union([z.string(), z.number(), z.boolean(), z.null()], {
  error: (iss) =>
    `Choice must be a string, finite number, true, false or null, got ${show(iss.input)}`,
});

const categoricalParamSchema = strictObject("categorical parameter", {
  type: z.literal("categorical"),
  choices: z.array(choiceSchema, {
    error: (iss) => `Choices must be a non-empty array, got ${show(iss.input)}`,
  }).min(1, { error: "Choices must list at least one value, got []" }).max(MAX_CHOICES, {
    error: (iss) =>
      `Choices may list at most ${MAX_CHOICES} values, got ${(iss.input as unknown[]).length}`,
  }),
}, '{"type": "categorical", "choices": ["sgd", "adam"]}');

export const paramSchema = z.discriminatedUnion(
  "type",
  [floatParamSchema, intParamSchema, categoricalParamSchema],
  {
    error: taggedUnionError(
      "Parameter",
      PARAM_TYPES,
      '{"type": "float", "low": 0.0001, "high": 0.1}',
    ),
  },
);

export type ParamSpec = z.output<typeof paramSchema>;

const PATH_PATTERN = /^[A-Za-z_]\w*(\.\w+)*$/;

export const spaceSchema = z.record(
  z.string().regex(PATH_PATTERN, {
    error: (iss) =>
      `Space keys must be dotted run config paths such as "optimizer.lr", got ${show(iss.input)}`,
  }),
  paramSchema,
  {
    error: (iss) =>
      iss.code === "invalid_key"
        ? `Space keys must be dotted run config paths such as "optimizer.lr", got ${
          show(iss.input)
        }`
        : `Space must be an object of parameters, got ${show(iss.input)}`,
  },
).refine((space) => Object.keys(space).length > 0, {
  error: 'Space must define at least one parameter, such as "optimizer.lr"',
}).refine((space) => Object.keys(space).length <= MAX_SPACE_PARAMS, {
  // Stops here: the study's own check would still try every one of the parameters.
  abort: true,
  error: (iss) =>
    `Space may define at most ${MAX_SPACE_PARAMS} parameters, got ${
      Object.keys(iss.input as object).length
    }`,
});

/** The largest value a stepped range reaches, as Optuna trims `high` to low + k·step. */
function lastStep(low: number, high: number, step: number): number {
  return low + Math.floor((high - low) / step + 1e-9) * step;
}

/**
 * Values a parameter will take, enough to show whether it fits the run config: both ends of a
 * range and, for an unstepped float, a point inside that is unlikely to be an integer (so a
 * float range on an integer field is caught), or every choice.
 */
export function probeValues(param: ParamSpec): Array<{ value: unknown; role: string }> {
  if (param.type === "categorical") {
    return param.choices.map((value) => ({ value, role: "choice" }));
  }
  const high = param.step === undefined ? param.high : lastStep(param.low, param.high, param.step);
  const values = [{ value: param.low, role: "low" }, { value: high, role: "high" }];
  if (param.type === "float" && param.step === undefined) {
    const inside = param.log
      ? Math.exp(Math.log(param.low) + (Math.log(param.high) - Math.log(param.low)) / Math.PI)
      : param.low + (param.high - param.low) / Math.PI;
    values.push({ value: inside, role: "a value between low and high" });
  }
  return values;
}

/**
 * Why `param` at `path` cannot be applied to `base`, or undefined when every probe value makes
 * a valid run config. Only the first failing value is reported.
 */
export function paramMisfit(
  base: RunConfigInput,
  path: string,
  param: ParamSpec,
): string | undefined {
  for (const { value, role } of probeValues(param)) {
    const result = tryApplyParams(base, { [path]: value });
    if (result.ok) continue;
    const [issue] = result.issues;
    const where = issue.path === path ? "" : `${issue.path || "(root)"}: `;
    return `Cannot set "${path}" to ${show(value)} (${role}): ${where}${issue.message}`;
  }
  return undefined;
}
