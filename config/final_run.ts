/**
 * A study's final model, the way Optuna users finish a search: the best trial's parameters
 * retrained on the whole training pool, for more epochs, with a new seed, and the dev split
 * either kept (to watch it) or folded into training. One rule for the new-run form
 * (`/runs/new?study=`), the API (`POST /api/studies/:id/train-best`) and
 * `deno task tune --train-best`.
 *
 * @module
 */

import type { z } from "zod";
import type { RunConfig } from "../engine/spec.ts";
import type { ParamValue } from "../tuner/frozen_trial.ts";
import { boundedNumber, flag, strictObject } from "./fields.ts";
import { configForParams, type StudySpec } from "./study_schema.ts";

/** A final run trains this many times its trial's epochs unless told otherwise. */
export const EPOCHS_FACTOR = 2;
const MAX_EPOCHS = 10000;
const SEEDS = 2 ** 32;
/** Run names are at most 100 characters; a long study name is cut to leave room for " final". */
const MAX_NAME = 100;
const NAME_SUFFIX = " final";

export const finalRunOptionsSchema = strictObject("train-best options", {
  epochs: boundedNumber("Epochs", { min: 1, max: MAX_EPOCHS, integer: true }).optional(),
  seed: boundedNumber("Seed", { min: 0, max: SEEDS - 1, integer: true }).optional(),
  fullPool: flag("Full pool").default(true),
  foldDev: flag("Fold dev").default(false),
}, '{"epochs": 20, "foldDev": true}');

/** What a caller may leave out: by default the whole pool, dev kept, 2× epochs, a new seed. */
export type FinalRunOptions = z.input<typeof finalRunOptionsSchema>;

/** The trial a final run retrains: its number and stored parameters. */
export interface BestTrial {
  number: number;
  params: Readonly<Record<string, ParamValue>>;
}

/** Where a final run came from, as `runs.origin_study_id` and `origin_trial_number` store it. */
export interface RunOrigin {
  studyId: number;
  trialNumber: number;
}

/** The run config trial `best` of `spec` trained, rebuilt by walking the space on its params. */
export function trialConfig(spec: StudySpec, best: BestTrial): RunConfig {
  return configForParams(spec.base, spec.space, best.params);
}

/** The final run of study `studyName`: its best trial's config with `options` applied. */
export function finalRunConfig(
  spec: StudySpec,
  studyName: string,
  best: BestTrial,
  options: FinalRunOptions = {},
): RunConfig {
  const chosen = finalRunOptionsSchema.parse(options);
  const trial = trialConfig(spec, best);
  const data = { ...trial.data };
  if (chosen.fullPool) delete data.trainSize;
  if (chosen.foldDev) data.split = foldDev(data.split);
  // Early stopping watches the dev split: folded into training, the run trains its epochs.
  const watched = chosen.foldDev ? { earlyStopping: null } : {};
  return {
    ...trial,
    ...watched,
    name: finalRunName(studyName),
    data,
    epochs: chosen.epochs ?? finalEpochs(trial.epochs),
    seed: chosen.seed ?? newSeed(trial.seed),
  };
}

/** `EPOCHS_FACTOR` times a trial's epochs, within what a run may train. */
export function finalEpochs(trialEpochs: number): number {
  return Math.min(trialEpochs * EPOCHS_FACTOR, MAX_EPOCHS);
}

/** The seed after the trial's: the final model is a fresh draw, not the trial replayed. */
export function newSeed(trialSeed: number): number {
  return (trialSeed + 1) % SEEDS;
}

/** The dev split moved into training: dev 0, the test fraction untouched. */
export function foldDev(split: RunConfig["data"]["split"]): RunConfig["data"]["split"] {
  // 0.8 + 0.1 is 0.9000000000000001 in floating point; the form would show every digit.
  const train = Number((split.train + split.dev).toPrecision(12));
  return { ...split, train, dev: 0 };
}

export function finalRunName(studyName: string): string {
  return `${studyName.slice(0, MAX_NAME - NAME_SUFFIX.length)}${NAME_SUFFIX}`;
}
