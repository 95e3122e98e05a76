/**
 * A study's search space: dotted run config paths mapped to Optuna-style distributions
 * (FloatDistribution, IntDistribution, CategoricalDistribution, with Optuna's rules on
 * `log` and `step`: https://optuna.readthedocs.io/en/stable/reference/distributions.html).
 *
 * Two entries make the space define-by-run, as an Optuna objective with `if` and `for` would:
 *
 * - a categorical may carry `when`: a sub-space per choice, searched only in trials that take
 *   that choice (`"optimizer.type": {"type": "categorical", "choices": ["sgd", "adam"],
 *   "when": {"sgd": {"optimizer.momentum": {...}}}}`);
 * - `"model.layers": {"type": "layers", "low": 2, "high": 4, "layer": {...}}` searches the
 *   number of hidden layers (the trial parameter `model.layers.length`) and, for every layer,
 *   each field of `layer` given as a distribution (`model.layers.<i>.units`, …); the other fields
 *   of `layer` are fixed for every layer.
 *
 * How a trial walks the space is in `space_walk.ts`; what a space may not do (a path searched
 * twice, a value the run config refuses) in `space_checks.ts`.
 *
 * @module
 */

import { z } from "zod";
import { boundedNumber, flag, show, strictObject, taggedUnionError } from "./fields.ts";
import { MAX_HIDDEN_LAYERS } from "./schema.ts";

export const PARAM_TYPES = ["float", "int", "categorical"] as const;
export const ENTRY_TYPES = [...PARAM_TYPES, "layers"] as const;
/** The layer fields a depth entry may fix or search. */
export const LAYER_FIELDS = ["units", "activation", "batchNorm", "dropout"] as const;
export type LayerField = typeof LAYER_FIELDS[number];

// Every choice of every parameter is tried on the base config (`paramMisfit`), about 25 µs
// each: these bounds keep one request under a second of checking, far above any real space.
export const MAX_CHOICES = 100;
/** Distributions in the whole file, sub-spaces and a depth entry's layer fields included. */
export const MAX_SPACE_PARAMS = 64;
/** Sub-spaces inside sub-spaces: an objective's `if` nested deeper than this is unheard of. */
export const MAX_SPACE_DEPTH = 4;

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

const choicesSchema = z.array(choiceSchema, {
  error: (iss) => `Choices must be a non-empty array, got ${show(iss.input)}`,
}).min(1, { error: "Choices must list at least one value, got []" }).max(MAX_CHOICES, {
  error: (iss) =>
    `Choices may list at most ${MAX_CHOICES} values, got ${(iss.input as unknown[]).length}`,
});

const categoricalParamSchema = strictObject("categorical parameter", {
  type: z.literal("categorical"),
  choices: choicesSchema,
}, '{"type": "categorical", "choices": ["sgd", "adam"]}');

/** One distribution: what a trial parameter is drawn from. */
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
type Choice = z.output<typeof choiceSchema>;

/** A categorical whose choices may each carry a sub-space, searched when that choice is taken. */
export interface CategoricalEntry {
  type: "categorical";
  choices: Choice[];
  /** Keyed by the choice as a string (`"sgd"`, `"0.5"`, `"true"`, `"null"`). */
  when?: Record<string, SpaceSpec>;
}

/** The number of hidden layers searched, and each layer's fields fixed or searched. */
export interface LayersEntry {
  type: "layers";
  low: number;
  high: number;
  /** A distribution per searched field; a plain value for a fixed one; absent: its default. */
  layer: Partial<Record<LayerField, ParamSpec | number | string | boolean>>;
}

export type SpaceEntry =
  | Exclude<ParamSpec, { type: "categorical" }>
  | CategoricalEntry
  | LayersEntry;
/** Paths to entries; the study file's `space`, and each sub-space of a `when`. */
export type SpaceSpec = Record<string, SpaceEntry>;

/** The path a depth entry must have, and the trial parameter holding the number of layers. */
export const LAYERS_PATH = "model.layers";
export const LAYER_COUNT_PARAM = "model.layers.length";

/** A choice as a `when` key: JSON object keys are strings. */
export function choiceKey(choice: Choice): string {
  return choice === null ? "null" : String(choice);
}

const isObject = (value: unknown) =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A layer field: a distribution when it is an object, else the value every layer takes. */
const layerFieldSchema = z.unknown().superRefine((value, ctx) => {
  if (!isObject(value)) return; // a fixed value, checked against the run config with the base
  const parsed = paramSchema.safeParse(value);
  if (parsed.success) return;
  for (const issue of parsed.error.issues) {
    ctx.addIssue({ ...issue, code: "custom", path: issue.path, message: issue.message });
  }
});

const layersEntrySchema = strictObject("layers entry", {
  type: z.literal("layers"),
  low: boundedNumber("Low", { min: 0, max: MAX_HIDDEN_LAYERS, integer: true }),
  high: boundedNumber("High", { min: 0, max: MAX_HIDDEN_LAYERS, integer: true }),
  layer: strictObject(
    "layer",
    Object.fromEntries(LAYER_FIELDS.map((field) => [field, layerFieldSchema.optional()])),
    '{"units": {"type": "int", "low": 32, "high": 512, "log": true}, "batchNorm": true}',
  ),
}, '{"type": "layers", "low": 1, "high": 3, "layer": {"units": 128}}').superRefine((entry, ctx) => {
  if (entry.high < entry.low) {
    ctx.addIssue({
      code: "custom",
      path: ["high"],
      message: `High must be at least low (${entry.low}), got ${entry.high}`,
      input: entry.high,
    });
  }
});

const PATH_PATTERN = /^[A-Za-z_]\w*(\.\w+)*$/;
const KEY_MESSAGE = (input: unknown) =>
  `Space keys must be dotted run config paths such as "optimizer.lr", got ${show(input)}`;

function spaceOf(entry: z.ZodType) {
  return z.record(
    z.string().regex(PATH_PATTERN, { error: (iss) => KEY_MESSAGE(iss.input) }),
    entry,
    {
      error: (iss) =>
        iss.code === "invalid_key"
          ? KEY_MESSAGE(iss.input)
          : `Space must be an object of parameters, got ${show(iss.input)}`,
    },
  );
}

const conditionalSchema = strictObject("categorical parameter", {
  type: z.literal("categorical"),
  choices: choicesSchema,
  when: z.record(z.string(), z.lazy(() => subSpaceSchema), {
    error: (iss) =>
      `When must map choices to sub-spaces, such as {"sgd": {"optimizer.momentum": ` +
      `{"type": "float", "low": 0, "high": 0.99}}}, got ${show(iss.input)}`,
  }).optional(),
}, '{"type": "categorical", "choices": ["sgd", "adam"]}');

const entrySchema = z.discriminatedUnion(
  "type",
  [floatParamSchema, intParamSchema, conditionalSchema, layersEntrySchema],
  {
    error: taggedUnionError(
      "Parameter",
      ENTRY_TYPES,
      '{"type": "float", "low": 0.0001, "high": 0.1}',
    ),
  },
);

const subSpaceSchema: z.ZodType<SpaceSpec> = spaceOf(entrySchema) as unknown as z.ZodType<
  SpaceSpec
>;

export const spaceSchema = (spaceOf(entrySchema) as unknown as z.ZodType<SpaceSpec>)
  .refine((space) => Object.keys(space).length > 0, {
    error: 'Space must define at least one parameter, such as "optimizer.lr"',
  });

/**
 * How deep `space` nests (1 for a flat space), counted without recursion and stopping past
 * `limit`, so a hostile file nested ten thousand levels deep is refused before zod walks it.
 */
export function spaceNesting(space: unknown, limit = MAX_SPACE_DEPTH): number {
  let level: unknown[] = [space];
  for (let depth = 1; depth <= limit + 1; depth++) {
    const next: unknown[] = [];
    for (const sub of level) {
      if (!isObject(sub)) continue;
      for (const entry of Object.values(sub as object)) {
        const when = isObject(entry) ? (entry as { when?: unknown }).when : undefined;
        if (isObject(when)) next.push(...Object.values(when as object));
      }
    }
    if (next.length === 0) return depth;
    level = next;
  }
  return limit + 1;
}

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
