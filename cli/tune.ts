/**
 * `deno task tune [study.json] [--trials N] [--parallel N] [--study NAME] [--db URL] [--json]
 * [--csv FILE] [--train-best [--epochs N]]`: an Optuna-style search in the terminal, its trials stored in the
 * same libSQL database the dashboard shows; `--csv` writes them as a table (Optuna's
 * `trials_dataframe()` columns), `--train-best` then trains the final model (`cli/final_run.ts`).
 *
 * Every such process is a worker: start several (on several machines, with `--db` pointing at one
 * sqld server) and they share the study; it ends with exactly the study's `trials` finished.
 * `--parallel N` (else the study file's `parallel`, by default chosen from the cores and the
 * backend: `jobs/parallel.ts`) trains N trials at once here, each on an engine process of its own.
 *
 * @module
 */

import { dirname } from "node:path";
import process from "node:process";
import cliProgress from "cli-progress";
import { Command } from "commander";
import { type AdmissionContext, studyAdmissionIssues, studyRefusals } from "../config/admission.ts";
import { duplicateKeyIssue } from "../config/duplicate_keys.ts";
import { type JobLimits, parseJobLimits } from "../config/job_limits.ts";
import { DEFAULT_DB, ensureRuntimeDir } from "../config/env.ts";
import { defaultDatasetRoots } from "../config/paths.ts";
import {
  MAX_PARALLEL,
  parseStudySpec,
  spaceParams,
  type StudySpec,
} from "../config/study_schema.ts";
import { openDb } from "../db/client.ts";
import { getStudyByName, openStudy, StudyConflict, type StudyRow } from "../db/studies.ts";
import { studyTrialsTable, trialsCsv } from "../db/study_export.ts";
import { EngineProcess } from "../jobs/engine_process.ts";
import { RunService } from "../jobs/run_service.ts";
import { laneServices, parallelOnThisMachine } from "../jobs/parallel.ts";
import { runStudyLanes } from "../jobs/study_lanes.ts";
import { studyReport } from "../jobs/study_report.ts";
import { finalRunOptionsSchema } from "../config/final_run.ts";
import { parseRunConfig } from "../config/schema.ts";
import { toIssues } from "../config/issues.ts";
import { checkedDatabaseUrl, parseArgs, wholeNumber } from "./args.ts";
import { type FinalRunResult, trainFinalRun } from "./final_run.ts";
import { cliAdmission } from "./admission.ts";
import { formatIssues, formatTable, lossCell, metricCell, paramCell, rateCell } from "./format.ts";

const program = new Command()
  .name("deno task tune")
  .description("Search hyperparameters (TPE, random or grid) and store every trial as a run")
  .argument("[study]", "study file (JSON); omit to join an existing study given by --study")
  .option(
    "--trials <n>",
    "trials this worker runs at most (0: run none, just report)",
    wholeNumber(0),
  )
  .option(
    "--parallel <n>",
    `trials trained at once here, each in its own engine process (1 to ${MAX_PARALLEL}; ` +
      "default: the study's parallel, whose auto is chosen from the cores and the backend)",
    wholeNumber(1),
  )
  .option("--study <name>", "study name (overrides the file's name; joins it if it exists)")
  .option(
    "--db <url>",
    "libSQL database: file:path, or http://host:port for sqld",
    Deno.env.get("AJUSTE_DB") ?? DEFAULT_DB,
  )
  .option("--heartbeat <seconds>", "heartbeat interval of running trials", wholeNumber(1))
  .option("--json", "print one JSON object with the study's trials on stdout")
  .option(
    "--csv <file>",
    "write the study's trials to FILE as CSV, one row per trial (Optuna's trials_dataframe() " +
      "columns); with --trials 0: the study as it stands",
  )
  .option(
    "--train-best",
    "after the search, train the best trial's params on the whole training pool as the final " +
      "model and print its test metrics (with --trials 0: the best of the study as it stands)",
  )
  .option("--epochs <n>", "the final model's epochs (default: twice the trial's)", wholeNumber(1))
  .showHelpAfterError();

parseArgs(program, "tune", Deno.args);
ensureRuntimeDir();
let limits: JobLimits;
try {
  limits = parseJobLimits(Deno.env.toObject());
} catch (error) {
  fail((error as Error).message);
}
const options = program.opts<{
  trials?: number;
  parallel?: number;
  study?: string;
  db: string;
  heartbeat?: number;
  json?: boolean;
  csv?: string;
  trainBest?: boolean;
  epochs?: number;
}>();
const [file] = program.args;
// This machine's datasets, adapter and memory budget, asked once; the adapter's probe (~0.13 s
// here) starts now, while the study file is read.
let admitted: Promise<AdmissionContext> | undefined;
const admission = () => admitted ??= cliAdmission(limits);
admission().catch(() => {}); // a failure is reported where it is awaited
const dbUrl = checkedDatabaseUrl("ajuste tune", options.db);

if (!file && !options.study) fail("Give a study file, or --study NAME to join an existing study");
if (options.parallel !== undefined && options.parallel > MAX_PARALLEL) {
  fail(`--parallel must be a whole number from 1 to ${MAX_PARALLEL}, got ${options.parallel}`);
}
if (options.epochs !== undefined) {
  if (!options.trainBest) fail("--epochs sets the final model's epochs: give --train-best too");
  const checked = finalRunOptionsSchema.safeParse({ epochs: options.epochs });
  if (!checked.success) fail(formatIssues(toIssues(checked.error)));
}

// A table that could not be written is refused before any trial runs, not after.
if (options.csv !== undefined) {
  const folder = dirname(options.csv);
  const info = await Deno.stat(folder).catch(() => null);
  if (!info?.isDirectory) {
    fail(`Cannot write the trials to "${options.csv}": no folder "${folder}"`);
  }
}

const newEngine = () =>
  new EngineProcess({
    roots: { ...defaultDatasetRoots(), maxFileBytes: limits.maxDatasetBytes },
    loadTimeoutMs: limits.loadTimeoutSeconds * 1000,
  });
/**
 * The engine processes of this study's lanes, each started as soon as the study is known and
 * loading its datasets meanwhile; `trainingEngine` hands them out, then new ones.
 */
const startedEngines: EngineProcess[] = [];
const trainingEngine = () => startedEngines.shift() ?? newEngine();
function startEngines(count: number, study: StudySpec): void {
  if (options.trials === 0) return;
  while (startedEngines.length < count) {
    const engine = newEngine();
    const { datasets, trainRows } = studyData(study);
    engine.prepare(datasets, trainRows);
    startedEngines.push(engine);
  }
}

// The study file is checked before the database is opened, so a bad file leaves nothing behind.
let spec: StudySpec | undefined;
if (file) {
  let input: unknown;
  let text = "";
  try {
    text = await Deno.readTextFile(file);
    input = JSON.parse(text);
  } catch (error) {
    fail(`Cannot read study file "${file}": ${(error as Error).message}`);
  }
  const twice = duplicateKeyIssue(text);
  if (twice) fail(`Invalid study file "${file}":\n${formatIssues([twice])}`);
  if (options.study) input = { ...(input as object), name: options.study };
  const parsed = parseStudySpec(input);
  if (!parsed.ok) fail(`Invalid study file "${file}":\n${formatIssues(parsed.issues)}`);
  // What every trial would fail on (a split the dataset refuses, sizes past it, a missing path),
  // and what would not fit this machine at the worst of the search space.
  startEngines(1, parsed.spec);
  const issues = await studyRefusals(parsed.spec, await admission());
  if (issues.length > 0) fail(`Invalid study file "${file}":\n${formatIssues(issues)}`);
  spec = parsed.spec;
}

const { db, close } = await openDb({ url: dbUrl, authToken: Deno.env.get("AJUSTE_DB_TOKEN") });
let study: StudyRow;
if (spec) {
  // The same file joins the study (every worker of a distributed search passes it); another
  // file under a taken name is refused, naming what differs, rather than silently ignored.
  const opened = await openStudy(db, spec).catch((error) =>
    fail(
      error instanceof StudyConflict
        ? `${error.message}\n(To join it as stored: deno task tune --study ${
          JSON.stringify(spec!.name)
        })`
        : error.message,
    )
  );
  study = opened.study;
  if (!opened.created) console.error(`Joining study "${study.name}" (#${study.id})`);
} else {
  study = await getStudyByName(db, options.study!) ??
    fail(`No study "${options.study}" in ${dbUrl}; give its study file to create it`);
}

const budget = study.spec.trials;
// The file given (else the stored one) says how many trials train at once, unless --parallel
// does; N of the worst trial must fit the memory budget together, as at the server's door.
const searched = {
  ...(spec ?? study.spec),
  parallel: options.parallel ?? (spec ?? study.spec).parallel,
};
if (options.parallel !== undefined && options.trials !== 0) {
  const issues = (await studyAdmissionIssues(searched, await admission()))
    .filter((issue) => issue.path === "parallel")
    .map((issue) => ({ ...issue, path: "--parallel" }));
  if (issues.length > 0) {
    close();
    fail(formatIssues(issues));
  }
}
const parallel = await parallelOnThisMachine(admission, options.parallel)(
  spec ?? study.spec,
);
// As many as `runStudyLanes` will run.
startEngines(
  options.trials === undefined
    ? parallel.trials
    : Math.max(1, Math.min(parallel.trials, options.trials)),
  spec ?? study.spec,
);
const leaseMs = options.heartbeat === undefined ? undefined : 3 * options.heartbeat * 1000;
// Its own trials only: queued runs of a dashboard are for servers and `deno task work`.
const service = new RunService(db, { engine: trainingEngine(), claims: "reserved", leaseMs });
const controller = new AbortController();
Deno.addSignalListener("SIGINT", () => controller.abort());

const started = performance.now();
let best: number | null = null;
const bar = new cliProgress.SingleBar({
  stream: process.stderr,
  format: "{bar} trial {value}/{total} | best {best} | {elapsed}s | {last}",
  hideCursor: true,
}, cliProgress.Presets.shades_classic);
if (options.trials !== 0) {
  if (!options.json) {
    const atOnce = parallel.trials > 1 ? `, ${parallel.trials} at once (${parallel.why})` : "";
    console.error(
      `Study "${study.name}": ${study.direction} ${study.spec.metric}, ${budget} trials${atOnce}`,
    );
  }
  bar.start(options.trials ?? budget, 0, { best: "-", elapsed: 0, last: "" });
  await runStudyLanes({
    db,
    service,
    study,
    parallel: parallel.trials,
    lane: laneServices(db, trainingEngine, { leaseMs }),
    maxTrials: options.trials,
    heartbeatIntervalSeconds: options.heartbeat,
    signal: controller.signal,
    onTrialEnd: (trial) => {
      bar.increment(1, {
        best: metricText(bestSoFar(trial.value)),
        elapsed: Math.round((performance.now() - started) / 1000),
        last: `#${trial.number} ${trial.state}${
          trial.value === null ? "" : ` ${metricText(trial.value)}`
        }`,
      });
    },
  }).catch((error) => {
    bar.stop();
    fail(error.message);
  });
  bar.stop();
  await service.whenIdle();
}
// Started for lanes that did not run (the study had fewer trials left than lanes).
await Promise.all(startedEngines.splice(0).map((engine) => engine.close()));

const report = await studyReport(db, study);
if (options.csv !== undefined) {
  const csv = trialsCsv(await studyTrialsTable(db, study.id));
  await Deno.writeTextFile(options.csv, csv).catch(async (error) => {
    await service.shutdown();
    close();
    fail(`Cannot write the trials to "${options.csv}": ${error.message}`);
  });
  if (!options.json) console.error(`Wrote ${report.trials.length} trials to ${options.csv}`);
}
const finalRun = options.trainBest ? await trainBest() : undefined;
if (options.json) {
  console.log(JSON.stringify(finalRun ? { ...report, finalRun } : report));
} else {
  const top = report.trials.filter((t) => t.state === "COMPLETE")
    .sort((a, b) => study.direction === "maximize" ? b.value! - a.value! : a.value! - b.value!)
    .slice(0, 10);
  const paths = Object.keys(spaceParams(study.spec.space));
  const metrics = report.metrics ?? [];
  if (metrics.length > 1) {
    // Several objectives: the Pareto front, each of its trials with every objective.
    const front = report.trials.filter((t) => report.bestTrials?.includes(t.number));
    console.log(
      `Pareto front (${front.length} trials): ${
        metrics.map((m, k) => `${report.directions![k]} ${m}`).join(", ")
      }`,
    );
    console.log(formatTable(
      ["trial", ...metrics, ...paths],
      front.map((t) => [
        t.number,
        ...metrics.map((m, k) => metricCell(m, t.values?.[k] ?? null)),
        ...paths.map((p) => formatParam(t.params[p])),
      ]),
    ));
  } else if (top.length > 0) {
    console.log(formatTable(
      ["trial", study.spec.metric, ...paths],
      top.map((
        t,
      ) => [t.number, metricText(t.value), ...paths.map((p) => formatParam(t.params[p]))]),
    ));
  }
  const states = Object.entries(report.counts).map(([state, n]) => `${n} ${state.toLowerCase()}`)
    .join(", ");
  console.log(`\n${report.trials.length} trials (${states})`);
  if (report.bestValue !== null) {
    console.log(`Best ${study.spec.metric}: ${metricText(report.bestValue)} with`);
    for (const [path, value] of Object.entries(report.bestParams ?? {})) {
      console.log(`  ${path} = ${formatParam(value)}`);
    }
  }
  if (finalRun) printFinalRun(finalRun);
}
await service.shutdown();
close();
if (finalRun && finalRun.status !== "completed") Deno.exit(1);

async function trainBest(): Promise<FinalRunResult> {
  const finalBar = new cliProgress.SingleBar({
    stream: process.stderr,
    format: "{bar} final model, run #{run} | epoch {value}/{total} | {last}",
    hideCursor: true,
  }, cliProgress.Presets.shades_classic);
  try {
    return await trainFinalRun({
      db,
      service,
      study,
      report,
      admission: await admission(),
      epochs: options.epochs,
      signal: controller.signal,
      onStart: (run, epochs) => {
        if (!options.json) {
          console.error(`Training the final model of trial #${report.bestTrial} as run #${run}`);
        }
        finalBar.start(epochs, 0, { run, last: "" });
      },
      onEpoch: (epoch) =>
        finalBar.update(epoch.epoch, {
          last: `train loss ${lossCell(epoch.trainLoss)}${
            epoch.devAccuracy === null ? "" : `, dev accuracy ${rateCell(epoch.devAccuracy)}`
          }`,
        }),
    });
  } catch (error) {
    finalBar.stop();
    await service.shutdown();
    close();
    fail((error as Error).message);
  } finally {
    finalBar.stop();
  }
}

function printFinalRun(run: FinalRunResult) {
  console.log(`\nFinal model: run #${run.id} (trial #${run.trial}'s params), ${run.status}`);
  if (run.test) {
    console.log(
      `Test accuracy ${rateCell(run.test.accuracy)}, test loss ${lossCell(run.test.loss)}`,
    );
  } else if (run.error) {
    console.log(run.error);
  }
}

/**
 * The datasets `study`'s trials may train on (its base's, and the searched ones), and the
 * training rows they take: the base's, unless the search changes them.
 */
function studyData(study: StudySpec): { datasets: string[]; trainRows?: number } {
  const base = parseRunConfig(study.base);
  const searched = study.space["data.dataset"];
  const choices = searched?.type === "categorical" ? searched.choices : [];
  return {
    datasets: [base.ok ? base.config.data.dataset : null, ...choices]
      .filter((id) => typeof id === "string"),
    trainRows: base.ok && !study.space["data.trainSize"] ? base.config.data.trainSize : undefined,
  };
}

function bestSoFar(value: number | null): number | null {
  if (
    value !== null &&
    (best === null || (study.direction === "maximize" ? value > best : value < best))
  ) best = value;
  return best;
}

/** The study's metric as the dashboard shows it: a percentage for accuracy, a loss otherwise. */
function metricText(value: number | null): string {
  return metricCell(study.spec.metric, value);
}

function formatParam(value: unknown): string {
  // A parameter of another branch (momentum in an Adam trial) is absent: shown as a dash.
  if (value === undefined) return "–";
  return typeof value === "number" ? paramCell(value) : String(value);
}

function fail(message: string): never {
  console.error(message);
  Deno.exit(2);
}
