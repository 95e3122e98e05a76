/**
 * `/api/health` and `/api/device`: whether the service is up, and what it trains on. Errors
 * become `{ error }` (and `issues` for a bad request) in `errors.tsx`, so handlers just throw.
 *
 * @module
 */

import { Hono } from "hono";
import type { AppContext } from "../context.ts";

export function serviceApi(ctx: AppContext): Hono {
  const api = new Hono();

  api.get("/health", (c) =>
    c.json({
      ok: true,
      version: ctx.version,
      uptimeSeconds: Math.floor((Date.now() - ctx.startedAt) / 1000),
    }));

  api.get("/device", async (c) => c.json(await ctx.device()));

  return api;
}
