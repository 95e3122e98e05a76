/**
 * The Hono app: static files, the JSON API and the pages, joined as sub-apps. `main.ts` serves
 * it; tests mount it with `app.request()` or `Deno.serve({ port: 0 })`.
 *
 * The sub-apps live by what a user sees: `runs/`, `studies/`, `datasets/`, and `shell/` for what
 * every page and request shares (auth, origin checks, errors, bodies, static files, the start
 * page, OpenAPI). Their views are in the same rooms under `views/`.
 *
 * @module
 */

import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { except } from "hono/combine";
import { HTTPException } from "hono/http-exception";
import { type JobLimits, parseJobLimits } from "../config/job_limits.ts";
import type { Db } from "../db/client.ts";
import type { DatasetRoots } from "../engine/data/load.ts";
import { type DeviceInfo, probeDevice } from "../engine/device.ts";
import type { RunService } from "../jobs/run_service.ts";
import type { StudyService } from "../jobs/study_service.ts";
import type { AppContext } from "./context.ts";
import { datasetsApi } from "./datasets/datasets_api.ts";
import { samplesFragmentRoute } from "./datasets/samples_fragment.tsx";
import { lessonRoutes } from "./lessons/lessons.tsx";
import { runEventsRoute } from "./runs/run_events.ts";
import { runFormRoutes } from "./runs/run_form_pages.tsx";
import { runLiveRoute } from "./runs/run_live.tsx";
import { runPageRoutes } from "./runs/run_pages.tsx";
import { runsApi } from "./runs/runs_api.ts";
import { requireToken } from "./shell/auth.ts";
import { endStreamsOn } from "./shell/end_streams.ts";
import { handleError, handleNotFound } from "./shell/errors.tsx";
import { pageRoutes } from "./shell/home_page.tsx";
import { openApiRoute } from "./shell/openapi.ts";
import { loopbackHostOnly, sameOriginOnly } from "./shell/same_origin.ts";
import { serviceApi } from "./shell/service_api.ts";
import { staticRoutes } from "./shell/static.ts";
import { refuseWorkWhen } from "./shell/stopping.ts";
import { studiesApi } from "./studies/studies_api.ts";
import { studyFormRoutes } from "./studies/study_form_pages.tsx";
import { studyLiveRoute } from "./studies/study_live.tsx";
import { studyPageRoutes } from "./studies/study_pages.tsx";
import { VERSION } from "../config/version.ts";

export interface AppDeps {
  datasetRoots: DatasetRoots;
  /** Finds the adapter; called once, on first use. Defaults to {@linkcode probeDevice}. */
  probeDevice?: () => Promise<DeviceInfo>;
  /** When set, every route but `/static/*` requires it (see `shell/auth.ts`). */
  token?: string;
  /** `Date.now()` when the server started, for `uptimeSeconds`. */
  startedAt?: number;
  db: Db;
  service: RunService;
  studies: StudyService;
  /** Bound to loopback without a token: requests must name a loopback host (DNS rebinding). */
  loopbackOnly?: boolean;
  /** Aborted when shutdown begins: requests that would start work get 503 (`stopping.ts`). */
  stopping?: AbortSignal;
  /** Aborted once runs are stopped: open event streams end then (see `end_streams.ts`). */
  closing?: AbortSignal;
  /** What a run may take (see `config/job_limits.ts`); the defaults when absent. */
  limits?: JobLimits;
}

/** Larger request bodies are refused with 413 before they are read. */
export const MAX_BODY_BYTES = 1024 * 1024;

export function createApp(deps: AppDeps): Hono {
  let device: Promise<DeviceInfo> | undefined;
  const ctx: AppContext = {
    version: VERSION,
    startedAt: deps.startedAt ?? Date.now(),
    datasetRoots: deps.datasetRoots,
    device: () => device ??= (deps.probeDevice ?? probeDevice)(),
    db: deps.db,
    service: deps.service,
    studies: deps.studies,
    limits: deps.limits ?? parseJobLimits({}),
  };

  const app = new Hono();
  if (deps.token) app.use(except(["/static/*", "/api/health"], requireToken(deps.token)));
  if (deps.loopbackOnly) app.use(loopbackHostOnly());
  app.use(sameOriginOnly());
  if (deps.stopping) app.use(refuseWorkWhen(deps.stopping));
  if (deps.closing) app.use(endStreamsOn(deps.closing));
  app.route("/static", staticRoutes());
  const limitBody = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new HTTPException(413, {
        message: `Request body is larger than ${MAX_BODY_BYTES} bytes`,
      });
    },
  });
  app.use("/api/*", limitBody);
  app.use("/runs/*", limitBody);
  app.use("/studies/*", limitBody);
  app.route("/api/runs", runsApi(ctx));
  app.route("/api/runs", runEventsRoute(deps.db, deps.service.events));
  app.route("/api/studies", studiesApi(ctx));
  app.route("/api", openApiRoute(VERSION));
  app.route("/api", serviceApi(ctx));
  app.route("/api/datasets", datasetsApi(ctx));
  app.route("/", pageRoutes(ctx));
  app.route("/", samplesFragmentRoute(ctx));
  // `/runs/new` and `/runs/compare` before `/runs/:id`.
  app.route("/runs", runFormRoutes(ctx));
  app.route("/runs", runLiveRoute(ctx));
  app.route("/runs", runPageRoutes(ctx));
  // `/studies/new` before `/studies/:id`.
  app.route("/studies", studyFormRoutes(ctx));
  app.route("/studies", studyLiveRoute(ctx));
  app.route("/studies", studyPageRoutes(ctx));
  app.route("/", lessonRoutes(ctx));
  app.notFound(handleNotFound);
  app.onError(handleError);
  return app;
}
