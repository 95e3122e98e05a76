/**
 * Per-trial random streams for samplers. Every random choice a sampler makes for a trial draws
 * from a generator keyed by (sampler seed, trial number, purpose), never from one stream per
 * sampler instance, so that:
 *
 * - a seeded study is reproducible trial by trial, whichever worker process runs which trial;
 * - workers that share a study with the same seed (each `deno task tune` process builds its own
 *   sampler from the study file) never repeat each other's draws, since they run different trial
 *   numbers;
 * - a resumed study continues its sequence instead of starting it again.
 *
 * @module
 */

import { lowbias32, Rng } from "../../engine/random.ts";

/**
 * The generator for one random choice of one trial. `purpose` tells the choices of a trial apart
 * (e.g. `"random:lr"`, `"tpe:lr"`, `"grid"`). For a given seed and purpose, distinct trial numbers
 * (below 2^32) give distinct generator seeds, hence distinct streams: each hashing step is a
 * bijection of 32-bit integers, and so is the seeding of {@linkcode Rng}.
 */
export function trialRng(seed: number, trialNumber: number, purpose: string): Rng {
  let h = lowbias32(seed >>> 0);
  for (let i = 0; i < purpose.length; i++) h = lowbias32((h ^ purpose.charCodeAt(i)) >>> 0);
  h = lowbias32((h ^ purpose.length) >>> 0);
  h = lowbias32((h ^ trialNumber) >>> 0);
  return new Rng(h | 0);
}
