/**
 * The `scheduler` part of the run config: one variant per torch.optim.lr_scheduler class, with
 * torch 1.13's defaults and argument checks, camelCase
 * (https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate). Null or left out,
 * the optimizer's lr stays constant.
 *
 * @module
 */

import { z } from "zod";
import {
  ANNEAL_STRATEGIES,
  PLATEAU_METRICS,
  SCHEDULER_TYPES,
  type SchedulerSpec,
} from "../engine/spec.ts";
import {
  boundedNumber,
  type Equals,
  flag,
  oneOf,
  show,
  strictObject,
  taggedUnionError,
} from "./fields.ts";

const epochCount = (label: string) => boundedNumber(label, { min: 1, max: 1e6, integer: true });
const positive = (label: string) => boundedNumber(label, { min: 0, minExclusive: true });

const stepSchema = strictObject("step scheduler", {
  type: z.literal("step"),
  stepSize: epochCount("Step size"),
  gamma: positive("Gamma").default(0.1),
}, '{"type": "step", "stepSize": 10, "gamma": 0.1}');

const milestones = z.array(boundedNumber("Milestone", { min: 1, max: 1e6, integer: true }), {
  error: (iss) =>
    `Milestones must be an array of epoch numbers such as [5, 8], got ${show(iss.input)}`,
}).min(1, { error: "Milestones must list at least one epoch" }).max(100, {
  error: "Milestones may list at most 100 epochs",
});

const multiStepSchema = strictObject("multi_step scheduler", {
  type: z.literal("multi_step"),
  milestones,
  gamma: positive("Gamma").default(0.1),
}, '{"type": "multi_step", "milestones": [5, 8], "gamma": 0.1}');

const exponentialSchema = strictObject("exponential scheduler", {
  type: z.literal("exponential"),
  gamma: positive("Gamma"),
}, '{"type": "exponential", "gamma": 0.9}');

const cosineSchema = strictObject("cosine_annealing scheduler", {
  type: z.literal("cosine_annealing"),
  tMax: epochCount("T max"),
  etaMin: boundedNumber("Eta min", { min: 0 }).default(0),
}, '{"type": "cosine_annealing", "tMax": 10}');

// torch: "Starting multiplicative factor expected to be between 0 and 1"; a 0 start would make
// its recursive formula divide by zero, so it is refused here.
const linearSchema = strictObject("linear scheduler", {
  type: z.literal("linear"),
  startFactor: boundedNumber("Start factor", { min: 0, max: 1, minExclusive: true }).default(
    1 / 3,
  ),
  endFactor: boundedNumber("End factor", { min: 0, max: 1 }).default(1),
  totalIters: epochCount("Total iters").default(5),
}, '{"type": "linear", "startFactor": 0.1, "totalIters": 5}');

const MAX_ONE_CYCLE_STEPS = 1e9;

const oneCycleSchema = strictObject("one_cycle scheduler", {
  type: z.literal("one_cycle"),
  maxLr: positive("Max lr"),
  totalSteps: boundedNumber("Total steps", { min: 1, max: MAX_ONE_CYCLE_STEPS, integer: true })
    .optional(),
  epochs: epochCount("One-cycle epochs").optional(),
  stepsPerEpoch: boundedNumber("Steps per epoch", { min: 1, max: 1e7, integer: true }).optional(),
  pctStart: boundedNumber("Pct start", { min: 0, max: 1 }).default(0.3),
  annealStrategy: oneOf("Anneal strategy", ANNEAL_STRATEGIES).default("cos"),
  cycleMomentum: flag("Cycle momentum").default(true),
  baseMomentum: boundedNumber("Base momentum", { min: 0, max: 1, maxExclusive: true }).default(
    0.85,
  ),
  maxMomentum: boundedNumber("Max momentum", { min: 0, max: 1, maxExclusive: true }).default(
    0.95,
  ),
  divFactor: positive("Div factor").default(25),
  finalDivFactor: positive("Final div factor").default(1e4),
  threePhase: flag("Three phase").default(false),
}, '{"type": "one_cycle", "maxLr": 0.01}').superRefine((spec, ctx) => {
  // torch: "You must define either total_steps OR (epochs AND steps_per_epoch)"; left out
  // entirely, the run's own epochs and batches define it.
  if (
    spec.totalSteps === undefined &&
    (spec.epochs === undefined) !== (spec.stepsPerEpoch === undefined)
  ) {
    ctx.addIssue({
      code: "custom",
      path: [spec.epochs === undefined ? "epochs" : "stepsPerEpoch"],
      message: "One-cycle needs epochs and stepsPerEpoch together (or totalSteps, or neither " +
        `for the run's own), got epochs ${show(spec.epochs)} and stepsPerEpoch ${
          show(spec.stepsPerEpoch)
        }`,
      input: spec,
    });
  }
});

const plateauSchema = strictObject("reduce_on_plateau scheduler", {
  type: z.literal("reduce_on_plateau"),
  metric: oneOf("Plateau metric", PLATEAU_METRICS).default("devLoss"),
  mode: oneOf("Mode", ["min", "max"]).default("min"),
  // torch: "Factor should be < 1.0."
  factor: boundedNumber("Factor", { min: 0, max: 1, minExclusive: true, maxExclusive: true })
    .default(0.1),
  patience: boundedNumber("Patience", { min: 0, max: 1e6, integer: true }).default(10),
  threshold: boundedNumber("Threshold", { min: 0 }).default(1e-4),
  thresholdMode: oneOf("Threshold mode", ["rel", "abs"]).default("rel"),
  cooldown: boundedNumber("Cooldown", { min: 0, max: 1e6, integer: true }).default(0),
  minLr: boundedNumber("Min lr", { min: 0 }).default(0),
  eps: boundedNumber("Eps", { min: 0 }).default(1e-8),
}, '{"type": "reduce_on_plateau", "patience": 3}');

export const schedulerSchema = z.discriminatedUnion("type", [
  stepSchema,
  multiStepSchema,
  exponentialSchema,
  cosineSchema,
  linearSchema,
  oneCycleSchema,
  plateauSchema,
], {
  error: taggedUnionError(
    "Scheduler",
    SCHEDULER_TYPES,
    '{"type": "step", "stepSize": 10} (or null for a constant lr)',
  ),
});

type Output = z.output<typeof schedulerSchema>;
true satisfies Equals<Output, SchedulerSpec>;
