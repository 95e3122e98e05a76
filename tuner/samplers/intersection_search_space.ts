/**
 * The parameters every finished trial shares with the same distribution: what multivariate TPE
 * samples jointly. After Optuna 3.1's `IntersectionSearchSpace`
 * (`optuna/samplers/_search_space/intersection.py`), without its incremental cursor.
 *
 * @module
 */

import { type FrozenTrial, TrialState } from "../frozen_trial.ts";
import type { SearchSpace } from "./base.ts";

/** Intersection over COMPLETE trials (and PRUNED ones with `includePruned`), names sorted. */
export function intersectionSearchSpace(
  trials: readonly FrozenTrial[],
  options: { includePruned?: boolean } = {},
): SearchSpace {
  let space: SearchSpace | null = null;
  for (const trial of trials) {
    const counted = trial.state === TrialState.COMPLETE ||
      (options.includePruned && trial.state === TrialState.PRUNED);
    if (!counted) continue;
    if (space === null) {
      space = { ...trial.distributions };
      continue;
    }
    for (const [name, distribution] of Object.entries(space)) {
      const other = trial.distributions[name];
      if (other === undefined || !other.equals(distribution)) delete space[name];
    }
  }
  const names = Object.keys(space ?? {}).sort();
  return Object.fromEntries(names.map((name) => [name, space![name]]));
}
