/**
 * `train()`: one run from config to test metrics, on whichever backend the config asks for.
 *
 * @module
 */

import type { Backend, EvalResult, TrainingSession } from "./backend.ts";
import { loadDataset } from "./data/load.ts";
import type { DatasetRoots } from "./data/load.ts";
import { prepareData } from "./data/split.ts";
import { type Predictions, summarizePredictions } from "./predictions.ts";
import { selectBackend } from "./select_backend.ts";
import { outputUnits, type RunConfig } from "./spec.ts";

export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  /** Null when the dev split is empty. */
  devLoss: number | null;
  devAccuracy: number | null;
  /** Wall time of the epoch's training and dev evaluation. */
  seconds: number;
}

export interface TestRecord {
  loss: number;
  accuracy: number;
  count: number;
  classes: number;
  /** confusion[trueClass * classes + predictedClass] */
  confusion: number[];
}

export type RunStatus = "completed" | "cancelled" | "diverged";

export interface DeviceRecord {
  backend: "cpu" | "webgpu";
  description: string;
  bytesAllocated: number;
}

export interface RunResult {
  status: RunStatus;
  epochs: EpochRecord[];
  /** Present when the run completed. */
  test?: TestRecord;
  /** Per test example, in test-split order; present when the run completed. */
  predictions?: Predictions;
  device: DeviceRecord;
  /** Where the loss first became NaN or infinite, for a diverged run. */
  divergedAt?: { epoch: number; step: number; message: string };
}

export interface TrainOptions {
  /** Called after each epoch, in order; awaited, so a slow consumer slows training. */
  onEpoch?: (record: EpochRecord, total: number) => void | Promise<void>;
  /** Called once the backend is chosen and the data is on it. */
  onStart?: (device: DeviceRecord) => void | Promise<void>;
  signal?: AbortSignal;
  /** Where the built-in datasets live (found outside the engine: see config/paths.ts). */
  roots: DatasetRoots;
  /** Overrides `config.device` (tests pass a backend directly). */
  backend?: Backend;
  /** Receives the final model state, e.g. to store weights. */
  onFinish?: (session: TrainingSession) => void | Promise<void>;
}

/** Trains `config` to the end, or until cancelled or diverged. Invalid data raises an Error. */
export async function train(config: RunConfig, options: TrainOptions): Promise<RunResult> {
  const { signal } = options;
  const dataset = await loadDataset(config.data.dataset, options.roots, { seed: config.seed });
  const data = prepareData(dataset, config.data, config.seed);
  const backend = options.backend ??
    await selectBackend(config.device, config.batch, data.train.count);
  const session = await backend.createSession(config, data);
  const device: DeviceRecord = {
    backend: backend.kind,
    description: backend.description,
    bytesAllocated: session.bytesAllocated,
  };
  const epochs: EpochRecord[] = [];
  const ended = (status: RunStatus, extra: Partial<RunResult> = {}): RunResult => ({
    status,
    epochs,
    device,
    ...extra,
  });
  try {
    await options.onStart?.(device);
    for (let epoch = 1; epoch <= config.epochs; epoch++) {
      if (signal?.aborted) return ended("cancelled");
      const started = performance.now();
      let result;
      try {
        result = await session.trainEpoch(epoch - 1, signal);
      } catch (error) {
        if (signal?.aborted) return ended("cancelled");
        throw error;
      }
      if (signal?.aborted) return ended("cancelled");
      if (result.nonFiniteStep !== undefined) {
        const step = result.nonFiniteStep + 1;
        return ended("diverged", {
          divergedAt: {
            epoch,
            step,
            message: `Loss became NaN or infinite at epoch ${epoch}, step ${step}`,
          },
        });
      }
      const dev = data.dev.count > 0 ? await session.evaluate("dev") : null;
      const record: EpochRecord = {
        epoch,
        trainLoss: result.loss,
        trainAccuracy: result.accuracy,
        devLoss: dev?.loss ?? null,
        devAccuracy: dev?.accuracy ?? null,
        seconds: (performance.now() - started) / 1000,
      };
      epochs.push(record);
      await options.onEpoch?.(record, config.epochs);
    }
    if (signal?.aborted) return ended("cancelled");
    const test = toTestRecord(await session.evaluate("test"), data.classes);
    const rows = Uint32Array.from({ length: data.test.count }, (_, i) => i);
    const units = outputUnits(config.loss, data.classes);
    const predictions = summarizePredictions(
      await session.predict("test", rows),
      units,
      config.loss,
    );
    await options.onFinish?.(session);
    return ended("completed", { test, predictions });
  } finally {
    session.dispose();
  }
}

function toTestRecord(result: EvalResult, classes: number): TestRecord {
  return {
    loss: result.loss,
    accuracy: result.accuracy,
    count: result.count,
    classes,
    confusion: Array.from(result.confusion),
  };
}
