/**
 * The pruner plug-in interface: one method, as Optuna's `BasePruner.prune(study, trial)`
 * (`optuna/pruners/_base.py`).
 *
 * @module
 */

import type { FrozenTrial } from "../frozen_trial.ts";
import type { Study } from "../study.ts";

export interface Pruner {
  /**
   * Whether `trial` (RUNNING, with the intermediate values it reported so far) should stop now.
   * Pruners read other trials fresh through `study.getTrials()`.
   */
  prune(study: Study, trial: FrozenTrial): boolean | Promise<boolean>;
}
