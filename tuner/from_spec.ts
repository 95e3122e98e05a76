/**
 * Builds samplers, pruners and suggestions from plain JSON options, the form a study file, the
 * CLI and the HTTP API share (validated before it gets here):
 *
 * ```jsonc
 * { "sampler": { "type": "tpe", "seed": 0 }, "pruner": { "type": "median" },
 *   "space": { "optimizer.lr": { "type": "float", "low": 1e-4, "high": 1e-1, "log": true } } }
 * ```
 *
 * @module
 */

import {
  CategoricalDistribution,
  distributionFromJson,
  type DistributionJson,
} from "./distributions.ts";
import type { ParamValue } from "./frozen_trial.ts";
import type { Pruner } from "./pruners/base.ts";
import { HyperbandPruner, type HyperbandPrunerOptions } from "./pruners/hyperband.ts";
import { MedianPruner } from "./pruners/median.ts";
import { NopPruner } from "./pruners/nop.ts";
import { PatientPruner } from "./pruners/patient.ts";
import { PercentilePruner, type PercentilePrunerOptions } from "./pruners/percentile.ts";
import {
  SuccessiveHalvingPruner,
  type SuccessiveHalvingPrunerOptions,
} from "./pruners/successive_halving.ts";
import { ThresholdPruner, type ThresholdPrunerOptions } from "./pruners/threshold.ts";
import type { Sampler } from "./samplers/base.ts";
import { CmaEsSampler } from "./samplers/cmaes/sampler.ts";
import { GpSampler } from "./samplers/gp/sampler.ts";
import { type GridAxis, GridSampler, listAxis } from "./samplers/grid.ts";
import { NsgaIISampler } from "./samplers/nsga2/sampler.ts";
import { QmcSampler } from "./samplers/qmc/sampler.ts";
import { RandomSampler } from "./samplers/random.ts";
import { TpeSampler } from "./samplers/tpe/sampler.ts";
import type { Trial } from "./trial.ts";

/** One entry of a search space: a numeric range or a list of choices. */
export type ParamSpec = DistributionJson;

export interface SamplerSpec {
  type: "tpe" | "random" | "grid" | "nsga2" | "gp" | "cmaes" | "qmc";
  seed?: number;
  /** TPE and GP. */
  nStartupTrials?: number;
  /** TPE only. */
  nEiCandidates?: number;
  /** TPE only. */
  multivariate?: boolean;
  /** TPE only. */
  constantLiar?: boolean;
  /** Grid only: values per dotted path; by default derived from the space. */
  grid?: Record<string, ParamValue[]>;
  /** NSGA-II only (Optuna's defaults: 50, 1/params, 0.9, 0.5). */
  populationSize?: number;
  mutationProb?: number;
  crossoverProb?: number;
  swappingProb?: number;
  /** GP only: fix the noise at its minimum (Optuna's `deterministic_objective`). */
  deterministicObjective?: boolean;
  /** CMA-ES only (Optuna's CmaEsSampler; nStartupTrials defaults to 1 there). */
  sigma0?: number;
  popsize?: number;
  restartStrategy?: "none" | "ipop" | "bipop";
  incPopsize?: number;
  considerPrunedTrials?: boolean;
  /** QMC only (Optuna's QMCSampler). */
  qmcType?: "sobol" | "halton";
  scramble?: boolean;
}

/** What a sampler built from a spec needs beyond it. */
export interface SamplerExtras {
  /**
   * Rank trials by the constraint values stored on them (system attribute `constraints`):
   * TPE and NSGA-II put feasible trials first, as Optuna's `constraints_func` does.
   */
  constrained?: boolean;
}

export type PrunerSpec =
  | { type: "median" } & PercentilePrunerOptions
  | { type: "percentile"; percentile: number } & PercentilePrunerOptions
  | { type: "asha" } & SuccessiveHalvingPrunerOptions
  | { type: "hyperband" } & HyperbandPrunerOptions
  | { type: "threshold" } & ThresholdPrunerOptions
  | {
    type: "patient";
    patience: number;
    minDelta?: number;
    /** Decides once patience runs out; without it the trial is pruned then. */
    wrapped?: PrunerSpec;
  }
  | { type: "none" };

/** The sampler a spec describes; a grid without explicit values is derived from `space`. */
export function samplerFromSpec(
  spec: SamplerSpec,
  space: Record<string, ParamSpec> = {},
  extras: SamplerExtras = {},
): Sampler {
  switch (spec.type) {
    case "tpe":
      return new TpeSampler({
        seed: spec.seed,
        nStartupTrials: spec.nStartupTrials,
        nEiCandidates: spec.nEiCandidates,
        multivariate: spec.multivariate,
        constantLiar: spec.constantLiar,
        constrained: extras.constrained,
      });
    case "nsga2":
      return new NsgaIISampler({
        seed: spec.seed,
        populationSize: spec.populationSize,
        mutationProb: spec.mutationProb,
        crossoverProb: spec.crossoverProb,
        swappingProb: spec.swappingProb,
        constrained: extras.constrained,
      });
    case "gp":
      if (extras.constrained) {
        throw new RangeError('Sampler "gp" does not handle constraints; use "tpe" or "nsga2"');
      }
      return new GpSampler({
        seed: spec.seed,
        nStartupTrials: spec.nStartupTrials,
        deterministicObjective: spec.deterministicObjective,
      });
    case "cmaes":
      if (extras.constrained) {
        throw new RangeError('Sampler "cmaes" does not handle constraints; use "tpe" or "nsga2"');
      }
      return new CmaEsSampler({
        seed: spec.seed,
        nStartupTrials: spec.nStartupTrials,
        sigma0: spec.sigma0,
        popsize: spec.popsize,
        restartStrategy: spec.restartStrategy === "none" ? null : spec.restartStrategy,
        incPopsize: spec.incPopsize,
        considerPrunedTrials: spec.considerPrunedTrials,
      });
    case "qmc":
      return new QmcSampler({ seed: spec.seed, qmcType: spec.qmcType, scramble: spec.scramble });
    case "random":
      return new RandomSampler({ seed: spec.seed });
    case "grid":
      return new GridSampler(spec.grid ?? gridFromSpace(space), { seed: spec.seed });
    default:
      throw new RangeError(
        `Sampler type is ${JSON.stringify((spec as { type: unknown }).type)}; ` +
          `use "tpe", "random", "grid", "nsga2", "gp", "cmaes" or "qmc"`,
      );
  }
}

export function prunerFromSpec(spec: PrunerSpec): Pruner {
  switch (spec.type) {
    case "median": {
      const { type: _, ...options } = spec;
      return new MedianPruner(options);
    }
    case "percentile": {
      const { type: _, percentile, ...options } = spec;
      return new PercentilePruner(percentile, options);
    }
    case "asha": {
      const { type: _, ...options } = spec;
      return new SuccessiveHalvingPruner(options);
    }
    case "hyperband": {
      const { type: _, ...options } = spec;
      return new HyperbandPruner(options);
    }
    case "threshold": {
      const { type: _, ...options } = spec;
      return new ThresholdPruner(options);
    }
    case "patient": {
      const { wrapped, patience, minDelta } = spec;
      return new PatientPruner(wrapped ? prunerFromSpec(wrapped) : null, { patience, minDelta });
    }
    case "none":
      return new NopPruner();
    default:
      throw new RangeError(
        `Pruner type is ${JSON.stringify((spec as { type: unknown }).type)}; use ` +
          `"median", "percentile", "asha", "hyperband", "threshold", "patient" or "none"`,
      );
  }
}

/** Suggests every entry of `space` on `trial`; returns the values keyed by their dotted paths. */
export function suggestFromSpace(
  trial: Trial,
  space: Record<string, ParamSpec>,
): Record<string, ParamValue> {
  const params: Record<string, ParamValue> = {};
  for (const [path, spec] of Object.entries(space)) {
    params[path] = trial.suggest(path, distributionFromJson(spec, path));
  }
  return params;
}

/**
 * Every value of each space entry, as grid axes computed on demand: choices, integers on their
 * step, floats on their step. A range is never written out, however many values it has.
 */
export function gridFromSpace(space: Record<string, ParamSpec>): Record<string, GridAxis> {
  const grid: Record<string, GridAxis> = {};
  for (const [path, spec] of Object.entries(space)) {
    const distribution = distributionFromJson(spec, path);
    if (distribution instanceof CategoricalDistribution) {
      grid[path] = listAxis(distribution.choices);
      continue;
    }
    const step = distribution.log && distribution.type === "int" ? 1 : distribution.step;
    if (step === null) {
      throw new RangeError(
        `Grid search over "${path}" needs a step or explicit values in sampler.grid; ` +
          `a continuous range has no grid`,
      );
    }
    const { low } = distribution;
    const size = Math.round((distribution.high - low) / step) + 1;
    grid[path] = {
      size,
      // toPrecision(15) drops float noise such as 0.30000000000000004.
      at: (k) => Number((low + k * step).toPrecision(15)),
      description: spec,
    };
  }
  return grid;
}
