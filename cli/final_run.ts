/**
 * `deno task tune --train-best`: the study's final model (`config/final_run.ts`), trained by this
 * process once its search is over, the way the dashboard's "Train the best" and
 * `POST /api/studies/:id/train-best` queue it.
 *
 * @module
 */

import { type AdmissionContext, runRefusals } from "../config/admission.ts";
import { finalRunConfig } from "../config/final_run.ts";
import type { Db } from "../db/client.ts";
import { type EpochRow, getRun, type RunStatus } from "../db/runs.ts";
import type { StudyRow } from "../db/studies.ts";
import type { TestRecord } from "../engine/train.ts";
import type { RunService } from "../jobs/run_service.ts";
import type { StudyReport } from "../jobs/study_report.ts";
import { formatIssues } from "./format.ts";

/** The final run as `--json` prints it. */
export interface FinalRunResult {
  id: number;
  trial: number;
  status: RunStatus;
  epochs: number;
  test: { loss: number; accuracy: number } | null;
  error: string | null;
}

export interface FinalRunOptions {
  db: Db;
  service: RunService;
  study: StudyRow;
  report: StudyReport;
  admission: AdmissionContext;
  /** Epochs to train; twice the best trial's by default. */
  epochs?: number;
  signal: AbortSignal;
  onStart?: (runId: number, epochsPlanned: number) => void;
  onEpoch?: (epoch: EpochRow) => void;
}

/** Queues the final run for this process, trains it to its end, and reads back how it ended. */
export async function trainFinalRun(options: FinalRunOptions): Promise<FinalRunResult> {
  const { db, service, study, report } = options;
  if (report.metrics && report.metrics.length > 1) {
    throw new Error(
      `Study "${study.name}" has ${report.metrics.length} objectives, so no single best trial ` +
        `to retrain: its best trials are the Pareto front (${
          report.bestTrials?.map((n) => `#${n}`).join(", ") || "none yet"
        })`,
    );
  }
  if (report.bestTrial === null || report.bestParams === null) {
    throw new Error(`Study "${study.name}" has no complete trial to train a final model from`);
  }
  const best = { number: report.bestTrial, params: report.bestParams };
  const config = finalRunConfig(study.spec, study.name, best, { epochs: options.epochs });
  const issues = await runRefusals(config, options.admission);
  if (issues.length) throw new Error(`The final model cannot train here:\n${formatIssues(issues)}`);
  const id = await service.createFinal(config, {
    studyId: study.id,
    trialNumber: best.number,
  }, { reserve: true });
  options.onStart?.(id, config.epochs);
  const unsubscribe = service.events.subscribe(id, (event) => {
    if (event.type === "epoch") options.onEpoch?.(event.epoch);
  });
  const cancel = () => service.cancel(id, "Stopped with Ctrl-C");
  options.signal.addEventListener("abort", cancel, { once: true });
  try {
    await service.whenIdle();
  } finally {
    unsubscribe();
    options.signal.removeEventListener("abort", cancel);
  }
  const run = (await getRun(db, id))!;
  const test = run.test as TestRecord | null;
  return {
    id,
    trial: best.number,
    status: run.status,
    epochs: run.epochs.length,
    test: test && { loss: test.loss, accuracy: test.accuracy },
    error: run.error,
  };
}
