/**
 * A study file's space, as the tuner sees it: the sampler it names (a grid over the space's
 * valid combinations), and a trial's run config drawn by walking the space on the trial.
 *
 * @module
 */

import type { StudySpec } from "../config/study_schema.ts";
import { spaceGrid } from "../config/space_grid.ts";
import { walkSpace } from "../config/space_walk.ts";
import { applyParams } from "../config/params.ts";
import type { RunConfig } from "../engine/spec.ts";
import { distributionFromJson } from "../tuner/distributions.ts";
import { samplerFromSpec } from "../tuner/from_spec.ts";
import type { Sampler } from "../tuner/samplers/base.ts";
import { GridSampler } from "../tuner/samplers/grid.ts";
import type { Trial } from "../tuner/trial.ts";

export function studySampler(spec: StudySpec): Sampler {
  if (spec.sampler.type === "grid") {
    return new GridSampler(spaceGrid(spec.space), { seed: spec.sampler.seed });
  }
  // Constraint values are stored on each trial by its worker; TPE and NSGA-II rank by them.
  return samplerFromSpec(spec.sampler, {}, { constrained: (spec.constraints?.length ?? 0) > 0 });
}

/** Suggests the trial's parameters, as an objective would, and applies them to the base. */
export function suggestTrialConfig(trial: Trial, spec: StudySpec): RunConfig {
  const { assignments } = walkSpace(
    spec.space,
    (name, param) => trial.suggest(name, distributionFromJson(param, name)),
  );
  return applyParams(spec.base, assignments);
}
