/**
 * The new-run form's card for a study's final model (`/runs/new?study=`): where it comes from,
 * what was changed from the trial the way Optuna users retrain (whole pool, more epochs, a new
 * seed), and the dev split kept or folded into training. The hidden fields carry the origin
 * through every validation to the launch.
 *
 * @module
 */

import type { RunConfig } from "../../engine/spec.ts";
import { type Choice, type FormState, RadioGroup } from "../shell/form_fields.tsx";

export const ORIGIN_STUDY_FIELD = "origin.study";
export const ORIGIN_TRIAL_FIELD = "origin.trial";
/** "keep" or "fold"; beside it, the choice the split fields show now. */
export const DEV_CHOICE_FIELD = "final.dev";
export const SHOWN_DEV_FIELD = "final.shownDev";

export const DEV_CHOICES: Choice[] = [
  { value: "keep", label: "Keep it, to watch dev metrics" },
  { value: "fold", label: "Fold it into training (dev fraction 0)" },
];

export interface FinalRunProps {
  studyId: number;
  studyName: string;
  trialNumber: number;
  /** The run of that trial, when it is still stored. */
  trialRunId: number | null;
  /** The config the trial trained. */
  trial: RunConfig;
}

export function FinalRunCard(props: { final: FinalRunProps; state: FormState }) {
  const { final, state } = props;
  const { trial } = final;
  const values = state.values;
  const trainSize = values["data.trainSize"]?.trim();
  const trialLink = final.trialRunId === null
    ? `trial #${final.trialNumber}`
    : <a href={`/runs/${final.trialRunId}`}>trial #{final.trialNumber}</a>;
  return (
    <section class="card final-run">
      <h2>Final model</h2>
      <p>
        Study <a href={`/studies/${final.studyId}`}>{final.studyName}</a>'s best,{" "}
        {trialLink}, retrained as the final model. Every field below is the trial's, except:
      </p>
      <input type="hidden" name={ORIGIN_STUDY_FIELD} value={String(final.studyId)} />
      <input type="hidden" name={ORIGIN_TRIAL_FIELD} value={String(final.trialNumber)} />
      <input type="hidden" name={SHOWN_DEV_FIELD} value={values[DEV_CHOICE_FIELD] ?? "keep"} />
      <ul>
        <li>
          Train size: {trainSize ? `the first ${trainSize} examples` : "the whole training pool"}
          {" "}
          (the trial: {trial.data.trainSize === undefined
            ? "the whole pool"
            : `the first ${trial.data.trainSize}`})
        </li>
        <li>Epochs: {values.epochs} (the trial trained {trial.epochs})</li>
        <li>Seed: {values.seed} (the trial's: {trial.seed})</li>
      </ul>
      <RadioGroup
        state={state}
        name={DEV_CHOICE_FIELD}
        legend={`Dev split (the trial's: ${trial.data.split.dev})`}
        choices={DEV_CHOICES}
      />
    </section>
  );
}
