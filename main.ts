/**
 * Composition root: read flags and environment, prepare the database folder, find the device,
 * and serve the app until SIGINT or SIGTERM. Tests start the same server with
 * {@linkcode startServer} on port 0.
 *
 * @module
 */

import {
  ConfigError,
  displayDatabase,
  ensureRuntimeDir,
  HelpRequested,
  isLoopbackHost,
  parseServerEnv,
  prepareDatabaseDir,
  type ServerEnv,
} from "./config/env.ts";
import { type JobLimits, parseJobLimits } from "./config/job_limits.ts";
import { defaultDatasetRoots } from "./config/paths.ts";
import { describeDatasets } from "./engine/data/load.ts";
import { withAutoReport } from "./engine/auto_device.ts";
import { type DeviceInfo, deviceLabel, probeDevice } from "./engine/device.ts";
import { openDb } from "./db/client.ts";
import { trackHandle } from "./engine/open_handles.ts";
import { EngineProcess } from "./jobs/engine_process.ts";
import { laneServices, parallelOnThisMachine } from "./jobs/parallel.ts";
import { RunService } from "./jobs/run_service.ts";
import { StudyService } from "./jobs/study_service.ts";
import { createApp } from "./routes/app.ts";

export interface StartOptions extends Omit<ServerEnv, "train" | "limits"> {
  /** Train queued runs here (default); false for a dashboard that only queues and shows. */
  train?: boolean;
  /** Skip the "listening on" line and background warnings (tests). */
  quiet?: boolean;
  /** What a run may take; read from the environment when absent. */
  limits?: JobLimits;
  /** How often the job queue is looked at (tests make it short). */
  pollMs?: number;
}

export interface Server {
  /** The bound port (the chosen one when started with port 0). */
  port: number;
  url: string;
  device: DeviceInfo;
  /** Runs queued and training in this server. */
  service: RunService;
  /** The process id of this server's engine process while one runs (null without). */
  enginePid(): number | null;
  /** Stops accepting connections, ends the engine worker and closes the database. */
  shutdown(): Promise<void>;
  /** Settles when the server has stopped. */
  finished: Promise<void>;
}

/** Starts ajuste with already validated settings (see `config/env.ts`). */
export async function startServer(options: StartOptions): Promise<Server> {
  // A taken port fails here, before the database file or its folder is created.
  if (options.port !== 0) Deno.listen({ hostname: options.host, port: options.port }).close();
  // libSQL creates the database file on first start, but not its folder.
  await prepareDatabaseDir(options.db);
  ensureRuntimeDir();
  const device = await probeDevice();
  const limits = options.limits ?? parseJobLimits(Deno.env.toObject());
  const datasetRoots = {
    ...defaultDatasetRoots({ restrict: !isLoopbackHost(options.host) }),
    maxFileBytes: limits.maxDatasetBytes,
  };
  const { db, close: closeDb } = await openDb({ url: options.db, authToken: options.dbToken });
  // Without an engine (--no-train) this server queues work and shows it; workers train it.
  const train = options.train ?? true;
  const newEngine = () =>
    new EngineProcess({ roots: datasetRoots, loadTimeoutMs: limits.loadTimeoutSeconds * 1000 });
  const engine = train ? newEngine() : null;
  const jobTiming = {
    leaseMs: limits.leaseSeconds * 1000,
    checkpointSeconds: limits.checkpointSeconds,
    pollMs: options.pollMs,
  };
  const service = new RunService(db, {
    engine,
    ...jobTiming,
    maxQueued: limits.maxQueued,
    log: options.quiet ? undefined : (line) => console.log(`ajuste: ${line}`),
  });
  // A study's trials may train several at once here, each lane past the first on an engine
  // process of its own (jobs/study_lanes.ts).
  const studies = new StudyService(db, service, {
    pollMs: options.pollMs,
    log: options.quiet ? undefined : (line) => console.log(`ajuste: ${line}`),
    parallel: parallelOnThisMachine(async () => ({
      memoryBudgetBytes: limits.memoryBudgetBytes,
      datasets: await describeDatasets(datasetRoots),
      roots: datasetRoots,
      device,
    })),
    lane: laneServices(db, newEngine, { ...jobTiming, firstLayers: service.firstLayers }),
  });
  const stopping = new AbortController();
  const closing = new AbortController();
  const app = createApp({
    datasetRoots,
    // What device "auto" chooses, measured here on first use (or read from the calibration file).
    probeDevice: () => withAutoReport(device),
    token: options.token,
    db,
    service,
    studies,
    loopbackOnly: !options.token && isLoopbackHost(options.host),
    stopping: stopping.signal,
    closing: closing.signal,
    limits,
  });
  // Parse the datasets now, so the first page view does not wait for it.
  describeDatasets(datasetRoots).catch((error) => {
    if (!options.quiet) console.error(`ajuste: loading datasets failed: ${error.message}`);
  });

  const server = Deno.serve({
    hostname: options.host,
    port: options.port,
    onListen: () => {},
  }, app.fetch);
  const host = server.addr.hostname.includes(":")
    ? `[${server.addr.hostname}]`
    : server.addr.hostname;
  const url = `http://${host}:${server.addr.port}`;
  if (!options.quiet) {
    console.log(
      `ajuste listening on ${url} (db: ${displayDatabase(options.db)}, ` +
        (train
          ? `device: ${describeDevice(device)})`
          : "not training: deno task work processes train what it queues)"),
    );
  }
  // New work is refused first (503); then the studies stop (their trials in flight re-queued),
  // then the runs (the one training goes back to the queue, queued ones wait for the next start
  // or another worker), then the streams left open end, so the server's graceful shutdown has
  // nothing to wait for.
  let stopped: Promise<void> | undefined;
  const release = trackHandle("server", url);
  const shutdown = () =>
    stopped ??= (async () => {
      stopping.abort();
      await studies.stopAll();
      await service.shutdown();
      closing.abort();
      await server.shutdown();
      closeDb();
      release();
    })();
  return {
    port: server.addr.port,
    url,
    device,
    service,
    enginePid: () => engine?.pid ?? null,
    shutdown,
    finished: server.finished,
  };
}

function describeDevice(device: DeviceInfo): string {
  const label = deviceLabel(device);
  return device.backend === "webgpu" && device.description
    ? `${label}, ${device.description}`
    : label;
}

async function main(): Promise<number> {
  let env: ServerEnv;
  try {
    env = parseServerEnv(Deno.args, Deno.env.toObject());
  } catch (error) {
    if (error instanceof HelpRequested) {
      console.log(error.message);
      return 0;
    }
    if (error instanceof ConfigError) {
      console.error(`ajuste: ${error.message}`);
      return 2;
    }
    throw error;
  }

  let server: Server;
  try {
    server = await startServer(env);
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) {
      console.error(
        `ajuste: Port ${env.port} on ${env.host} is already in use: ` +
          `choose another with --port or PORT`,
      );
      return 1;
    }
    throw error;
  }

  let stopping = false;
  const stop = () => {
    if (stopping) Deno.exit(130); // a second Ctrl-C leaves at once
    stopping = true;
    console.log(
      "ajuste: shutting down (runs in training become interrupted; Ctrl-C again to quit now)",
    );
    server.shutdown();
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  await server.finished;
  return 0;
}

if (import.meta.main) Deno.exit(await main());
