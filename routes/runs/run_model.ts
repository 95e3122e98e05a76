/**
 * A run's trained model as the pages and the predict endpoint use it: what its dataset is (image
 * or not, class names), and its stored weights rebuilt on the CPU reference. Rebuilt models are
 * kept for the last few runs asked about, since a person drawing a digit asks many times a
 * second and a completed run's weights never change.
 *
 * @module
 */

import { getRun, getWeights, type RunWithEpochs } from "../../db/runs.ts";
import { StoredModel } from "../../engine/cpu/stored_model.ts";
import { MNIST_SIDE } from "../../engine/data/digit_preprocess.ts";
import { datasetClassNames, type DatasetRoots, loadDataset } from "../../engine/data/load.ts";
import type { RunConfig } from "../../engine/spec.ts";
import type { TestRecord } from "../../engine/train.ts";
import type { AppContext } from "../context.ts";

/** What the network views need to know of a run's dataset. */
export interface DataFacts {
  features: number;
  classes: number;
  imageSide?: number;
  /** Raw inputs are 0–255 grey levels (image datasets). */
  pixels: boolean;
  classNames: string[];
}

/**
 * The run's dataset as loaded now (cached by the engine's loader), or, where it has moved since,
 * what the run's own records say: features from the first layer's weights, classes from its test.
 */
export async function dataFacts(
  config: RunConfig,
  roots: DatasetRoots,
  stored?: { features?: number; classes?: number },
): Promise<DataFacts | null> {
  try {
    const dataset = await loadDataset(config.data.dataset, roots, { seed: config.seed });
    return {
      features: dataset.features,
      classes: dataset.classes,
      imageSide: dataset.imageSide,
      pixels: dataset.pixels,
      classNames: dataset.classNames,
    };
  } catch {
    const { features, classes } = stored ?? {};
    if (features === undefined || classes === undefined) return null;
    const id = config.data.dataset;
    const pixels = id === "mnist" || id === "fashion-mnist" || id.startsWith("idx:");
    const side = Math.round(Math.sqrt(features));
    return {
      features,
      classes,
      imageSide: pixels && side * side === features ? side : undefined,
      pixels,
      classNames: datasetClassNames(id, classes),
    };
  }
}

/** Digits can be drawn for it: 28×28 grey-level images, as MNIST's. */
export function isDigitImages(facts: DataFacts | null): boolean {
  return facts !== null && facts.pixels && facts.imageSide === MNIST_SIDE &&
    facts.features === MNIST_SIDE * MNIST_SIDE;
}

export type RunModel =
  | { ok: true; run: RunWithEpochs; model: StoredModel; facts: DataFacts }
  | { ok: false; status: 404 | 409; message: string };

const KEPT_MODELS = 4;
/** By run id and creation time, so a deleted run's id taken again is not mistaken for it. */
const kept = new Map<string, { model: StoredModel; facts: DataFacts }>();

/** The run's trained model for drawn digits, or why there is none (404, 409). */
export async function digitModel(ctx: AppContext, id: number): Promise<RunModel> {
  const run = await getRun(ctx.db, id);
  if (!run) return { ok: false, status: 404, message: `Run ${id} does not exist` };
  const key = `${id}@${new Date(run.createdAt).getTime()}`;
  const hit = kept.get(key);
  if (hit) {
    // Most recently used last, so the oldest is the first to go.
    kept.delete(key);
    kept.set(key, hit);
    return { ok: true, run, ...hit };
  }
  const weights = await getWeights(ctx.db, id);
  if (!weights) {
    return {
      ok: false,
      status: 409,
      message: `Run ${id} has no stored weights: only completed runs do, and it is ${run.status}`,
    };
  }
  const config = run.config as RunConfig;
  const test = run.test as TestRecord | null;
  const model = StoredModel.fromSafetensors(weights, {
    pixels: true,
    classes: test?.classes,
  });
  const facts = await dataFacts(config, ctx.datasetRoots, {
    features: model.features,
    classes: model.classes,
  });
  if (!isDigitImages(facts)) {
    return {
      ok: false,
      status: 409,
      message: `Run ${id} trained on ${config.data.dataset}, which is not 28×28 grey-level ` +
        `images: digits can be drawn only for image datasets such as mnist`,
    };
  }
  kept.set(key, { model, facts: facts! });
  if (kept.size > KEPT_MODELS) kept.delete(kept.keys().next().value!);
  return { ok: true, run, model, facts: facts! };
}
