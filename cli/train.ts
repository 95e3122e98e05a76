/**
 * `deno task train config.json [--json] [--db URL]`: trains one run in the terminal.
 *
 * A progress bar per epoch on stderr, a summary table and per-class test scores (rates as
 * percentages throughout); with `--json`, stdout is exactly one JSON object
 * `{ status, epochs, test, classMetrics, device }` for scripts. With `--db`, the run is also stored
 * in that database as a dashboard's run is (`cli/train_db.ts`), listed live by any dashboard on
 * it; the JSON then names it (`run`) and a run that failed says why (`error`).
 *
 * @module
 */

import process from "node:process";
import cliProgress from "cli-progress";
import { Command } from "commander";
import { checkedDatabaseUrl, parseArgs, wholeNumber } from "./args.ts";
import { formatIssues, formatTable, lossCell, paramCell, rateCell } from "./format.ts";
import { defaultDatasetRoots } from "../config/paths.ts";
import { displayDatabase, ensureRuntimeDir } from "../config/env.ts";
import { runRefusals } from "../config/admission.ts";
import { duplicateKeyIssue } from "../config/duplicate_keys.ts";
import { type JobLimits, parseJobLimits } from "../config/job_limits.ts";
import { parseRunConfig } from "../config/schema.ts";
import { cliAdmission } from "./admission.ts";
import { train } from "../engine/mod.ts";
import type { DeviceRecord, EarlyStopRecord, EpochRecord, TestRecord } from "../engine/train.ts";
import { classMetrics, type ClassScores } from "../engine/class_metrics.ts";
import { datasetClassNames } from "../engine/data/load.ts";

const program = new Command()
  .name("deno task train")
  .description("Train one MLP from a run config (JSON); every field is optional")
  .argument("[config]", "path to a run config JSON file (omit for the defaults)")
  .option("--json", "print one JSON object with the result on stdout")
  .option("--epochs <n>", "override the config's epochs", wholeNumber(1))
  .option("--device <device>", "override the config's device: auto, gpu or cpu")
  .option(
    "--db <url>",
    "store the run in this libSQL database (file:path, or http://host:port for sqld), " +
      "where dashboards on it show it live",
  )
  .showHelpAfterError();

parseArgs(program, "train", Deno.args);
ensureRuntimeDir();
const options = program.opts<{ json?: boolean; epochs?: number; device?: string; db?: string }>();
const [path] = program.args;
const dbUrl = options.db === undefined ? undefined : checkedDatabaseUrl("ajuste train", options.db);

let input: Record<string, unknown> = {};
if (path) {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    fail(`Cannot read config file "${path}": ${(error as Error).message}`);
  }
  try {
    input = JSON.parse(text);
  } catch (error) {
    fail(`Config file "${path}" is not valid JSON: ${(error as Error).message}`);
  }
  const twice = duplicateKeyIssue(text);
  if (twice) fail(`Invalid run config in "${path}":\n${formatIssues([twice])}`);
}
if (options.epochs !== undefined) input = { ...input, epochs: options.epochs };
if (options.device !== undefined) input = { ...input, device: options.device };

const parsed = parseRunConfig(input);
if (!parsed.ok) {
  fail(`Invalid run config${path ? ` in "${path}"` : ""}:\n${formatIssues(parsed.issues)}`);
}
const config = parsed.config;
let limits: JobLimits;
try {
  limits = parseJobLimits(Deno.env.toObject());
} catch (error) {
  fail((error as Error).message);
}
// What the server would refuse: a dataset it cannot read, more memory than this machine gives.
const refusals = await runRefusals(config, await cliAdmission(limits));
if (refusals.length > 0) {
  fail(`Run config${path ? ` in "${path}"` : ""} refused:\n${formatIssues(refusals)}`);
}

const controller = new AbortController();
Deno.addSignalListener("SIGINT", () => controller.abort());

const bar = new cliProgress.SingleBar({
  stream: process.stderr,
  format:
    "{bar} epoch {value}/{total} | train loss {trainLoss} | dev acc {devAccuracy} | {seconds}s/epoch",
  hideCursor: true,
}, cliProgress.Presets.shades_classic);

const startBar = (where: string) => {
  if (!options.json) console.error(`Training "${config.name}" ${where}`);
  bar.start(config.epochs, 0, { trainLoss: "-", devAccuracy: "-", seconds: "-" });
};
const showEpoch = (e: EpochRecord) => {
  bar.update(e.epoch, {
    trainLoss: lossCell(e.trainLoss),
    devAccuracy: rateCell(e.devAccuracy),
    seconds: e.seconds.toFixed(2),
  });
};
const roots = { ...defaultDatasetRoots(), maxFileBytes: limits.maxDatasetBytes };
const result: RunOutcome = await (dbUrl ? trainStored(dbUrl) : train(config, {
  roots,
  signal: controller.signal,
  onStart: (device) => startBar(`on ${device.description}`),
  onEpoch: showEpoch,
})).catch((error) => {
  bar.stop();
  fail((error as Error).message);
});
bar.stop();

const scores = result.test
  ? classMetrics(
    result.test.confusion,
    datasetClassNames(config.data.dataset, result.test.classes),
  )
  : null;
if (options.json) {
  const { id, status, epochs, test, device, divergedAt, earlyStop, error } = result;
  console.log(JSON.stringify({
    ...(id === undefined ? {} : { run: id }),
    status,
    epochs,
    test: test ? { loss: test.loss, accuracy: test.accuracy } : null,
    classMetrics: scores,
    device,
    ...(divergedAt ? { divergedAt } : {}),
    ...(earlyStop ? { earlyStop } : {}),
    ...(error ? { error } : {}),
  }));
} else {
  // A scheduled run shows the lr each epoch ended with; a constant one needs no column.
  const scheduled = Boolean(config.scheduler);
  console.log(formatTable(
    [
      "epoch",
      "train loss",
      "train acc",
      "dev loss",
      "dev acc",
      ...(scheduled ? ["lr"] : []),
      "seconds",
    ],
    result.epochs.map((e) => [
      e.epoch,
      lossCell(e.trainLoss),
      rateCell(e.trainAccuracy),
      lossCell(e.devLoss),
      rateCell(e.devAccuracy),
      ...(scheduled ? [e.lr == null ? "-" : paramCell(e.lr)] : []),
      e.seconds.toFixed(2),
    ]),
  ));
  if (result.test) {
    console.log(
      `Test: loss ${lossCell(result.test.loss)}, accuracy ${
        rateCell(result.test.accuracy)
      } (${result.test.count} examples)`,
    );
  }
  if (scores) {
    const support = scores.perClass.reduce((sum, row) => sum + row.support, 0);
    const line = (
      name: string,
      row: ClassScores,
      count: number,
    ) => [name, rateCell(row.precision), rateCell(row.recall), rateCell(row.f1), count];
    console.log(formatTable(
      ["class", "precision", "recall", "F1", "support"],
      [
        ...scores.perClass.map((row) => line(row.name, row, row.support)),
        line("macro avg", scores.macro, support),
        line("weighted avg", scores.weighted, support),
      ],
    ));
  }
  if (result.divergedAt) console.log(result.divergedAt.message);
  else if (result.error) console.log(result.error);
  if (result.earlyStop) console.log(result.earlyStop.message);
  console.log(`Status: ${result.status}`);
}
Deno.exit(result.status === "completed" ? 0 : result.status === "cancelled" ? 130 : 1);

/**
 * Trains the run stored in the database at `url`, as a dashboard's. Imported only here: the
 * libSQL client loads a native library (--allow-ffi), which a run without --db does without.
 */
async function trainStored(url: string): Promise<RunOutcome> {
  const { trainStoredRun } = await import("./train_db.ts");
  return await trainStoredRun(config, {
    url,
    authToken: Deno.env.get("AJUSTE_DB_TOKEN"),
    roots,
    loadTimeoutMs: limits.loadTimeoutSeconds * 1000,
    signal: controller.signal,
    onCreated: (id) => startBar(`as run #${id} in ${displayDatabase(url)}`),
    onEpoch: showEpoch,
  });
}

/** How a run ended, trained here alone or stored (`id`, and `error` when it did not complete). */
interface RunOutcome {
  id?: number;
  status: string;
  epochs: EpochRecord[];
  test?: TestRecord | null;
  device: DeviceRecord | null;
  divergedAt?: { epoch: number; step: number; message: string } | null;
  /** A run with early stopping: where it stopped and its best epoch. */
  earlyStop?: EarlyStopRecord | null;
  error?: string | null;
}

function fail(message: string): never {
  console.error(message);
  Deno.exit(2);
}
