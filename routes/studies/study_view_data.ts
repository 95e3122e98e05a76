/**
 * Everything the study page shows about one study, read from the database: the trials report,
 * whether trials are still to come, and fANOVA importances over the complete trials.
 *
 * @module
 */

import { parseRunConfig } from "../../config/schema.ts";
import { spaceParams, type StudySpec } from "../../config/study_schema.ts";
import type { Db } from "../../db/client.ts";
import { finalRuns, getStudyById, type StudyRow } from "../../db/studies.ts";
import { LibsqlStorage } from "../../db/tuner_storage.ts";
import { trialTimeline } from "../../db/trial_timeline.ts";
import { type StudyReport, studyReport } from "../../jobs/study_report.ts";
import type { FrozenTrial } from "../../tuner/frozen_trial.ts";
import { paramImportances } from "../../tuner/importance.ts";
import type { StudyStatus, StudyView } from "../../views/studies/study_parts.tsx";

/** Importances rank parameters by how they explain differences: one trial explains nothing. */
const MIN_TRIALS_FOR_IMPORTANCE = 2;

/**
 * Loads study `id`, or undefined when there is none. `previous` (the last view of the same
 * study) lends its importances when the complete trials have not changed, so a live page does
 * not refit the forest on every epoch.
 */
export async function loadStudyView(
  db: Db,
  id: number,
  previous?: StudyView,
): Promise<StudyView | undefined> {
  const row = await getStudyById(db, id);
  if (!row) return undefined;
  const [report, frozen, finals, timeline] = await Promise.all([
    studyReport(db, row),
    new LibsqlStorage(db).getAllTrials(id),
    finalRuns(db, id),
    trialTimeline(db, id),
  ]);
  const sameComplete = previous && completeKey(previous.report) === completeKey(report);
  const requeued = requeuedCount(frozen);
  return {
    report,
    spec: row.spec,
    createdAt: row.createdAt,
    status: studyStatus(report, row.active, requeued),
    active: row.active,
    requeued,
    importances: sameComplete ? previous.importances : importances(frozen),
    maxEpochs: maxEpochs(row.spec, report),
    finalRuns: finals,
    timeline,
  };
}

/** The trials report and status of a study, without the page's importances. */
export async function loadStudyStatus(
  db: Db,
  row: StudyRow,
): Promise<{ report: StudyReport; status: StudyStatus; active: boolean }> {
  const [report, frozen, fresh] = await Promise.all([
    studyReport(db, row),
    new LibsqlStorage(db).getAllTrials(row.id),
    getStudyById(db, row.id),
  ]);
  const active = fresh?.active ?? false;
  return { report, status: studyStatus(report, active, requeuedCount(frozen)), active };
}

function requeuedCount(trials: FrozenTrial[]): number {
  return trials.filter((t) => t.systemAttrs.requeued_as !== undefined).length;
}

/**
 * How the study stands. Running while it is active (started and not stopped) or any trial runs
 * (a CLI worker's, say); over once the budget is spent and nothing is left to run, "completed" when a
 * trial completed and "ended" when none did (all failed or were pruned); otherwise stopped,
 * with trials still to start and perhaps some queued (a stopped trial re-queued), until resumed.
 * `requeued` trials failed and were queued again: their retry counts against the budget instead.
 */
export function studyStatus(report: StudyReport, active: boolean, requeued = 0): StudyStatus {
  const count = (state: string) => report.trials.filter((t) => t.state === state).length;
  return statusFromCounts({
    trials: report.trials.length,
    complete: count("COMPLETE"),
    running: count("RUNNING"),
    waiting: count("WAITING"),
    requeued,
    budget: report.trialBudget,
    active,
  });
}

/** {@linkcode studyStatus} from counts alone, as the studies list has them. */
export function statusFromCounts(counts: {
  trials: number;
  complete: number;
  running: number;
  waiting: number;
  requeued: number;
  budget: number;
  active: boolean;
}): StudyStatus {
  const { running, waiting } = counts;
  if (!running && !waiting && counts.trials - counts.requeued >= counts.budget) {
    return counts.complete > 0 ? "completed" : "ended";
  }
  return counts.active || running ? "running" : "stopped";
}

function completeKey(report: StudyReport): string {
  return report.trials.filter((t) => t.state === "COMPLETE").map((t) => `${t.number}:${t.value}`)
    .join(",");
}

function importances(trials: FrozenTrial[]): StudyView["importances"] {
  const complete = trials.filter((t) => t.state === "COMPLETE").length;
  if (complete < MIN_TRIALS_FOR_IMPORTANCE) {
    return {
      ok: false,
      reason: `Needs ≥ ${MIN_TRIALS_FOR_IMPORTANCE} complete trials (${complete} so far)`,
    };
  }
  try {
    return { ok: true, list: paramImportances(trials) };
  } catch (error) {
    // All complete trials scored the same: nothing to explain yet.
    if (error instanceof RangeError) {
      return { ok: false, reason: "All complete trials scored the same" };
    }
    throw error;
  }
}

/** The epochs a trial trains at most: the base's, or the top of a searched `epochs` range. */
function maxEpochs(spec: StudySpec, report: StudyReport): number {
  const searched = spaceParams(spec.space).epochs;
  const base = parseRunConfig(spec.base);
  const planned = searched && searched.type === "int"
    ? searched.high
    : base.ok
    ? base.config.epochs
    : 1;
  const reported = report.trials.flatMap((t) => t.intermediateValues.map(([step]) => step));
  return Math.max(planned, ...reported);
}
