/**
 * The query parameters that filter and page runs, read the same way by the runs page and
 * `GET /api/runs`: a bad value is a 400 naming it and what is allowed.
 *
 * @module
 */

import { HTTPException } from "hono/http-exception";
import { RUN_STATUSES, type RunStatus, TRIAL_FILTERS, type TrialFilter } from "../../db/runs.ts";

/** `status=`: one of the run statuses, or any when empty or absent. */
export function queryStatus(raw: string | undefined): RunStatus | undefined {
  if (!raw) return undefined;
  if (!(RUN_STATUSES as readonly string[]).includes(raw)) {
    throw new HTTPException(400, {
      message: `Status filter must be one of ${RUN_STATUSES.join(", ")}, got ${
        JSON.stringify(raw)
      }`,
    });
  }
  return raw as RunStatus;
}

/** `trials=`: whether runs of study trials are listed; `fallback` when empty or absent. */
export function queryTrials(raw: string | undefined, fallback: TrialFilter): TrialFilter {
  if (!raw) return fallback;
  if (!(TRIAL_FILTERS as readonly string[]).includes(raw)) {
    throw new HTTPException(400, {
      message: `Trials filter must be one of ${TRIAL_FILTERS.join(", ")}, got ${
        JSON.stringify(raw)
      }`,
    });
  }
  return raw as TrialFilter;
}

/** A whole-number query parameter in [min, max], `fallback` when absent; 400 otherwise. */
export function queryInteger(
  raw: string | undefined,
  label: string,
  min: number,
  max: number,
  fallback: number,
): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) {
    throw new HTTPException(400, {
      message: `${label} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`,
    });
  }
  return n;
}
