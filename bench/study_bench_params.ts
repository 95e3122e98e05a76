/**
 * The trials a study file's seeded sampler draws, without training them: one JSON object per
 * trial number (0, 1, …) with its parameters by dotted path. bench/study_bench.py enqueues these
 * in Optuna, so both sides of bench/study_bench.sh train the same configurations (the sampler
 * draws per seed and trial number, whichever worker or lane runs the trial).
 *
 *   deno run --allow-read bench/study_bench_params.ts bench/study_bench.json [TRIALS] > /tmp/params.json
 *
 * TRIALS: the first this many of the study's trials (default: the file's `trials`).
 *
 * @module
 */

import { parseStudySpec } from "../config/study_schema.ts";
import { studySampler, suggestTrialConfig } from "../jobs/study_space.ts";
import { createStudy } from "../tuner/mod.ts";

const [file, count] = Deno.args;
const parsed = parseStudySpec(JSON.parse(await Deno.readTextFile(file)));
if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
const { spec } = parsed;
const study = await createStudy({ direction: spec.direction, sampler: studySampler(spec) });
const trials = [];
const trialCount = count === undefined ? spec.trials : Number(count);
if (!(Number.isInteger(trialCount) && trialCount > 0)) {
  throw new Error(`TRIALS must be a positive whole number, got "${count}"`);
}
for (let number = 0; number < trialCount; number++) {
  const trial = await study.ask();
  suggestTrialConfig(trial, spec);
  trials.push({ number: trial.number, params: trial.params });
  await study.tell(trial, 0);
}
console.log(JSON.stringify(trials, null, 1));
