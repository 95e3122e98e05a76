/**
 * Prune a trial whose best intermediate value so far is worse than the median of the other
 * trials' values at the same step: Optuna's `MedianPruner` (`optuna/pruners/_median.py`), the
 * 50th-percentile case of {@linkcode PercentilePruner}.
 *
 * @module
 */

import { PercentilePruner, type PercentilePrunerOptions } from "./percentile.ts";

export class MedianPruner extends PercentilePruner {
  constructor(options: PercentilePrunerOptions = {}) {
    super(50, options);
  }
}
