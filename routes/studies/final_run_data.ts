/**
 * The trial a study's final model retrains (`config/final_run.ts`), read for the API and the
 * new-run form: the best complete trial, or one named by number.
 *
 * @module
 */

import { HTTPException } from "hono/http-exception";
import type { BestTrial } from "../../config/final_run.ts";
import type { Db } from "../../db/client.ts";
import { getStudyById, type StudyRow } from "../../db/studies.ts";
import { studyReport } from "../../jobs/study_report.ts";
import { parseRunId } from "../shell/params.ts";

/** Study `raw` (a path or query value), or 400 for a bad id and 404 for none. */
export async function findStudy(db: Db, raw: string): Promise<StudyRow> {
  const id = parseRunId(raw, "Study id");
  const study = await getStudyById(db, id);
  if (!study) throw new HTTPException(404, { message: `Study ${id} does not exist` });
  return study;
}

/** The best complete trial of `study`, or 409 while it has none. */
export async function bestTrialOf(db: Db, study: StudyRow): Promise<BestTrial> {
  const report = await studyReport(db, study);
  if (report.metrics && report.metrics.length > 1) {
    // As Optuna's best_trial: a multi-objective study has a front, not one best trial.
    throw new HTTPException(409, {
      message: `Study "${study.name}" has ${report.metrics.length} objectives ` +
        `(${report.metrics.join(", ")}), so no single best trial: its best trials are the ` +
        `Pareto front (${report.bestTrials?.map((n) => `#${n}`).join(", ") || "none yet"}); ` +
        `continue training one of their runs instead`,
    });
  }
  if (report.bestTrial === null || report.bestParams === null) {
    throw new HTTPException(409, {
      message: `Study "${study.name}" has no complete trial to train a final model from yet`,
    });
  }
  return { number: report.bestTrial, params: report.bestParams };
}

/**
 * Complete trial `number` of `study` and the run it trained, or 400 naming it when there is no
 * such trial.
 */
export async function completeTrialOf(
  db: Db,
  study: StudyRow,
  number: number,
): Promise<BestTrial & { runId: number | null }> {
  const report = await studyReport(db, study);
  const trial = report.trials.find((t) => t.number === number && t.state === "COMPLETE");
  if (!trial) {
    throw new HTTPException(400, {
      message: `Study "${study.name}" has no complete trial #${number} to train a final ` +
        `model from`,
    });
  }
  return { number, params: trial.params, runId: trial.runId };
}
