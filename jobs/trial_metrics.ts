/**
 * What a finished trial run measured, for studies with several objectives or constraints
 * (`config/objectives_schema.ts`): the epoch metrics at its kept epoch (the last, or the best
 * when early stopping restored it), seconds per epoch (mean over its epochs), its training
 * seconds (their sum) and its parameter count (read from the stored weights' header).
 *
 * @module
 */

import { RUN_METRICS } from "../config/objectives_schema.ts";
import type { StudySpec } from "../config/study_schema.ts";
import type { Db } from "../db/client.ts";
import { type EpochRow, getRun, getWeights } from "../db/runs.ts";
import type { EarlyStopRecord } from "../engine/train.ts";

export type TrialMetrics = Record<string, number | null>;

/** The measured metrics of run `runId`, null where it has no such value. */
export async function measureTrialRun(db: Db, runId: number): Promise<TrialMetrics> {
  const run = await getRun(db, runId);
  if (!run) throw new RangeError(`No run with id ${runId}`);
  const restoreBest = (run.config as { earlyStopping?: { restoreBest?: boolean } })
    .earlyStopping?.restoreBest;
  const bestEpoch = (run.earlyStop as EarlyStopRecord | null)?.bestEpoch;
  const kept = (restoreBest && run.epochs.find((e) => e.epoch === bestEpoch)) ||
    run.epochs.at(-1);
  const epochValue = (key: keyof EpochRow) => {
    const v = kept?.[key];
    return typeof v === "number" && Number.isFinite(v) ? v : null;
  };
  const seconds = run.epochs.map((e) => e.seconds);
  const total = seconds.reduce((s, v) => s + v, 0);
  return {
    devAccuracy: epochValue("devAccuracy"),
    devLoss: epochValue("devLoss"),
    trainLoss: epochValue("trainLoss"),
    trainAccuracy: epochValue("trainAccuracy"),
    parameterCount: parameterCount(await getWeights(db, runId)),
    epochSeconds: seconds.length > 0 ? total / seconds.length : null,
    totalSeconds: seconds.length > 0 ? total : null,
  };
}

/**
 * Trainable parameters in a safetensors file: every tensor but batch norm's running statistics
 * (buffers), counted from the header alone. Null without weights.
 */
export function parameterCount(weights: Uint8Array | undefined): number | null {
  if (!weights || weights.length < 8) return null;
  const view = new DataView(weights.buffer, weights.byteOffset, weights.byteLength);
  const length = Number(view.getBigUint64(0, true));
  if (8 + length > weights.length) return null;
  const header = JSON.parse(new TextDecoder().decode(weights.subarray(8, 8 + length))) as Record<
    string,
    { shape?: number[] }
  >;
  let count = 0;
  for (const [name, info] of Object.entries(header)) {
    if (name === "__metadata__" || /running_|num_batches/.test(name)) continue;
    count += (info.shape ?? []).reduce((p, d) => p * d, 1);
  }
  return count;
}

/** Whether the study needs the run's measurements: several objectives, a run metric, constraints. */
export function needsMeasurements(spec: StudySpec): boolean {
  return (spec.metrics?.length ?? 0) > 1 || RUN_METRICS.includes(spec.metric) ||
    (spec.constraints?.length ?? 0) > 0;
}

/**
 * The trial's objective values in `spec`'s order, or an error naming the first metric the run
 * did not measure.
 */
export function objectiveValues(spec: StudySpec, measured: TrialMetrics, runId: number): number[] {
  const metrics = spec.metrics && spec.metrics.length > 1 ? spec.metrics : [spec.metric];
  return metrics.map((metric) => {
    const value = measured[metric];
    if (typeof value !== "number") {
      throw new Error(
        `Run ${runId} measured no ${metric}` +
          (metric.startsWith("dev") ? ": is the dev split empty (data.split.dev 0)?" : ""),
      );
    }
    return value;
  });
}
