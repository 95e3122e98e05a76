/**
 * The study file (CLI `deno task tune study.json`, `POST /api/studies`): a base run config,
 * a search space of dotted paths into it (with sub-spaces per choice and a searched depth, see
 * `space_schema.ts`), and how to search (sampler, pruner), as DESIGN.md describes. Sampler and
 * pruner defaults are Optuna's (TPESampler, MedianPruner, SuccessiveHalvingPruner and
 * HyperbandPruner with their resources "auto", PercentilePruner, ThresholdPruner, PatientPruner).
 *
 * @module
 */

import { z } from "zod";
import {
  boundedNumber,
  displayName,
  flag,
  oneOf,
  show,
  strictObject,
  taggedUnionError,
} from "./fields.ts";
import { type Issue, issuePath, toIssues } from "./issues.ts";
import {
  constraintsSchema,
  directionsSchema,
  metricsSchema,
  OBJECTIVE_METRICS,
  objectivesIssues,
  withObjectiveDefaults,
} from "./objectives_schema.ts";
import { protoKeyIssue } from "./proto_key.ts";
import { type RunConfigInput, runConfigSchema } from "./schema.ts";
import { gridStepIssues, spaceFitIssues, spaceShapeIssues } from "./space_checks.ts";
import { gridSize } from "./space_grid.ts";
import { MAX_SPACE_DEPTH, spaceNesting, spaceSchema, type SpaceSpec } from "./space_schema.ts";
import { MAX_GRID_POINTS } from "../tuner/samplers/grid.ts";

export { applyParams, setPath, tryApplyParams } from "./params.ts";
export type { ParamSpec, SpaceSpec } from "./space_schema.ts";
export { configForParams, spaceParams } from "./space_walk.ts";

export const DIRECTIONS = ["maximize", "minimize"] as const;
export const METRICS = ["devAccuracy", "devLoss", "trainLoss", "trainAccuracy"] as const;
export const SAMPLER_TYPES = ["tpe", "random", "grid", "nsga2", "gp", "cmaes", "qmc"] as const;
export const PRUNER_TYPES = [
  "median",
  "percentile",
  "asha",
  "hyperband",
  "threshold",
  "patient",
  "none",
] as const;
/** What a patient pruner may wrap: any pruner that judges, so not "none" or another patient. */
export const WRAPPED_PRUNER_TYPES = [
  "median",
  "percentile",
  "asha",
  "hyperband",
  "threshold",
] as const;

const count = (label: string, min: number) => boundedNumber(label, { min, integer: true });
const samplerSeed = boundedNumber("Sampler seed", { min: 0, max: 2 ** 32 - 1, integer: true })
  .optional();

// A sampler without a type is TPE, a pruner without a type is median: as in Optuna.
const samplerSchema = z.discriminatedUnion("type", [
  strictObject("tpe sampler (the default type)", {
    type: z.literal("tpe").optional().default("tpe"),
    seed: samplerSeed,
    nStartupTrials: count("Startup trials", 0).default(10),
    nEiCandidates: count("EI candidates", 1).default(24),
    multivariate: flag("Multivariate").default(false),
    // On, unlike Optuna's default: trials running on other workers count as the worst, so
    // parallel workers spread out instead of sampling the same point. With one worker the only
    // running trial is the one being sampled, which TPE leaves out anyway.
    constantLiar: flag("Constant liar").default(true),
  }, '{"type": "tpe", "seed": 0}'),
  strictObject(
    "random sampler",
    { type: z.literal("random"), seed: samplerSeed },
    '{"type": "random"}',
  ),
  strictObject("grid sampler", { type: z.literal("grid"), seed: samplerSeed }, '{"type": "grid"}'),
  // Optuna 3.1's NSGAIISampler defaults; mutationProb defaults to 1 / (number of parameters).
  strictObject("nsga2 sampler", {
    type: z.literal("nsga2"),
    seed: samplerSeed,
    populationSize: count("Population size", 2).default(50),
    mutationProb: boundedNumber("Mutation probability", { min: 0, max: 1 }).optional(),
    crossoverProb: boundedNumber("Crossover probability", { min: 0, max: 1 }).default(0.9),
    swappingProb: boundedNumber("Swapping probability", { min: 0, max: 1 }).default(0.5),
  }, '{"type": "nsga2", "populationSize": 50}'),
  // Optuna 4's GPSampler defaults; single objective, no constraints (checked on the study).
  strictObject("gp sampler", {
    type: z.literal("gp"),
    seed: samplerSeed,
    nStartupTrials: count("Startup trials", 0).default(10),
    deterministicObjective: flag("Deterministic objective").default(false),
  }, '{"type": "gp", "seed": 0}'),
  // Optuna 3.1's CmaEsSampler defaults; popsize defaults to 4 + ⌊3 ln n⌋, sigma0 to range / 6.
  strictObject("cmaes sampler", {
    type: z.literal("cmaes"),
    seed: samplerSeed,
    nStartupTrials: count("Startup trials", 0).default(1),
    sigma0: boundedNumber("Sigma0", { min: 1e-12 }).optional(),
    popsize: count("Population size", 2).optional(),
    restartStrategy: oneOf("Restart strategy", ["none", "ipop", "bipop"]).default("none"),
    incPopsize: count("Population increase", 1).default(2),
    considerPrunedTrials: flag("Consider pruned trials").default(false),
  }, '{"type": "cmaes", "seed": 0}'),
  // Optuna 3.1's QMCSampler defaults (scramble off, so every worker draws the same points).
  strictObject("qmc sampler", {
    type: z.literal("qmc"),
    seed: samplerSeed,
    qmcType: oneOf("QMC type", ["sobol", "halton"]).default("sobol"),
    scramble: flag("Scramble").default(false),
  }, '{"type": "qmc", "qmcType": "sobol"}'),
], { error: taggedUnionError("Sampler", SAMPLER_TYPES, '{"type": "tpe", "seed": 0}') });

const minResourceError = (iss: { input?: unknown }) =>
  `Min resource must be an integer of at least 1 or "auto", got ${show(iss.input)}`;
// Optuna's default: "auto" estimates it from the first trial to complete, as
// max(1, ⌊its last step / 100⌋) (`_estimate_min_resource` in `optuna/pruners/_successive_halving.py`).
const minResourceSchema = z.union([
  z.literal("auto", { error: minResourceError }),
  z.int({ error: minResourceError }).gte(1, { error: minResourceError }),
], { error: minResourceError }).describe(
  'Epochs before the first rung; "auto" (the default): max(1, ⌊last epoch of the first ' +
    "completed trial / 100⌋), and no pruning until a trial completes",
);

const maxResourceError = (iss: { input?: unknown }) =>
  `Max resource must be an integer of at least 1 or "auto", got ${show(iss.input)}`;
const maxResourceSchema = z.union([
  z.literal("auto", { error: maxResourceError }),
  z.int({ error: maxResourceError }).gte(1, { error: maxResourceError }),
], { error: maxResourceError }).describe(
  'Epochs a trial trains at most; "auto" (the default): 1 + the last epoch of the first ' +
    "completed trial, and no pruning until a trial completes",
);

// Optuna's PercentilePruner knobs; median is their 50th-percentile case.
const percentileKnobs = {
  nStartupTrials: count("Startup trials", 0).default(5),
  nWarmupSteps: count("Warmup steps", 0).default(0),
  intervalSteps: count("Interval steps", 1).default(1),
};

const medianPruner = strictObject("median pruner (the default type)", {
  type: z.literal("median").optional().default("median"),
  ...percentileKnobs,
}, '{"type": "median"}');

const percentilePruner = strictObject("percentile pruner", {
  type: z.literal("percentile"),
  percentile: boundedNumber("Percentile", { min: 0, max: 100 })
    .describe("Keep trials within this top percentile at each epoch: 25 keeps the best quarter"),
  ...percentileKnobs,
  nMinTrials: count("Min trials", 1).default(1),
}, '{"type": "percentile", "percentile": 25}');

const ashaPruner = strictObject("asha pruner", {
  type: z.literal("asha"),
  minResource: minResourceSchema.default("auto"),
  reductionFactor: count("Reduction factor", 2).default(4),
  minEarlyStoppingRate: count("Min early stopping rate", 0).default(0),
}, '{"type": "asha", "reductionFactor": 4}');

// Optuna's HyperbandPruner defaults: min_resource 1, max_resource "auto", reduction_factor 3.
const hyperbandPruner = strictObject("hyperband pruner", {
  type: z.literal("hyperband"),
  minResource: count("Min resource", 1).default(1)
    .describe("Epochs before the first rung of the most aggressive bracket"),
  maxResource: maxResourceSchema.default("auto"),
  reductionFactor: count("Reduction factor", 2).default(3),
}, '{"type": "hyperband", "maxResource": 20}').superRefine((pruner, ctx) => {
  if (pruner.maxResource !== "auto" && pruner.maxResource < pruner.minResource) {
    ctx.addIssue({
      code: "custom",
      path: ["maxResource"],
      input: pruner.maxResource,
      message: `Max resource must be at least min resource (${pruner.minResource}), ` +
        `got ${pruner.maxResource}`,
    });
  }
});

const bound = (label: string) =>
  boundedNumber(label).optional().describe(`${label}: a trial whose latest value is past it stops`);

const thresholdPruner = strictObject("threshold pruner", {
  type: z.literal("threshold"),
  lower: bound("Lower bound"),
  upper: bound("Upper bound"),
  nWarmupSteps: count("Warmup steps", 0).default(0),
  intervalSteps: count("Interval steps", 1).default(1),
}, '{"type": "threshold", "upper": 2.5}').superRefine((pruner, ctx) => {
  if (pruner.lower === undefined && pruner.upper === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["lower"],
      input: pruner,
      message: "A threshold pruner needs a lower bound, an upper bound, or both",
    });
  } else if (
    pruner.lower !== undefined && pruner.upper !== undefined && pruner.lower > pruner.upper
  ) {
    ctx.addIssue({
      code: "custom",
      path: ["upper"],
      input: pruner.upper,
      message:
        `Upper bound must be at least the lower bound (${pruner.lower}), got ${pruner.upper}`,
    });
  }
});

const wrappedPrunerSchema = z.discriminatedUnion("type", [
  medianPruner,
  percentilePruner,
  ashaPruner,
  hyperbandPruner,
  thresholdPruner,
], {
  error: taggedUnionError("Wrapped pruner", WRAPPED_PRUNER_TYPES, '{"type": "median"}'),
}).describe("Decides once patience runs out; without one the trial is pruned then");

const patientPruner = strictObject("patient pruner", {
  type: z.literal("patient"),
  patience: count("Patience", 0)
    .describe("Epochs without improvement tolerated before the wrapped pruner is asked"),
  minDelta: boundedNumber("Min delta", { min: 0 }).default(0),
  wrapped: wrappedPrunerSchema.optional(),
}, '{"type": "patient", "patience": 3, "wrapped": {"type": "median"}}');

const prunerSchema = z.discriminatedUnion("type", [
  medianPruner,
  percentilePruner,
  ashaPruner,
  hyperbandPruner,
  thresholdPruner,
  patientPruner,
  strictObject("none pruner", { type: z.literal("none") }, '{"type": "none"}'),
], { error: taggedUnionError("Pruner", PRUNER_TYPES, '{"type": "median"}') });

/** A partial run config, kept as written (the tuner sets parameters on it, then applies defaults). */
const baseSchema = z.record(z.string(), z.unknown(), {
  error: (iss) => `Base must be a run config object such as {"epochs": 5}, got ${show(iss.input)}`,
}).superRefine((base, ctx) => {
  const result = runConfigSchema.safeParse(base);
  if (result.success) return;
  for (const issue of result.error.issues) {
    ctx.addIssue({ code: "custom", path: issuePath(issue), message: issue.message, input: base });
  }
}).describe("A partial run config; missing fields take the run config defaults");

type SpaceChecked = {
  base: Record<string, unknown>;
  space: SpaceSpec;
  sampler: { type: string };
};

/**
 * The space's shape (`space_checks.ts`), then every value it can take on the base, then, for a
 * grid, a step on every float and a point count that can be numbered.
 */
function checkSpace(spec: SpaceChecked, ctx: z.core.$RefinementCtx<SpaceChecked>) {
  const report = (issues: Array<{ path: (string | number)[]; message: string }>) => {
    for (const issue of issues) {
      ctx.addIssue({ code: "custom", path: issue.path, message: issue.message, input: spec.space });
    }
    return issues.length > 0;
  };
  if (report(spaceShapeIssues(spec.space))) return;
  // A broken base has its own issues already; probing it would only repeat them.
  if (runConfigSchema.safeParse(spec.base).success) {
    report(spaceFitIssues(spec.base as RunConfigInput, spec.space));
  }
  if (spec.sampler.type !== "grid") return;
  if (report(gridStepIssues(spec.space))) return;
  const points = gridSize(spec.space);
  if (points > MAX_GRID_POINTS) {
    report([{
      path: ["space"],
      message: `The grid has ${points.toPrecision(3)} points, more than ${MAX_GRID_POINTS} can ` +
        `be numbered; use fewer values per parameter`,
    }]);
  }
}

/** Trials one process may train at once for a study (`parallel`), at most. */
export const MAX_PARALLEL = 64;

const parallelError = (iss: { input?: unknown }) =>
  `Parallel must be "auto" or a whole number of trials from 1 to ${MAX_PARALLEL}, got ${
    show(iss.input)
  }`;
/**
 * How many trials each process that works on the study trains at once, each in its own engine
 * process: "auto" (the default) chooses from this machine's cores and backend
 * (`jobs/parallel.ts`); the study's total and its trial numbers are shared as with several workers.
 */
const parallelSchema = z.union([
  z.literal("auto", { error: parallelError }),
  z.int({ error: parallelError }).gte(1, { error: parallelError }).lte(MAX_PARALLEL, {
    error: parallelError,
  }),
], { error: parallelError }).describe(
  'Trials trained at once on each machine working on the study, each in its own engine process; "auto" (the default) chooses from the cores and the backend',
);

/**
 * A study's name: what lists show and `deno task tune --study NAME` joins by; unique. Blank is
 * refused like empty (which the length rule already names).
 */
const studyName = displayName("Study name", 1, 100).refine(
  (name) => name === "" || name.trim() !== "",
  {
    error: (iss) => `Study name must not be blank, got ${show(iss.input)}`,
  },
);

export const studySpecSchema = strictObject("study", {
  name: studyName,
  direction: oneOf("Direction", DIRECTIONS).default("maximize"),
  metric: oneOf("Metric", OBJECTIVE_METRICS).default("devAccuracy"),
  metrics: metricsSchema.optional(),
  directions: directionsSchema.optional(),
  constraints: constraintsSchema.optional(),
  trials: boundedNumber("Trials", { min: 1, max: 10000, integer: true }).default(20),
  parallel: parallelSchema.default("auto"),
  sampler: samplerSchema.prefault({}),
  pruner: prunerSchema.prefault({}),
  base: baseSchema.prefault({}),
  space: spaceSchema,
}, '{"name": "mnist-lr", "space": {"optimizer.lr": {"type": "float", "low": 0.0001, "high": 0.1}}}')
  .superRefine(checkSpace)
  .superRefine(checkGpObjectives)
  .superRefine(checkCmaesObjectives);

/** CMA-ES (as Optuna 3.1's) minimises one objective and knows no constraints. */
function checkCmaesObjectives(
  spec: { sampler: { type: string }; metrics?: unknown[]; constraints?: unknown[] },
  ctx: z.RefinementCtx,
): void {
  if (spec.sampler.type !== "cmaes") return;
  const objectives = spec.metrics?.length ?? 1, constraints = spec.constraints?.length ?? 0;
  if (objectives === 1 && constraints === 0) return;
  ctx.addIssue({
    code: "custom",
    path: ["sampler", "type"],
    message: `Sampler cmaes handles one objective without constraints, got ${objectives} ` +
      `metrics and ${constraints} constraints: use "tpe" or "nsga2"`,
  });
}

/** The GP sampler models one unconstrained objective (no LogEHVI, no constrained LogEI here). */
function checkGpObjectives(
  spec: { sampler: { type: string }; metrics?: unknown[]; constraints?: unknown[] },
  ctx: z.RefinementCtx,
): void {
  if (spec.sampler.type !== "gp") return;
  const objectives = spec.metrics?.length ?? 1, constraints = spec.constraints?.length ?? 0;
  if (objectives === 1 && constraints === 0) return;
  ctx.addIssue({
    code: "custom",
    path: ["sampler", "type"],
    message: `Sampler gp handles one objective without constraints, got ${objectives} ` +
      `metrics and ${constraints} constraints: use "tpe" or "nsga2"`,
  });
}

type StudyOutput = z.output<typeof studySpecSchema>;

/** A validated study: defaults applied everywhere except `base`, which stays as written. */
export type StudySpec = Omit<StudyOutput, "base"> & { base: RunConfigInput };
export type SamplerSpec = StudyOutput["sampler"];
export type PrunerSpec = StudyOutput["pruner"];

export type ParseStudySpecResult = { ok: true; spec: StudySpec } | { ok: false; issues: Issue[] };

export function parseStudySpec(input: unknown): ParseStudySpecResult {
  const polluting = protoKeyIssue(input);
  if (polluting) return { ok: false, issues: [polluting] };
  const space = (input as { space?: unknown } | null)?.space;
  if (spaceNesting(space) > MAX_SPACE_DEPTH) {
    const message = `Sub-spaces may nest at most ${MAX_SPACE_DEPTH} levels deep`;
    return { ok: false, issues: [{ path: "space", message }] };
  }
  const objectives = objectivesIssues((input ?? {}) as Record<string, unknown>);
  if (objectives.length > 0) return { ok: false, issues: objectives };
  const result = studySpecSchema.safeParse(
    input && typeof input === "object"
      ? withObjectiveDefaults(input as Record<string, unknown>)
      : input,
  );
  if (!result.success) return { ok: false, issues: toIssues(result.error) };
  return { ok: true, spec: { ...result.data, base: result.data.base as RunConfigInput } };
}

/** `PATCH /api/studies/:id` and the study page's Rename: the new name. */
export const studyRenameSchema = strictObject(
  "study rename",
  { name: studyName },
  '{"name": "mnist-lr-2"}',
);
