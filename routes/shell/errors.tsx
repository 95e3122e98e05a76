/**
 * One error path for the whole app: `HTTPException` thrown anywhere becomes JSON
 * `{ error, issues? }` under `/api`, a short HTML page (or fragment, for htmx) elsewhere.
 *
 * @module
 */

import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";
import { type Issue, toIssues } from "../../config/issues.ts";
import { QueueFull } from "../../jobs/run_service.ts";
import { ErrorPage } from "../../views/shell/error_page.tsx";

/** A 400 carrying every zod issue, for `{ error, issues: [{ path, message }] }`. */
export function badRequest(error: z.ZodError): HTTPException {
  const issues = toIssues(error);
  return new HTTPException(400, { message: issues[0]?.message ?? "Bad request", cause: issues });
}

export const handleError: ErrorHandler = (error, c) => {
  if (error instanceof QueueFull) {
    // Runs train one after another: by then about one will have made room.
    c.header("Retry-After", "60");
    if (isApi(c.req.path)) {
      return c.json({ error: error.message, queued: error.queued, limit: error.limit }, 429);
    }
    return respond(c, 429, error.message);
  }
  if (error instanceof HTTPException) {
    if (error.res) return error.getResponse();
    const status = error.status as ContentfulStatusCode;
    const issues = Array.isArray(error.cause) ? error.cause as Issue[] : undefined;
    return respond(c, status, error.message || "Request failed", issues);
  }
  console.error(`${c.req.method} ${c.req.path} failed:`, error);
  return respond(c, 500, `Internal error: ${error.message}`);
};

export const handleNotFound: NotFoundHandler = (c) =>
  respond(c, 404, `No route for ${c.req.method} ${c.req.path}`);

function respond(c: Context, status: ContentfulStatusCode, message: string, issues?: Issue[]) {
  if (isApi(c.req.path)) {
    return c.json(issues ? { error: message, issues } : { error: message }, status);
  }
  // htmx swaps error responses too: give it a fragment, not a second page inside the first.
  if (c.req.header("HX-Request")) return c.html(<p class="error">{message}</p>, status);
  return c.html(<ErrorPage status={status} message={message} />, status);
}

function isApi(path: string): boolean {
  return path === "/api" || path.startsWith("/api/");
}
