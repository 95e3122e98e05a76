/**
 * Hyperband (Li et al., "Hyperband: A Novel Bandit-Based Approach to Hyperparameter
 * Optimization", JMLR 2018, https://www.jmlr.org/papers/volume18/16-558/16-558.pdf) as Optuna
 * 3.1's `HyperbandPruner` runs it (`optuna/pruners/_hyperband.py`): several brackets of
 * {@linkcode SuccessiveHalvingPruner}, bracket s starting its rungs at
 * minResource · reductionFactor^s, each judging a trial only against the trials of its own bracket.
 *
 * There are ⌊log_η(maxResource / minResource)⌋ + 1 brackets (η the reduction factor); bracket s
 * receives a share ⌈n · η^(n−1−s) / (n − s)⌉ of the trials, and trial k of study "name" goes to
 * the bracket where crc32("name_k") modulo the shares' total falls, so every worker agrees.
 * Renaming a study therefore moves its trials between brackets, as it would in Optuna.
 *
 * @module
 */

import { type FrozenTrial, lastStep, TrialState } from "../frozen_trial.ts";
import type { Study } from "../study.ts";
import type { Pruner } from "./base.ts";
import { checkInteger } from "./percentile.ts";
import { type RungStudy, SuccessiveHalvingPruner } from "./successive_halving.ts";

export interface HyperbandPrunerOptions {
  /** Steps before the first rung of the most aggressive bracket (Optuna: 1). */
  minResource?: number;
  /**
   * Steps a trial takes at most, or "auto" (Optuna's default): 1 + the last step of the longest
   * COMPLETE trial when pruning first finds one, and no pruning until then. Default "auto".
   */
  maxResource?: number | "auto";
  /** Keep the top 1/reductionFactor at each rung (Optuna: 3). */
  reductionFactor?: number;
  /** Values a rung must hold before anyone is promoted past it (Optuna: 0). */
  bootstrapCount?: number;
}

/** What the brackets need of a study: what a rung needs, and its name for the bracket hash. */
export type BracketedStudy = RungStudy & Pick<Study, "name">;

interface Bracket {
  pruner: SuccessiveHalvingPruner;
  /** Its share of the trials. */
  budget: number;
}

export class HyperbandPruner implements Pruner {
  readonly minResource: number;
  readonly reductionFactor: number;
  readonly bootstrapCount: number;
  #maxResource: number | null;
  #brackets: Bracket[] = [];
  #totalBudget = 0;

  constructor(options: HyperbandPrunerOptions = {}) {
    this.minResource = options.minResource ?? 1;
    const maxResource = options.maxResource ?? "auto";
    this.reductionFactor = options.reductionFactor ?? 3;
    this.bootstrapCount = options.bootstrapCount ?? 0;
    checkInteger("minResource", this.minResource, 1);
    if (maxResource !== "auto") checkInteger("maxResource", maxResource, this.minResource);
    checkInteger("reductionFactor", this.reductionFactor, 2);
    checkInteger("bootstrapCount", this.bootstrapCount, 0);
    if (this.bootstrapCount > 0 && maxResource === "auto") {
      throw new RangeError(
        `Hyperband bootstrapCount ${this.bootstrapCount} needs a numeric maxResource`,
      );
    }
    this.#maxResource = maxResource === "auto" ? null : maxResource;
    if (this.#maxResource !== null) this.#makeBrackets(this.#maxResource);
  }

  /** The brackets' trial shares, most aggressive first; empty until maxResource is known. */
  get budgets(): number[] {
    return this.#brackets.map((bracket) => bracket.budget);
  }

  async prune(study: BracketedStudy, trial: FrozenTrial): Promise<boolean> {
    if (this.#brackets.length === 0) {
      if (this.#maxResource !== null) return false;
      const steps = (await study.getTrials([TrialState.COMPLETE]))
        .map(lastStep)
        .filter((step): step is number => step !== null);
      if (steps.length === 0) return false;
      this.#maxResource = Math.max(...steps) + 1;
      this.#makeBrackets(this.#maxResource);
      if (this.#brackets.length === 0) return false;
    }
    const id = this.bracketOf(study.name, trial.number);
    return await this.#brackets[id].pruner.prune(this.#bracketStudy(study, id), trial);
  }

  /** The bracket of trial `number` in study `studyName` (0 before the brackets are known). */
  bracketOf(studyName: string, number: number): number {
    if (this.#brackets.length === 0) return 0;
    let n = crc32(new TextEncoder().encode(`${studyName}_${number}`)) % this.#totalBudget;
    for (let id = 0; id < this.#brackets.length; id++) {
      n -= this.#brackets[id].budget;
      if (n < 0) return id;
    }
    throw new Error(`Trial ${number} fell past the last of ${this.#brackets.length} brackets`);
  }

  #makeBrackets(maxResource: number): void {
    // Math.log(x) / Math.log(η), as Python's math.log(x, η): an exact power can land a hair
    // above or below its integer, and floor() must follow Optuna there too.
    const count = Math.floor(
      Math.log(maxResource / this.minResource) / Math.log(this.reductionFactor),
    ) + 1;
    for (let id = 0; id < count; id++) {
      const s = count - 1 - id;
      const budget = Math.ceil(count * this.reductionFactor ** s / (s + 1));
      this.#totalBudget += budget;
      const pruner = new SuccessiveHalvingPruner({
        minResource: this.minResource,
        reductionFactor: this.reductionFactor,
        minEarlyStoppingRate: id,
        bootstrapCount: this.bootstrapCount,
      });
      this.#brackets.push({ pruner, budget });
    }
  }

  /** `study` as one bracket sees it: only the trials hashed to that bracket. */
  #bracketStudy(study: BracketedStudy, id: number): RungStudy {
    return {
      direction: study.direction,
      getTrials: async (states) =>
        (await study.getTrials(states)).filter((t) => this.bracketOf(study.name, t.number) === id),
      setTrialSystemAttr: (trialId, key, value) => study.setTrialSystemAttr(trialId, key, value),
    };
  }
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, byte) => {
  let crc = byte;
  for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  return crc;
});

/** CRC-32 (IEEE 802.3, reflected), as Python's `binascii.crc32` and zlib compute it. */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
