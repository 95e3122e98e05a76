/**
 * The pruner that never prunes, as Optuna's `NopPruner` (`optuna/pruners/_nop.py`).
 *
 * @module
 */

import type { Pruner } from "./base.ts";

export class NopPruner implements Pruner {
  prune(): boolean {
    return false;
  }
}
