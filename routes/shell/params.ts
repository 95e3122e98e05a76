/**
 * Path parameters, checked once at the edge.
 *
 * @module
 */

import { HTTPException } from "hono/http-exception";

/** A run or study id: a positive integer, else 400 naming the bad value. */
export function parseRunId(raw: string, what = "Run id"): number {
  const id = Number(raw);
  if (!/^[1-9][0-9]{0,15}$/.test(raw) || !Number.isSafeInteger(id)) {
    throw new HTTPException(400, {
      message: `${what} must be a positive integer, got ${JSON.stringify(raw)}`,
    });
  }
  return id;
}
