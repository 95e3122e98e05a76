/**
 * A study's trials in the shape scripts read (`deno task tune --json`, `GET /api/studies/:id`):
 * every trial of the study, whichever worker ran it.
 *
 * @module
 */

import type { Db } from "../db/client.ts";
import type { StudyRow } from "../db/studies.ts";
import { trialRuns } from "../db/studies.ts";
import { LibsqlStorage } from "../db/tuner_storage.ts";
import type { ParamValue, TrialState } from "../tuner/frozen_trial.ts";
import { constraintsOf, isFeasible, paretoFront } from "../tuner/multi_objective/dominance.ts";

export interface TrialReport {
  number: number;
  state: TrialState;
  params: Record<string, ParamValue>;
  value: number | null;
  /** Multi-objective studies: one value per metric, in `metrics` order. */
  values?: number[] | null;
  /** Studies with constraints: each value ≤ 0 when satisfied; null when not measured. */
  constraints?: number[] | null;
  /** Studies with constraints: whether every constraint holds; null when not measured. */
  feasible?: boolean | null;
  intermediateValues: [number, number][];
  runId: number | null;
  durationSeconds: number | null;
  failReason: string | null;
}

export interface StudyReport {
  study: string;
  id: number;
  direction: "minimize" | "maximize";
  metric: string;
  /** Multi-objective studies: the metrics and their directions. */
  metrics?: string[];
  directions?: ("minimize" | "maximize")[];
  /**
   * Multi-objective studies: the Pareto front's trial numbers (feasible trials only when the
   * study has constraints); `bestParams`, `bestValue` and `bestTrial` are then null.
   */
  bestTrials?: number[];
  trialBudget: number;
  bestParams: Record<string, ParamValue> | null;
  bestValue: number | null;
  bestTrial: number | null;
  counts: Partial<Record<TrialState, number>>;
  trials: TrialReport[];
}

export async function studyReport(db: Db, study: StudyRow): Promise<StudyReport> {
  const trials = await new LibsqlStorage(db).getAllTrials(study.id);
  const runs = await trialRuns(db, study.id);
  const counts: Partial<Record<TrialState, number>> = {};
  const multi = (study.spec.metrics?.length ?? 0) > 1;
  const constrained = (study.spec.constraints?.length ?? 0) > 0;
  // With constraints, only feasible trials can be best (infeasible ones rank below them).
  const candidates = constrained ? trials.filter((t) => isFeasible(t) === true) : trials;
  let best: (typeof trials)[number] | null = null;
  for (const trial of trials) counts[trial.state] = (counts[trial.state] ?? 0) + 1;
  for (const trial of multi ? [] : candidates) {
    if (trial.state !== "COMPLETE" || trial.value === null) continue;
    const better = best === null ||
      (study.direction === "maximize" ? trial.value > best.value! : trial.value < best.value!);
    if (better) best = trial;
  }
  return {
    study: study.name,
    id: study.id,
    direction: study.direction,
    metric: study.spec.metric,
    ...(multi
      ? {
        metrics: study.spec.metrics,
        directions: study.spec.directions,
        bestTrials: paretoFront(candidates, study.spec.directions!).map((t) => t.number),
      }
      : {}),
    trialBudget: study.spec.trials,
    bestParams: best ? { ...best.params } : null,
    bestValue: best?.value ?? null,
    bestTrial: best?.number ?? null,
    counts,
    trials: trials.map((t) => ({
      number: t.number,
      state: t.state,
      params: { ...t.params },
      value: t.value,
      ...(multi ? { values: t.values ? [...t.values] : null } : {}),
      ...(constrained ? { constraints: constraintsOf(t), feasible: isFeasible(t) } : {}),
      intermediateValues: [...t.intermediateValues],
      runId: runs.get(t.number) ?? null,
      durationSeconds: t.datetimeStart && t.datetimeComplete
        ? (t.datetimeComplete.getTime() - t.datetimeStart.getTime()) / 1000
        : null,
      failReason: (t.systemAttrs.fail_reason as string | undefined) ?? null,
    })),
  };
}
