/**
 * `deno task work [--db URL]`: a worker with no HTTP server. It claims queued runs (from any
 * dashboard, script or study sharing the database) and the trials of active studies, and trains
 * them on this machine's engine, one at a time (a study's trials `parallel` at once, each lane past
 * the first on an engine process of its own), until Ctrl-C. Run one per GPU machine, all
 * pointing at one libSQL server (sqld); a dashboard started with `--no-train` is then only the
 * control plane.
 *
 * Ctrl-C (SIGINT or SIGTERM) gives the run in training back to the queue and re-queues the trial
 * in flight, for another worker or the next start.
 *
 * @module
 */

import { Command } from "commander";
import { DEFAULT_DB, displayDatabase, ensureRuntimeDir } from "../config/env.ts";
import { parseJobLimits } from "../config/job_limits.ts";
import { defaultDatasetRoots } from "../config/paths.ts";
import { openDb } from "../db/client.ts";
import { peekDatasets } from "../engine/data/load.ts";
import { probeDevice } from "../engine/device.ts";
import { EngineProcess } from "../jobs/engine_process.ts";
import { laneServices, parallelOnThisMachine } from "../jobs/parallel.ts";
import { RunService } from "../jobs/run_service.ts";
import { StudyService } from "../jobs/study_service.ts";
import { checkedDatabaseUrl, parseArgs } from "./args.ts";

const program = new Command()
  .name("deno task work")
  .description("Train queued runs and active studies' trials from a shared database")
  .option(
    "--db <url>",
    "libSQL database: file:path, or http://host:port for sqld",
    Deno.env.get("AJUSTE_DB") ?? DEFAULT_DB,
  )
  .showHelpAfterError();

parseArgs(program, "work", Deno.args);
const options = program.opts<{ db: string }>();
const dbUrl = checkedDatabaseUrl("ajuste work", options.db);
let limits;
try {
  limits = parseJobLimits(Deno.env.toObject());
} catch (error) {
  console.error(`ajuste work: ${(error as Error).message}`);
  Deno.exit(2);
}
ensureRuntimeDir();

const roots = { ...defaultDatasetRoots(), maxFileBytes: limits.maxDatasetBytes };
const { db, close } = await openDb({ url: dbUrl, authToken: Deno.env.get("AJUSTE_DB_TOKEN") });
const newEngine = () =>
  new EngineProcess({ roots, loadTimeoutMs: limits.loadTimeoutSeconds * 1000 });
const jobTiming = {
  leaseMs: limits.leaseSeconds * 1000,
  checkpointSeconds: limits.checkpointSeconds,
};
const service = new RunService(db, {
  engine: newEngine(),
  ...jobTiming,
  maxQueued: limits.maxQueued,
  log: (line) => console.error(`ajuste work: ${line}`),
});
const device = probeDevice();
const studies = new StudyService(db, service, {
  log: (line) => console.error(`ajuste work: ${line}`),
  // A study's trials train its `parallel` at once here, each on an engine process of its own.
  parallel: parallelOnThisMachine(async () => ({
    memoryBudgetBytes: limits.memoryBudgetBytes,
    datasets: await peekDatasets(roots),
    roots,
    device: await device,
  })),
  lane: laneServices(db, newEngine, jobTiming),
});
console.error(
  `ajuste work: training queued runs and active studies from ${displayDatabase(dbUrl)} ` +
    `as ${service.owner}; Ctrl-C to stop`,
);

const stopped = new Promise<void>((resolve) => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(signal, resolve);
});
await stopped;
console.error("ajuste work: stopping (the run in training goes back to the queue)");
await studies.stopAll();
await service.shutdown();
close();
Deno.exit(0);
