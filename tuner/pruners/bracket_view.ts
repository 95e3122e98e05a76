/**
 * What a sampler sees of a study pruned by Hyperband, as Optuna 3.1's `_filter_study`
 * (`optuna/pruners/__init__.py`): only the trials of the trial's own bracket, so that TPE (or any
 * sampler) under Hyperband models each bracket from that bracket's trials alone. Until the
 * brackets are known (`maxResource: "auto"` before a trial completes) every trial is in bracket 0,
 * so the sampler sees them all, as in Optuna. Other pruners leave the study as it is.
 *
 * @module
 */

import type { FrozenTrial } from "../frozen_trial.ts";
import type { Study } from "../study.ts";
import { HyperbandPruner } from "./hyperband.ts";

/** `study` as the sampler of `trial` should see it. */
export function samplerView(study: Study, trial: Pick<FrozenTrial, "number">): Study {
  const pruner = study.pruner;
  if (!(pruner instanceof HyperbandPruner)) return study;
  const bracket = pruner.bracketOf(study.name, trial.number);
  const brackets = new Map<number, number>();
  const inBracket = (t: FrozenTrial) => {
    let id = brackets.get(t.number);
    if (id === undefined) brackets.set(t.number, id = pruner.bracketOf(study.name, t.number));
    return id === bracket;
  };
  return new Proxy(study, {
    get(target, property) {
      if (property === "trials") return target.trials.filter(inBracket);
      if (property === "getTrials") {
        return async (...args: Parameters<Study["getTrials"]>) =>
          (await target.getTrials(...args)).filter(inBracket);
      }
      // Methods run on the study itself (its private fields are not the proxy's).
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
