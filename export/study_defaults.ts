/**
 * The run config schema's defaults as data, for the Optuna script's `with_defaults`
 * (`export/python/study_config.py`): read from the zod schemas themselves, so the Python fills a
 * trial's config exactly as `applyParams` does here. Per section: the scalars of the run, of
 * `data`, `model`, a layer, …; per type: each optimizer's, scheduler's and clipping's fields that
 * have a default.
 *
 * @module
 */

import { gradientClippingSchema } from "../config/clip_schema.ts";
import { earlyStoppingSchema } from "../config/early_stopping_schema.ts";
import { OPTIMIZER_TYPES, optimizerSchema } from "../config/optimizer_schema.ts";
import { schedulerSchema } from "../config/scheduler_schema.ts";
import { defaultRunConfig, runConfigSchema } from "../config/schema.ts";
import { SCHEDULER_TYPES, type SchedulerType } from "../engine/spec.ts";

/** The fields each scheduler needs given (no default): filled in to parse, then left out. */
const SCHEDULER_REQUIRED: Record<SchedulerType, Record<string, unknown>> = {
  step: { stepSize: 1 },
  multi_step: { milestones: [1] },
  exponential: { gamma: 0.5 },
  cosine_annealing: { tMax: 1 },
  linear: {},
  one_cycle: { maxLr: 1 },
  reduce_on_plateau: {},
};

function without(object: object, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([key]) => !keys.includes(key)));
}

export function configDefaults(): Record<string, unknown> {
  const full = defaultRunConfig();
  const layer = runConfigSchema.parse({ model: { layers: [{ units: 1 }] } }).model.layers[0];
  return {
    run: {
      name: full.name,
      seed: full.seed,
      loss: full.loss,
      epochs: full.epochs,
      device: full.device,
    },
    data: { dataset: full.data.dataset },
    normalize: full.data.normalize,
    split: full.data.split,
    model: { init: full.model.init },
    layers: full.model.layers,
    layer: without(layer, ["units"]),
    regularization: full.regularization,
    batch: full.batch,
    optimizer: Object.fromEntries(
      OPTIMIZER_TYPES.map((type) => [type, optimizerSchema.parse({ type })]),
    ),
    scheduler: Object.fromEntries(SCHEDULER_TYPES.map((type) => {
      const required = SCHEDULER_REQUIRED[type];
      const parsed = schedulerSchema.parse({ type, ...required });
      return [type, without(parsed, Object.keys(required))];
    })),
    gradientClipping: {
      norm: without(gradientClippingSchema.parse({ type: "norm", maxNorm: 1 }), ["maxNorm"]),
      value: without(gradientClippingSchema.parse({ type: "value", clipValue: 1 }), [
        "clipValue",
      ]),
    },
    // The mode follows the metric when left out: with_defaults says so in Python.
    earlyStopping: without(earlyStoppingSchema.parse({}), ["mode"]),
  };
}
