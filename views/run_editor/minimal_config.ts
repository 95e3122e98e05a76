/**
 * A run config as a partial one: only what differs from the defaults. A study's base is kept
 * this way, as a study file would be written by hand: a base that spelled out Adam's betas would
 * carry them into a trial that switches `optimizer.type` to SGD, which SGD refuses.
 *
 * @module
 */

import { defaultRunConfig, type RunConfigInput } from "../../config/schema.ts";
import type { RunConfig } from "../../engine/spec.ts";
import { optimizerDefaults } from "./run_form_state.ts";

/** Fields compared whole: their parts are checked together (fractions summing to 1). */
const ATOMIC = new Set(["data.split", "data.normalize", "model.layers"]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function difference(
  value: Record<string, unknown>,
  defaults: Record<string, unknown>,
  at: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const path = at ? `${at}.${key}` : key;
    const fallback = defaults[key];
    if (!ATOMIC.has(path) && isRecord(item) && isRecord(fallback)) {
      const inner = difference(item, fallback, path);
      if (Object.keys(inner).length > 0) out[key] = inner;
    } else if (JSON.stringify(item) !== JSON.stringify(fallback)) {
      out[key] = item;
    }
  }
  return out;
}

/**
 * What of `config` differs from the run defaults; its optimizer against that optimizer type's
 * own defaults. The name is left out: a study names its trials. `parseRunConfig` of the result
 * gives `config` back (bar the name).
 */
export function minimalConfig(config: RunConfig): RunConfigInput {
  const defaults = defaultRunConfig();
  const { name: _, optimizer, ...rest } = config;
  const { name: __, optimizer: defaultOptimizer, ...restDefaults } = defaults;
  const out = difference(rest, restDefaults, "");
  const ownDefaults = optimizerDefaults(optimizer.type) as unknown as Record<string, unknown>;
  const changed = difference(optimizer as unknown as Record<string, unknown>, ownDefaults, "");
  if (optimizer.type !== defaultOptimizer.type) changed.type = optimizer.type;
  if (Object.keys(changed).length > 0) {
    out.optimizer = optimizer.type !== defaultOptimizer.type
      ? { type: optimizer.type, ...changed }
      : changed;
  }
  return out as RunConfigInput;
}
