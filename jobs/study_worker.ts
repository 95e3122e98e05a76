/**
 * One tuning worker: trials of a stored study, each trained as a run on this process's engine
 * worker, until the study's trial budget is spent (or `maxTrials` here). Several workers, in any
 * number of processes and machines sharing the database, cooperate on one study.
 *
 * A trial's value is the study metric at its last epoch (its best epoch's when early stopping
 * kept that epoch's weights); each epoch's metric is reported as an intermediate value, so the
 * pruner can stop a poor trial early (its run ends `pruned`).
 *
 * @module
 */

import type { StudySpec } from "../config/study_schema.ts";
import type { Db } from "../db/client.ts";
import type { StudyRow } from "../db/studies.ts";
import { LibsqlStorage, TrialBudgetExhausted } from "../db/tuner_storage.ts";
import { type EpochRow, getRun } from "../db/runs.ts";
import type { EarlyStopRecord } from "../engine/train.ts";
import { createStudy, type Study, type Trial, TrialPruned } from "../tuner/mod.ts";
import { prunerFromSpec } from "../tuner/from_spec.ts";
import { type FrozenTrial, TrialState } from "../tuner/frozen_trial.ts";
import type { RunService } from "./run_service.ts";
import { studySampler, suggestTrialConfig } from "./study_space.ts";
import { measureTrialRun, needsMeasurements, objectiveValues } from "./trial_metrics.ts";
import { constraintValues } from "../config/objectives_schema.ts";
import { CONSTRAINTS_KEY } from "../tuner/multi_objective/dominance.ts";

export interface StudyWorkerOptions {
  db: Db;
  service: RunService;
  study: StudyRow;
  /** Trials this worker runs at most; by default until the study's budget is spent. */
  maxTrials?: number;
  heartbeatIntervalSeconds?: number;
  gracePeriodSeconds?: number;
  signal?: AbortSignal;
  onTrialStart?: (trial: Trial, runId: number) => void;
  onTrialEnd?: (trial: FrozenTrial) => void;
}

/**
 * Runs trials until the budget is spent (or `maxTrials` here, or the signal); returns the study
 * for reporting, and whether it is finished: every trial done, nothing running or waiting.
 */
export async function runStudyWorker(
  options: StudyWorkerOptions,
): Promise<{ study: Study; finished: boolean }> {
  const { db, study: row, signal } = options;
  const spec = row.spec;
  // A trial is alive as long as its worker's lease would be: heartbeats every third of it.
  const lease = options.service.leaseMs / 1000;
  const storage = new LibsqlStorage(db, {
    heartbeatIntervalSeconds: options.heartbeatIntervalSeconds ?? lease / 3,
    gracePeriodSeconds: options.gracePeriodSeconds ??
      (options.heartbeatIntervalSeconds === undefined ? lease : undefined),
    worker: options.service.owner,
  });
  const study = await createStudy({
    storage,
    name: row.name,
    ...(spec.metrics && spec.metrics.length > 1 && spec.directions
      ? { directions: spec.directions }
      : { direction: row.direction }),
    sampler: studySampler(spec),
    pruner: prunerFromSpec(spec.pruner),
    loadIfExists: true,
  });
  signal?.addEventListener("abort", () => study.stop(), { once: true });
  let ran = 0;
  let finished = false;
  const objective = (trial: Trial) => trainTrial(trial, row, spec, options);
  while (!signal?.aborted && (options.maxTrials === undefined || ran < options.maxTrials)) {
    try {
      await study.optimize(objective, {
        nTrials: options.maxTrials === undefined ? undefined : options.maxTrials - ran,
        catch: true,
        callbacks: [(_, trial) => {
          ran++;
          options.onTrialEnd?.(trial);
        }],
      });
      break;
    } catch (error) {
      if (!(error instanceof TrialBudgetExhausted)) throw error;
      // The budget is spent, but a trial still running elsewhere may yet fail its heartbeat
      // and be re-queued: wait for those before leaving, so the study ends with all its trials.
      const running = await storage.getAllTrials(row.id, ["RUNNING", "WAITING"]);
      if (running.length === 0) {
        finished = true;
        break;
      }
      await delay(Math.min(1000, storage.heartbeatIntervalSeconds * 1000), signal);
    }
  }
  if (!finished && !signal?.aborted && options.maxTrials === undefined) {
    // The sampler ended the study (a grid with every point visited).
    finished = (await storage.getAllTrials(row.id, ["RUNNING", "WAITING"])).length === 0;
  }
  return { study, finished };
}

async function trainTrial(
  trial: Trial,
  row: StudyRow,
  spec: StudySpec,
  options: StudyWorkerOptions,
) {
  const config = suggestTrialConfig(trial, spec);
  if (options.signal?.aborted) throw await requeueStopped(trial);
  config.name = `${row.name} #${trial.number}`;
  const { service } = options;
  const metric = spec.metric;
  // Several objectives: nothing is reported per epoch (Optuna refuses report() there).
  const multiObjective = (spec.metrics?.length ?? 0) > 1;
  let last: number | null = null;
  /** Each epoch's metric goes to the trial, as the objective's `trial.report` in Optuna. */
  const record = (epoch: EpochRow): number | null => {
    const value = epoch[metric as keyof EpochRow] as number | null;
    if (value === null || !Number.isFinite(value)) return null;
    last = value;
    if (!multiObjective) trial.report(value, epoch.epoch);
    return value;
  };
  let pruneReason: string | null = null;
  // With a pruner, the run waits for its verdict after each epoch, as Optuna's objective asks
  // `should_prune` between epochs: a pruned run stops after the epoch that condemned it.
  const afterEpoch = async (epoch: EpochRow): Promise<string | null> => {
    const value = record(epoch);
    // A stop that came first, or while the pruner decided, stands: the trial is queued again.
    if (value === null || pruneReason !== null || options.signal?.aborted) return null;
    const prune = await trial.shouldPrune();
    if (!prune || options.signal?.aborted) return null;
    pruneReason = `Pruned by the ${spec.pruner.type} pruner after epoch ${epoch.epoch} ` +
      `(${metric} ${formatValue(value)})`;
    return pruneReason;
  };
  const pruning = spec.pruner.type !== "none";
  const runId = await service.create(
    config,
    { studyId: row.id, trialNumber: trial.number },
    pruning ? afterEpoch : undefined,
  );
  trial.setUserAttr("runId", runId);
  options.onTrialStart?.(trial, runId);
  const done = new Promise<string>((resolve) => {
    const unsubscribe = service.events.subscribe(runId, (event) => {
      if (event.type === "epoch" && !pruning) {
        record(event.epoch);
      } else if (event.type === "done") {
        unsubscribe();
        resolve(event.status);
      }
    });
  });
  // Stopping the worker (Ctrl-C, server shutdown, the study's Stop) cancels the run in flight
  // instead of waiting.
  const stop = () =>
    service.cancel(
      runId,
      "Stopped with its study's worker; the trial's parameters are queued again",
    );
  options.signal?.addEventListener("abort", stop, { once: true });
  if (options.signal?.aborted) stop();
  const status = await done.finally(() => options.signal?.removeEventListener("abort", stop));
  // The run ends `pruned` only if the pruner's verdict stopped it: not after a user's Cancel or
  // a stop that came first (the first stop stands), nor when it ended before the verdict landed.
  if (status === "pruned") {
    throw new TrialPruned(`Pruned by ${spec.pruner.type} after ${metric} ${formatValue(last)}`);
  }
  if (options.signal?.aborted && (status === "cancelled" || status === "interrupted")) {
    throw await requeueStopped(trial);
  }
  if (status !== "completed") {
    const run = await getRun(options.db, runId);
    throw new Error(`Run ${runId} ${status}${run?.error ? `: ${run.error}` : ""}`);
  }
  if (needsMeasurements(spec)) {
    // Objectives and constraints measured on the whole run (`jobs/trial_metrics.ts`).
    const measured = await measureTrialRun(options.db, runId);
    trial.setUserAttr("metrics", measured);
    if (spec.constraints?.length) {
      const values = constraintValues(spec.constraints, measured);
      await trial.study.setTrialSystemAttr(trial.id, CONSTRAINTS_KEY, values);
    }
    const values = objectiveValues(spec, measured, runId);
    return multiObjective ? values : values[0];
  }
  if (last === null) {
    throw new Error(
      `Run ${runId} reported no ${metric}: is the dev split empty (data.split.dev 0)?`,
    );
  }
  if (config.earlyStopping?.restoreBest) {
    return (await keptEpochValue(options.db, runId, metric)) ?? last;
  }
  return last;
}

/** The metric of the epoch whose weights run `runId` kept with early stopping, if any. */
async function keptEpochValue(db: Db, runId: number, metric: string): Promise<number | null> {
  const run = await getRun(db, runId);
  const best = (run?.earlyStop as EarlyStopRecord | null)?.bestEpoch;
  const epoch = run?.epochs.find((row) => row.epoch === best);
  const value = epoch?.[metric as keyof EpochRow];
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/**
 * A trial cut short by stopping the worker is no verdict on its parameters: like a trial whose
 * worker died (`failStaleTrials`), it fails and its parameters are queued again, so resuming the
 * study trains them anew and the stopped trial does not use up the budget.
 */
async function requeueStopped(trial: Trial): Promise<Error> {
  const { study } = trial;
  const { storage } = study;
  let number: number;
  if (storage.requeueTrial) {
    number = await storage.requeueTrial(trial.id);
  } else {
    const retry = await storage.createTrial(study.id, {
      state: TrialState.WAITING,
      systemAttrs: { fixed_params: { ...trial.params }, retry_of: trial.number },
    });
    await study.setTrialSystemAttr(trial.id, "requeued_as", retry.number);
    number = retry.number;
  }
  return new Error(`Stopped before the trial finished; re-queued as trial ${number}`);
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

/** A metric as people read it: 4 significant digits. */
function formatValue(value: number | null): string {
  return value === null ? "none" : String(Number(value.toPrecision(4)));
}
