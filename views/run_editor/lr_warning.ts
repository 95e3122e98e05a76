/**
 * A learning rate far outside what an optimizer usually trains with gets a warning beside its
 * field, not a refusal: it may be what the user means, but Adam at lr 1000 diverges.
 *
 * @module
 */

import type { OptimizerType } from "../../engine/spec.ts";

/**
 * Usual ranges: torch.optim's defaults (Adam 1e-3, RMSprop 1e-2) give or take a few decades;
 * SGD's step is not normalised by the gradient's scale, so it tolerates larger rates.
 */
const USUAL: Record<OptimizerType, { name: string; low: number; high: number }> = {
  sgd: { name: "SGD", low: 1e-6, high: 10 },
  rmsprop: { name: "RMSprop", low: 1e-6, high: 0.1 },
  adam: { name: "Adam", low: 1e-6, high: 0.1 },
  adamw: { name: "AdamW", low: 1e-6, high: 0.1 },
};

/** The warning for `lr` (as typed) with `type`, or undefined when it is usual or not a number. */
export function lrWarning(type: OptimizerType, lr: string | undefined): string | undefined {
  const usual = USUAL[type];
  const value = Number(lr);
  if (!usual || lr === undefined || lr.trim() === "" || !(value > 0)) return undefined;
  const range =
    `${usual.name} usually trains with a learning rate from ${usual.low} to ${usual.high}`;
  if (value > usual.high) return `${range}; ${lr.trim()} is likely to diverge`;
  if (value < usual.low) return `${range}; ${lr.trim()} is likely to learn very little`;
  return undefined;
}
