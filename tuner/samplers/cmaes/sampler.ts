/**
 * CMA-ES as Optuna 3.1's `CmaEsSampler` (`optuna/samplers/_cmaes.py`) runs it: relative sampling
 * over the intersection search space of the float and int parameters with more than one value
 * (log ranges in log space, steps and integers widened by half a step and rounded back), each
 * trial one solution of the current generation; once `popsize` COMPLETE trials of a generation
 * exist, the next trial tells them (values negated when maximising) and stores the optimizer on
 * itself. Categorical parameters, single-parameter spaces, a changed space and the first
 * `nStartupTrials` trials are sampled by the independent sampler (random). With
 * `restartStrategy: "ipop"` a generation that meets cmaes' stopping tests restarts CMA-ES from a
 * random mean with `incPopsize` times the population; `"bipop"` (Hansen 2009, as later Optuna
 * releases run it; Optuna 3.1 has only IPOP) alternates: while the small-population runs have
 * spent fewer evaluations than the large ones, a small run with a population of
 * ⌊popsize₀ · (incPopsize^k)^(u²)⌋ (u uniform, k the large restarts so far), else the next large
 * run with popsize₀ · incPopsize^(k+1).
 *
 * State lives in the trials, as Optuna keeps it: `cma:optimizer` (the optimizer as JSON, on the
 * trial that told a generation), `cma:generation` (or `cma:restart_R:generation` with restarts)
 * and `cma:n_restarts`. So the study resumes after a worker restarts, and workers sharing a study
 * share one optimizer: the tell is deterministic (the first `popsize` trials by number), and each
 * trial's solution draws from that trial's own random stream ({@linkcode trialRng}), so two
 * workers never propose the same solution.
 *
 * @module
 */

import type { Distribution } from "../../distributions.ts";
import {
  type FrozenTrial,
  type ParamValue,
  type StudyDirection,
  TrialState,
} from "../../frozen_trial.ts";
import type { Study } from "../../study.ts";
import type { Sampler, SearchSpace } from "../base.ts";
import { intersectionSearchSpace } from "../intersection_search_space.ts";
import { RandomSampler, randomSeed } from "../random.ts";
import { trialRng } from "../trial_rng.ts";
import { Cma, type CmaState } from "./cma.ts";
import { SearchSpaceTransform } from "./transform.ts";
import { warmStartDistribution } from "./warm_start.ts";

export const RESTART_STRATEGIES = ["ipop", "bipop"] as const;
export type RestartStrategy = typeof RESTART_STRATEGIES[number];

export interface CmaEsSamplerOptions {
  /** Initial mean, as parameter values (default: the middle of each range). */
  x0?: Record<string, number>;
  /**
   * Warm start (Optuna's `source_trials`): finished trials of a similar study whose best tenth
   * sets the initial mean and covariance; not with `x0` or `sigma0`.
   */
  sourceTrials?: readonly FrozenTrial[];
  /** Initial step size in the transformed space (default: the narrowest range / 6). */
  sigma0?: number;
  /** COMPLETE trials before CMA-ES starts (Optuna: 1). */
  nStartupTrials?: number;
  seed?: number;
  /** Count PRUNED trials, valued at their last intermediate value. */
  considerPrunedTrials?: boolean;
  /** "ipop": restart with a larger population when CMA-ES stops progressing; "bipop". */
  restartStrategy?: RestartStrategy | null;
  /** Solutions per generation (default: cmaes' 4 + ⌊3 ln n⌋). */
  popsize?: number;
  /** Population factor at each IPOP restart (Optuna: 2). */
  incPopsize?: number;
}

const KEY = {
  optimizer: "cma:optimizer",
  nRestarts: "cma:n_restarts",
  bipop: "cma:bipop",
};

/** BIPOP's bookkeeping, kept beside the optimizer. */
interface Bipop {
  nRestartsWithLarge: number;
  poptype: "small" | "large";
  smallNEval: number;
  largeNEval: number;
}

interface Planned {
  names: string[];
  params: Record<string, number>;
}

export class CmaEsSampler implements Sampler {
  #x0: Record<string, number> | null;
  #sourceTrials: readonly FrozenTrial[] | null;
  #sigma0: number | null;
  #nStartupTrials: number;
  #seed: number;
  #considerPruned: boolean;
  #restartStrategy: RestartStrategy | null;
  #popsize: number | null;
  #incPopsize: number;
  #random: RandomSampler;
  /** Solutions chosen in `beforeTrial`, by trial number, for `sampleRelative`. */
  #planned = new Map<number, Planned>();

  constructor(options: CmaEsSamplerOptions = {}) {
    this.#x0 = options.x0 ?? null;
    this.#sourceTrials = options.sourceTrials ?? null;
    if (this.#sourceTrials !== null && (this.#x0 !== null || options.sigma0 !== undefined)) {
      throw new RangeError("CMA-ES sourceTrials cannot be combined with x0 or sigma0");
    }
    this.#sigma0 = options.sigma0 ?? null;
    this.#nStartupTrials = options.nStartupTrials ?? 1;
    this.#seed = options.seed ?? randomSeed();
    this.#considerPruned = options.considerPrunedTrials ?? false;
    this.#restartStrategy = options.restartStrategy ?? null;
    this.#popsize = options.popsize ?? null;
    this.#incPopsize = options.incPopsize ?? 2;
    this.#random = new RandomSampler({ seed: this.#seed });
    if (this.#sigma0 !== null && !(this.#sigma0 > 0)) {
      throw new RangeError(`CMA-ES sigma0 must be > 0, got ${this.#sigma0}`);
    }
    if (this.#popsize !== null && !(Number.isInteger(this.#popsize) && this.#popsize >= 1)) {
      throw new RangeError(`CMA-ES popsize must be an integer ≥ 1, got ${this.#popsize}`);
    }
    if (!(Number.isInteger(this.#incPopsize) && this.#incPopsize >= 1)) {
      throw new RangeError(`CMA-ES incPopsize must be an integer ≥ 1, got ${this.#incPopsize}`);
    }
    if (this.#restartStrategy !== null && !RESTART_STRATEGIES.includes(this.#restartStrategy)) {
      throw new RangeError(
        `CMA-ES restartStrategy is ${
          JSON.stringify(this.#restartStrategy)
        }; use "ipop", "bipop" or none`,
      );
    }
  }

  inferRelativeSearchSpace(study: Study): SearchSpace {
    const space = intersectionSearchSpace(study.trials);
    return Object.fromEntries(
      Object.entries(space).filter(([, d]) => d.type !== "categorical" && !d.single()),
    );
  }

  /**
   * Tells a finished generation if one is due and draws this trial's solution, writing the
   * optimizer and the trial's generation to its system attributes (sampleRelative is sync).
   */
  async beforeTrial(study: Study, trial: FrozenTrial): Promise<void> {
    if (study.isMultiObjective) {
      throw new Error("CmaEsSampler does not support multi-objective studies (as in Optuna)");
    }
    const space = this.inferRelativeSearchSpace(study);
    const names = Object.keys(space);
    if (names.length < 2) return;
    const completed = this.#completedTrials(study.trials);
    if (completed.length < this.#nStartupTrials) return;
    const trans = new SearchSpaceTransform(space);

    let { cma, nRestarts, bipop } = this.#restore(completed);
    if (cma === null) cma = this.#init(trans, study.direction, this.#popsize, null);
    const initialPopsize = this.#popsize ?? 4 + Math.floor(3 * Math.log(names.length));
    // A dynamic search space is left to the independent sampler, as Optuna does.
    if (cma.dim !== names.length) return;

    const generationKey = this.#generationKey(nRestarts);
    const solutionTrials = completed.filter((t) =>
      t.systemAttrs[generationKey] === cma!.generation
    );
    if (solutionTrials.length >= cma.popsize) {
      const sign = study.direction === "minimize" ? 1 : -1;
      cma.tell(
        solutionTrials.slice(0, cma.popsize).map((
          t,
        ) => [trans.transform(t.params), sign * t.value!]),
      );
      if (this.#restartStrategy !== null && cma.shouldStop()) {
        nRestarts += 1;
        const rng = trialRng(this.#seed, trial.number, "cmaes:restart");
        let popsize = cma.popsize * this.#incPopsize;
        if (this.#restartStrategy === "bipop") {
          const nEval = cma.popsize * cma.generation;
          if (bipop.poptype === "small") bipop.smallNEval += nEval;
          else bipop.largeNEval += nEval;
          if (bipop.smallNEval < bipop.largeNEval) {
            bipop.poptype = "small";
            const multiplier = this.#incPopsize ** bipop.nRestartsWithLarge;
            popsize = Math.floor(initialPopsize * multiplier ** (rng.uniform() ** 2));
          } else {
            bipop.poptype = "large";
            bipop.nRestartsWithLarge += 1;
            popsize = initialPopsize * this.#incPopsize ** bipop.nRestartsWithLarge;
          }
        }
        cma = this.#init(trans, study.direction, popsize, rng);
      }
      await study.setTrialSystemAttr(trial.id, KEY.optimizer, cma.state);
      if (this.#restartStrategy === "bipop") {
        await study.setTrialSystemAttr(trial.id, KEY.bipop, bipop);
      }
    }
    const x = cma.ask(trialRng(this.#seed, trial.number, "cmaes"));
    await study.setTrialSystemAttr(trial.id, this.#generationKey(nRestarts), cma.generation);
    await study.setTrialSystemAttr(trial.id, KEY.nRestarts, nRestarts);
    this.#planned.set(trial.number, { names, params: trans.untransform(x) });
  }

  sampleRelative(
    _study: Study,
    trial: FrozenTrial,
    searchSpace: SearchSpace,
  ): Record<string, ParamValue> {
    const planned = this.#planned.get(trial.number);
    this.#planned.delete(trial.number);
    if (planned === undefined) return {};
    const names = Object.keys(searchSpace);
    if (names.length !== planned.names.length || names.some((n, i) => n !== planned.names[i])) {
      return {};
    }
    return planned.params;
  }

  sampleIndependent(
    study: Study,
    trial: FrozenTrial,
    name: string,
    distribution: Distribution,
  ): ParamValue {
    return this.#random.sampleIndependent(study, trial, name, distribution);
  }

  #generationKey(nRestarts: number): string {
    return this.#restartStrategy === null
      ? "cma:generation"
      : `cma:restart_${nRestarts}:generation`;
  }

  /** COMPLETE trials (and PRUNED ones valued at their last report, if asked), by number. */
  #completedTrials(trials: readonly FrozenTrial[]): FrozenTrial[] {
    const out: FrozenTrial[] = [];
    for (const t of trials) {
      if (t.state === TrialState.COMPLETE) out.push(t);
      else if (t.state === TrialState.PRUNED && this.#considerPruned) {
        let lastStep = -Infinity;
        for (const step of t.intermediateValues.keys()) lastStep = Math.max(lastStep, step);
        const value = t.intermediateValues.get(lastStep);
        if (value !== undefined && !Number.isNaN(value)) out.push({ ...t, value });
      }
    }
    return out;
  }

  /** The optimizer stored by the latest completed trial that told a generation. */
  #restore(completed: FrozenTrial[]): { cma: Cma | null; nRestarts: number; bipop: Bipop } {
    const fresh = (): Bipop => ({
      nRestartsWithLarge: 0,
      poptype: "small",
      smallNEval: 0,
      largeNEval: 0,
    });
    for (let i = completed.length - 1; i >= 0; i--) {
      const attrs = completed[i].systemAttrs;
      const state = attrs[KEY.optimizer] as CmaState | undefined;
      if (state === undefined) continue;
      const nRestarts = (attrs[KEY.nRestarts] as number | undefined) ?? 0;
      const bipop = { ...fresh(), ...(attrs[KEY.bipop] as Bipop | undefined) };
      return { cma: new Cma(state), nRestarts, bipop };
    }
    return { cma: null, nRestarts: 0, bipop: fresh() };
  }

  #checkedX0(trans: SearchSpaceTransform): Record<string, number> {
    const x0 = this.#x0!;
    trans.names.forEach((name, i) => {
      const value = x0[name], d = trans.distributions[i];
      if (typeof value !== "number" || !(value >= d.low && value <= d.high)) {
        throw new RangeError(
          `CMA-ES x0.${name} is ${
            JSON.stringify(value)
          }; it must be a number in [${d.low}, ${d.high}]`,
        );
      }
    });
    return x0;
  }

  /** Optuna's warm start: the promising distribution of the source trials that fit the space. */
  #warmStart(trans: SearchSpaceTransform, direction: StudyDirection) {
    const sign = direction === "minimize" ? 1 : -1;
    const solutions = this.#completedTrials(this.#sourceTrials!)
      .filter((t) => {
        const names = Object.keys(t.distributions);
        return names.length === trans.names.length &&
          trans.names.every((n) => n in t.distributions);
      })
      .map((t) => [trans.transform(t.params), sign * t.value!] as const);
    if (solutions.length === 0) {
      throw new RangeError(
        `CMA-ES sourceTrials: none completed over the same params (${trans.names.join(", ")})`,
      );
    }
    return warmStartDistribution(solutions);
  }

  #init(
    trans: SearchSpaceTransform,
    direction: StudyDirection,
    popsize: number | null,
    randomStart: { uniform(): number } | null,
  ): Cma {
    const lows = trans.bounds.map(([low]) => low), highs = trans.bounds.map(([, high]) => high);
    let mean = randomStart !== null
      ? lows.map((low, i) => low + (highs[i] - low) * randomStart.uniform())
      : this.#x0 !== null
      ? trans.transform(this.#checkedX0(trans))
      : lows.map((low, i) => low + (highs[i] - low) / 2);
    let sigma = this.#sigma0 ?? Math.min(...lows.map((low, i) => (highs[i] - low) / 6));
    let cov: number[] | undefined;
    if (this.#sourceTrials !== null) ({ mean, sigma, cov } = this.#warmStart(trans, direction));
    return Cma.create({
      mean,
      sigma: Math.max(sigma, 1e-10),
      cov,
      bounds: trans.bounds,
      nMaxResampling: 10 * trans.bounds.length,
      populationSize: popsize ?? undefined,
    });
  }
}
