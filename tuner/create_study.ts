/**
 * `createStudy()`: opens a study in a storage, new or (with `loadIfExists`) existing, with the
 * defaults of Optuna 3.1's `optuna.create_study`: minimize, TPE sampler, median pruner, memory
 * storage.
 *
 * @module
 */

import type { StudyDirection } from "./frozen_trial.ts";
import { InMemoryStorage } from "./in_memory_storage.ts";
import { MedianPruner } from "./pruners/median.ts";
import { NopPruner } from "./pruners/nop.ts";
import type { Pruner } from "./pruners/base.ts";
import type { Sampler } from "./samplers/base.ts";
import { TpeSampler } from "./samplers/tpe/sampler.ts";
import { type Storage, studyDirections } from "./storage.ts";
import { Study } from "./study.ts";

export interface CreateStudyOptions {
  /** Default "minimize". */
  direction?: StudyDirection;
  /**
   * One direction per objective: a multi-objective study (the objective returns an array, the
   * study's `bestTrials` is the Pareto front). Not with `direction`.
   */
  directions?: readonly StudyDirection[];
  /** Default `new TpeSampler({ seed })`. */
  sampler?: Sampler;
  /** Default `new MedianPruner()`. */
  pruner?: Pruner;
  /** Default a fresh `InMemoryStorage`. */
  storage?: Storage;
  /** Default a unique generated name. */
  name?: string;
  /** Seed of the default sampler, making the whole search reproducible. */
  seed?: number;
  /** Resume the study of that name when it exists (how parallel workers join one study). */
  loadIfExists?: boolean;
}

export async function createStudy(options: CreateStudyOptions = {}): Promise<Study> {
  if (options.direction !== undefined && options.directions !== undefined) {
    throw new RangeError("Give direction or directions, not both");
  }
  const directions = options.directions ?? [options.direction ?? "minimize"];
  if (directions.length === 0) throw new RangeError("directions must name at least one direction");
  for (const direction of directions) {
    if (direction !== "minimize" && direction !== "maximize") {
      throw new RangeError(
        `Study direction is ${JSON.stringify(direction)}; use "minimize" or "maximize"`,
      );
    }
  }
  if (
    directions.length > 1 && options.pruner !== undefined && !(options.pruner instanceof NopPruner)
  ) {
    throw new RangeError(
      "Pruning is not supported for multi-objective studies; leave the pruner out (NopPruner)",
    );
  }
  const storage = options.storage ?? new InMemoryStorage();
  const name = options.name ?? `no-name-${crypto.randomUUID()}`;
  const existing = await storage.getStudy(name);
  if (existing !== null && !options.loadIfExists) {
    throw new Error(`Study "${name}" already exists; pass loadIfExists: true to resume it`);
  }
  const stored = existing === null ? null : studyDirections(existing);
  if (stored !== null && stored.join() !== directions.join()) {
    throw new Error(
      stored.length === 1 && directions.length === 1
        ? `Study "${name}" exists with direction "${stored[0]}", not "${directions[0]}"`
        : `Study "${name}" exists with directions ${JSON.stringify(stored)}, ` +
          `not ${JSON.stringify(directions)}`,
    );
  }
  const record = existing ??
    await storage.createStudy(name, directions.length === 1 ? directions[0] : directions);
  const sampler = options.sampler ?? new TpeSampler({ seed: options.seed });
  const pruner = options.pruner ?? (directions.length > 1 ? new NopPruner() : new MedianPruner());
  const study = new Study(record, storage, sampler, pruner);
  await study.getTrials();
  return study;
}
