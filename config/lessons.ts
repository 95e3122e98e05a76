/**
 * The seed exercise's lessons as groups of plain run configs: each lesson turns one knob (batch
 * mode, optimizer, init, dropout, batch norm, L1/L2) over a base that is otherwise the same —
 * seed, dataset, split, model — and small enough that the whole group trains in about a minute
 * on a CPU (a few thousand MNIST rows, a few epochs, a 128–64 network).
 *
 * @module
 */

import type { RunConfigInput } from "./schema.ts";

export interface LessonVariant {
  /** Short, for the run's name: "Lesson: optimizers — adam". */
  label: string;
  /** What this variant sets over the lesson's base. */
  change: RunConfigInput;
}

export interface Lesson {
  id: string;
  title: string;
  /** The config fields the variants differ in, dotted, `*` for every layer. */
  knob: string[];
  /** What to look for on the comparison: two or three sentences a teacher would say. */
  lookFor: string;
  /**
   * The layer statistic the lesson's comparison opens on, where the knob shows inside the
   * network: a key of the compare page's statistics (`views/runs/layer_stats_charts.ts`).
   */
  statistic: string;
  base: RunConfigInput;
  variants: LessonVariant[];
}

/** Shared by every lesson: one seed, one split, a few thousand rows, a few epochs. */
export const LESSON_SEED = 42;
export const LESSON_TRAIN_SIZE = 3000;
/** The datasets a lesson may use, in order of preference: MNIST, else Fashion-MNIST. */
export const LESSON_DATASETS = ["mnist", "fashion-mnist"] as const;

const data = {
  dataset: "mnist",
  trainSize: LESSON_TRAIN_SIZE,
  split: { train: 0.9, dev: 0.1 },
};

/** The 128–64 ReLU network, with `layer` over each of its two layers. */
function twoLayers(layer: { dropout?: number } = {}) {
  return [{ units: 128, dropout: 0, ...layer }, { units: 64, dropout: 0, ...layer }];
}

function base(overrides: RunConfigInput = {}): RunConfigInput {
  return {
    seed: LESSON_SEED,
    data,
    model: { init: "default", layers: twoLayers() },
    optimizer: { type: "adam", lr: 1e-3 },
    batch: { mode: "minibatch", size: 64 },
    epochs: 4,
    ...overrides,
  };
}

/** A deep-ish sigmoid net, where saturated activations make depth hurt without batch norm. */
function deepSigmoid(batchNorm: boolean) {
  return Array.from(
    { length: 5 },
    () => ({ units: 64, activation: "sigmoid" as const, batchNorm }),
  );
}

export const LESSONS: Lesson[] = [
  {
    id: "batch-modes",
    title: "Batch modes",
    knob: ["batch.mode", "batch.size"],
    lookFor: "Full batch takes one step per epoch: its curve is smooth but after a few epochs it " +
      "has barely moved. Stochastic takes a step per example, so its loss is noisy yet it makes " +
      "the most progress per epoch (and costs the most time); mini-batch sits between, which is " +
      "why it is the default.",
    statistic: "updateRatio",
    base: base(),
    variants: [
      { label: "full batch", change: { batch: { mode: "full" } } },
      { label: "mini-batch 64", change: { batch: { mode: "minibatch", size: 64 } } },
      { label: "stochastic", change: { batch: { mode: "stochastic" } } },
    ],
  },
  {
    id: "optimizers",
    title: "Optimizers",
    knob: ["optimizer"],
    lookFor: "Plain SGD follows the raw gradient and creeps; momentum keeps a running direction " +
      "and gets further in the same steps. RMSprop and Adam scale each weight's step by its " +
      "recent gradient size, so they drop the loss fastest early on — Adam adds momentum on top.",
    statistic: "updateRatio",
    base: base(),
    variants: [
      { label: "sgd", change: { optimizer: { type: "sgd", lr: 0.01 } } },
      { label: "sgd+momentum", change: { optimizer: { type: "sgd", lr: 0.01, momentum: 0.9 } } },
      { label: "rmsprop", change: { optimizer: { type: "rmsprop", lr: 1e-3 } } },
      { label: "adam", change: { optimizer: { type: "adam", lr: 1e-3 } } },
    ],
  },
  {
    id: "initialisation",
    title: "Initialisation",
    knob: ["model.init"],
    lookFor: "Watch the per-layer activation std from layer to layer. He (Kaiming) init scales " +
      "weights by 2/fan-in, which keeps ReLU activations' scale through depth; Xavier assumes " +
      "symmetric activations (tanh) and lets ReLU signals shrink, LeCun sits close to it. The " +
      "better-scaled start shows as a lower loss in the first epoch.",
    statistic: "activationStd",
    base: base({
      model: {
        layers: [{ units: 128 }, { units: 64 }, { units: 64 }, { units: 64 }].map((layer) => ({
          ...layer,
          dropout: 0,
        })),
      },
      optimizer: { type: "sgd", lr: 0.05 },
    }),
    variants: [
      { label: "default", change: { model: { init: "default" } } },
      { label: "xavier", change: { model: { init: "xavier_normal" } } },
      { label: "he", change: { model: { init: "kaiming_normal" } } },
      { label: "lecun", change: { model: { init: "lecun_normal" } } },
    ],
  },
  {
    id: "dropout",
    title: "Dropout",
    knob: ["model.layers.*.dropout"],
    lookFor: "Dropout switches off a random share of units at each step, so the network cannot " +
      "lean on any one of them. It trades train accuracy for dev accuracy: the gap between the " +
      "two curves narrows as the rate grows, and at 0.5 on so little data training is visibly " +
      "slower.",
    statistic: "weightNorm",
    base: base({ epochs: 6 }),
    variants: [
      { label: "0", change: { model: { layers: twoLayers({ dropout: 0 }) } } },
      { label: "0.2", change: { model: { layers: twoLayers({ dropout: 0.2 }) } } },
      { label: "0.5", change: { model: { layers: twoLayers({ dropout: 0.5 }) } } },
    ],
  },
  {
    id: "batch-norm",
    title: "Batch norm",
    knob: ["model.layers.*.batchNorm"],
    lookFor:
      "Five sigmoid layers trained with SGD: without batch norm the signal saturates and the " +
      "gradient fades on its way back, so the loss sits near its start. Batch norm re-centres " +
      "and rescales each layer's pre-activations every batch, keeping the sigmoids in their " +
      "useful range — compare the saturated share per layer.",
    statistic: "inactiveShare",
    base: base({
      model: { layers: deepSigmoid(false) },
      optimizer: { type: "sgd", lr: 0.1, momentum: 0.9 },
    }),
    variants: [
      { label: "off", change: { model: { layers: deepSigmoid(false) } } },
      { label: "on", change: { model: { layers: deepSigmoid(true) } } },
    ],
  },
  {
    id: "regularization",
    title: "L1, L2 and elastic net",
    knob: ["regularization"],
    lookFor: "Both penalties add to the loss, so the training loss ends higher. L2 shrinks every " +
      "weight in proportion to its size (weight norms fall smoothly); L1 pulls each weight " +
      "toward zero by the same amount, driving many exactly to zero — look at the weight " +
      "histograms. Elastic net does both.",
    statistic: "weightNorm",
    base: base({ epochs: 5 }),
    variants: [
      { label: "none", change: { regularization: { l1: 0, l2: 0 } } },
      { label: "l1", change: { regularization: { l1: 1e-4, l2: 0 } } },
      { label: "l2", change: { regularization: { l1: 0, l2: 1e-3 } } },
      { label: "elastic net", change: { regularization: { l1: 1e-4, l2: 1e-3 } } },
    ],
  },
];

export function findLesson(id: string): Lesson | undefined {
  return LESSONS.find((lesson) => lesson.id === id);
}

/**
 * The lesson's run config inputs on `dataset`, one per variant, named after the lesson and the
 * variant. A variant's sections replace the base's at the top (`model`, `batch`…), merged one
 * level down so a variant names only what it turns.
 */
export function lessonConfigs(lesson: Lesson, dataset: string = data.dataset): RunConfigInput[] {
  return lesson.variants.map((variant) => {
    const config: Record<string, unknown> = { ...lesson.base };
    for (const [key, value] of Object.entries(variant.change)) {
      const before = config[key];
      config[key] = isObject(before) && isObject(value) ? { ...before, ...value } : value;
    }
    config.name = `Lesson: ${lesson.id.replaceAll("-", " ")} — ${variant.label}`;
    config.data = { ...(config.data as Record<string, unknown>), dataset };
    return config as RunConfigInput;
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
