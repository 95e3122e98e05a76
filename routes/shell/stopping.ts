/**
 * Once the server has begun shutting down, requests that would start work (a run, a study, a
 * resume) get 503 instead of starting something the shutdown would then have to interrupt.
 * Reads still answer until the listener closes.
 *
 * @module
 */

import type { MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function refuseWorkWhen(stopping: AbortSignal): MiddlewareHandler {
  return async function refuseWhenStopping(c, next) {
    if (stopping.aborted && !SAFE_METHODS.has(c.req.method)) {
      c.header("Retry-After", "5");
      throw new HTTPException(503, {
        message: "ajuste is shutting down; send this again once it has restarted",
      });
    }
    return await next();
  };
}
