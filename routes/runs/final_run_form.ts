/**
 * The new-run form as a study's final model (`/runs/new?study=ID`): filled in from the best
 * trial by `config/final_run.ts`, its origin carried in hidden fields to the launch, and the
 * dev choice written into the split fields whenever it changes.
 *
 * @module
 */

import { HTTPException } from "hono/http-exception";
import { finalRunConfig, foldDev, trialConfig } from "../../config/final_run.ts";
import { configToValues, type FormValues } from "../../views/run_editor/run_form_state.ts";
import {
  DEV_CHOICE_FIELD,
  type FinalRunProps,
  ORIGIN_STUDY_FIELD,
  ORIGIN_TRIAL_FIELD,
  SHOWN_DEV_FIELD,
} from "../../views/runs/final_run_card.tsx";
import type { AppContext } from "../context.ts";
import { bestTrialOf, completeTrialOf, findStudy } from "../studies/final_run_data.ts";

/** The form's values for the final model of study `rawStudy` (the `?study=` of the address). */
export async function finalRunValues(ctx: AppContext, rawStudy: string): Promise<FormValues> {
  const study = await findStudy(ctx.db, rawStudy);
  const best = await bestTrialOf(ctx.db, study);
  const values = configToValues(finalRunConfig(study.spec, study.name, best));
  values[ORIGIN_STUDY_FIELD] = String(study.id);
  values[ORIGIN_TRIAL_FIELD] = String(best.number);
  values[DEV_CHOICE_FIELD] = "keep";
  return values;
}

/** The final-model card of posted `values`, read again from the study; undefined for a plain run. */
export async function finalRunOf(
  ctx: AppContext,
  values: FormValues,
): Promise<FinalRunProps | undefined> {
  const rawStudy = values[ORIGIN_STUDY_FIELD];
  if (rawStudy === undefined) return undefined;
  const study = await findStudy(ctx.db, rawStudy);
  const trial = await completeTrialOf(ctx.db, study, trialNumber(values[ORIGIN_TRIAL_FIELD]));
  return {
    studyId: study.id,
    studyName: study.name,
    trialNumber: trial.number,
    trialRunId: trial.runId,
    trial: trialConfig(study.spec, trial),
  };
}

/**
 * Sets the split fields to the dev choice when it differs from what they show: folded (dev 0)
 * or the trial's own split. True when it changed them.
 */
export function applyDevChoice(values: FormValues, final: FinalRunProps): boolean {
  const choice = values[DEV_CHOICE_FIELD] === "fold" ? "fold" : "keep";
  if (choice === (values[SHOWN_DEV_FIELD] ?? "keep")) return false;
  const trialSplit = final.trial.data.split;
  const split = choice === "fold" ? foldDev(trialSplit) : trialSplit;
  values["data.split.train"] = String(split.train);
  values["data.split.dev"] = String(split.dev);
  values["data.split.test"] = split.test === undefined ? "" : String(split.test);
  return true;
}

function trialNumber(raw: string | undefined): number {
  if (raw === undefined || !/^(0|[1-9][0-9]{0,8})$/.test(raw)) {
    throw new HTTPException(400, {
      message: `Trial number must be a whole number such as 3, got ${JSON.stringify(raw ?? "")}`,
    });
  }
  return Number(raw);
}
