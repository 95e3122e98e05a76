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
import type { Pruner } from "./pruners/base.ts";
import type { Sampler } from "./samplers/base.ts";
import { TpeSampler } from "./samplers/tpe/sampler.ts";
import type { Storage } from "./storage.ts";
import { Study } from "./study.ts";

export interface CreateStudyOptions {
  /** Default "minimize". */
  direction?: StudyDirection;
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
  const direction = options.direction ?? "minimize";
  if (direction !== "minimize" && direction !== "maximize") {
    throw new RangeError(
      `Study direction is ${JSON.stringify(direction)}; use "minimize" or "maximize"`,
    );
  }
  const storage = options.storage ?? new InMemoryStorage();
  const name = options.name ?? `no-name-${crypto.randomUUID()}`;
  const existing = await storage.getStudy(name);
  if (existing !== null && !options.loadIfExists) {
    throw new Error(`Study "${name}" already exists; pass loadIfExists: true to resume it`);
  }
  if (existing !== null && existing.direction !== direction) {
    throw new Error(
      `Study "${name}" exists with direction "${existing.direction}", not "${direction}"`,
    );
  }
  const record = existing ?? await storage.createStudy(name, direction);
  const sampler = options.sampler ?? new TpeSampler({ seed: options.seed });
  const study = new Study(record, storage, sampler, options.pruner ?? new MedianPruner());
  await study.getTrials();
  return study;
}
