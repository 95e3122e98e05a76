/**
 * `train()`: one run from config to test metrics, on whichever backend the config asks for.
 *
 * @module
 */

import type { FirstLayerSnapshot } from "./first_layer.ts";
import type { Backend, EpochResult, TrainingSession } from "./backend.ts";
import { resumeConflict, type TrainingCheckpoint } from "./checkpoint.ts";
import { loadDataset } from "./data/load.ts";
import type { DatasetRoots } from "./data/load.ts";
import { prepareData } from "./data/split.ts";
import { type Predictions, summarizePredictions } from "./predictions.ts";
import { earlyStopMessage, EarlyStopping } from "./early_stopping.ts";
import type { LayerStats } from "./layer_stats.ts";
import { divergenceReason, startingLoss, zeroOutputLoss } from "./divergence.ts";
import { runShape, selectBackend } from "./select_backend.ts";
import { type DataSpec, type LossName, outputUnits, type RunConfig } from "./spec.ts";
import type { Dataset, PreparedData } from "./data/dataset.ts";
import { lossForward, predictClasses } from "./cpu/losses.ts";

export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  /** Null when the dev split is empty. */
  devLoss: number | null;
  devAccuracy: number | null;
  /** The learning rate of the epoch's last optimizer step (a scheduler may change it per step). */
  lr?: number | null;
  /**
   * Wall time of the epoch's training and dev evaluation: from the previous epoch's results (or
   * the start of training) to this one's, so it includes the previous `onEpoch` callback's time.
   * When the session queues epochs (a GPU), results come back in pairs, the second right after
   * the first, so from the second epoch on this is the mean of the last two such intervals.
   */
  seconds: number;
  /**
   * Each hidden layer's statistics at the epoch's end; absent (or null, as a stored epoch without
   * them reads) when the config turns them off.
   */
  layers?: LayerStats[] | null;
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
  /** Why `device: "auto"` chose this backend: its prediction from this machine's figures. */
  why?: string;
  /**
   * Seconds from the job's start to its first epoch's: loading and splitting the data, choosing
   * the backend, creating the session (on a GPU: compiling its kernels, copying the data) and
   * restoring a checkpoint. Epoch 1's `seconds` does not include them. Absent on runs stored
   * before it was measured.
   */
  warmupSeconds?: number;
}

/**
 * Where a run is: the phases before its first epoch, in this order, then steps within an epoch.
 * Steps are reported where the backend knows them without waiting on the GPU for it (every step
 * on the CPU; on a GPU where it already waits to bound the work in flight).
 */
export type TrainProgress =
  | { phase: "loading" }
  | { phase: "device" }
  | { phase: "compiling"; backend: "cpu" | "webgpu" }
  | { phase: "training"; epoch: number; step: number; steps: number };

export interface RunResult {
  status: RunStatus;
  epochs: EpochRecord[];
  /** Present when the run completed. */
  test?: TestRecord;
  /** Per test example, in test-split order; present when the run completed. */
  predictions?: Predictions;
  device: DeviceRecord;
  /**
   * Why a diverged run stopped: where the loss first became NaN or infinite, or the epoch whose
   * train loss grew past its start (`engine/divergence.ts`; its step is then the epoch's last, the
   * loss being the epoch's mean).
   */
  divergedAt?: { epoch: number; step: number; message: string };
  /**
   * A run with early stopping: the epoch it stopped at (null when it trained every epoch), its
   * best epoch (null if none had a finite metric), and a sentence saying both. With `restoreBest`
   * the test metrics, predictions and final weights are the best epoch's.
   */
  earlyStop?: EarlyStopRecord;
}

export interface EarlyStopRecord {
  stoppedEpoch: number | null;
  bestEpoch: number | null;
  message: string;
}

export interface TrainOptions {
  /**
   * Called after each epoch, in order; awaited, so a slow consumer slows training. `extra` has
   * the epoch's first-layer snapshot where the session made one (`first_layer.ts`): kept out of
   * the record, which is stored.
   */
  onEpoch?: (
    record: EpochRecord,
    total: number,
    extra: { firstLayer?: FirstLayerSnapshot },
  ) => void | Promise<void>;
  /** Called once the dataset is loaded and split, before a backend is chosen. */
  onLoaded?: () => void;
  /**
   * Called as each phase before the first epoch begins, and with steps done inside epochs (as
   * often as the backend knows them: the caller throttles). Must be quick.
   */
  onProgress?: (progress: TrainProgress) => void;
  /** Called once the backend is chosen and the data is on it. */
  onStart?: (device: DeviceRecord) => void | Promise<void>;
  signal?: AbortSignal;
  /** Where the built-in datasets live (found outside the engine: see config/paths.ts). */
  roots: DatasetRoots;
  /** Overrides `config.device` (tests pass a backend directly). */
  backend?: Backend;
  /** Receives the final model state, e.g. to store weights. */
  onFinish?: (session: TrainingSession) => void | Promise<void>;
  /** The clock epochs are timed with, in milliseconds; `performance.now` unless a test says. */
  now?: () => number;
  /**
   * Saves the training state after each epoch that starts `everySeconds` or more after the last
   * save (or the start; 0: after every epoch), and after the last epoch. An epoch that saves is not overlapped with
   * the next on the GPU: its state is read once its results are back.
   */
  checkpoints?: {
    everySeconds: number;
    save: (checkpoint: TrainingCheckpoint) => void | Promise<void>;
    /**
     * Splits every epoch into parts of this many steps, with a save after each part (tests).
     * Without it, an epoch is split only when the one before took longer than `everySeconds`.
     */
    everySteps?: number;
  };
  /**
   * Goes on from a checkpoint, with the records of the epochs it covers: the run then ends as it
   * would have uninterrupted (bit for bit on the backend that saved it).
   */
  resume?: { checkpoint: TrainingCheckpoint; epochs: EpochRecord[] };
}

/** Trains `config` to the end, or until cancelled or diverged. Invalid data raises an Error. */
export async function train(config: RunConfig, options: TrainOptions): Promise<RunResult> {
  const { signal, now = () => performance.now(), onProgress } = options;
  const began = now();
  onProgress?.({ phase: "loading" });
  const dataset = await loadDataset(config.data.dataset, options.roots, {
    seed: config.seed,
    trainRows: config.data.trainSize,
  });
  const data = preparedData(dataset, config.data, config.seed);
  options.onLoaded?.();
  if (config.earlyStopping && data.dev.count === 0) {
    throw new RangeError(
      `earlyStopping watches ${config.earlyStopping.metric}, but the dev split is empty; ` +
        `give data.split.dev a fraction above 0`,
    );
  }
  onProgress?.({ phase: "device" });
  const { backend, why } = options.backend
    ? { backend: options.backend, why: undefined }
    : await selectBackend(
      config.device,
      runShape(
        config.batch,
        data.train.count,
        data.features,
        config.model.layers,
        outputUnits(config.loss, data.classes),
      ),
    );
  onProgress?.({ phase: "compiling", backend: backend.kind });
  const session = await backend.createSession(config, data);
  const device: DeviceRecord = {
    backend: backend.kind,
    description: backend.description,
    bytesAllocated: session.bytesAllocated,
    ...why ? { why } : {},
  };
  const epochs: EpochRecord[] = [];
  const { resume, checkpoints } = options;
  const ended = (status: RunStatus, extra: Partial<RunResult> = {}): RunResult => ({
    status,
    epochs,
    device,
    ...extra,
  });
  // Where the session says it pays, each epoch is queued before the previous one's results are
  // awaited; stopping early cancels the queued one.
  const ahead = session.queuesEpochs === true;
  const queued = new AbortController();
  const epochSignal = signal ? AbortSignal.any([signal, queued.signal]) : queued.signal;
  const evaluate = data.dev.count > 0 ? (["dev"] as const) : [];
  const queueEpoch = (epoch: number, pauseAt?: number) => {
    const onSteps = onProgress &&
      ((step: number, steps: number) => onProgress({ phase: "training", epoch, step, steps }));
    const options = { signal: epochSignal, evaluate, pauseAt, onSteps };
    const result = session.trainEpoch(epoch - 1, options);
    result.catch(() => {}); // awaited in the loop, or settled in `finally` when it stops early
    return result;
  };
  let next: Promise<EpochResult> | null = null;
  const units = outputUnits(config.loss, data.classes);
  let start: number | undefined;
  const stopping = config.earlyStopping ? new EarlyStopping(config.earlyStopping) : null;
  let stoppedEpoch: number | null = null;
  const first = (resume?.checkpoint.epoch ?? 0) + 1;
  let lastSaved = 0;
  const save = async (epoch: number) => {
    await checkpoints!.save({
      epoch,
      config,
      session: await session.checkpoint(),
      earlyStopping: stopping?.state() ?? null,
      startLoss: start ?? null,
    });
    lastSaved = now();
  };
  // A long epoch is split into parts with a save after each, sized from the last epoch's time.
  let lastEpoch: { seconds: number; steps: number } | null = null;
  const partSteps = (): number | null => {
    if (!checkpoints) return null;
    if (checkpoints.everySteps) return checkpoints.everySteps;
    const every = checkpoints.everySeconds;
    if (every <= 0 || !lastEpoch || lastEpoch.seconds <= every) return null;
    return Math.max(1, Math.ceil(lastEpoch.steps / Math.ceil(lastEpoch.seconds / every)));
  };
  try {
    if (resume) {
      await resumeSession(session, config, resume);
      epochs.push(...resume.epochs);
      start = resume.checkpoint.startLoss ?? undefined;
      if (stopping && resume.checkpoint.earlyStopping) {
        stopping.load(resume.checkpoint.earlyStopping);
      }
    }
    device.warmupSeconds = (now() - began) / 1000;
    await options.onStart?.(device);
    // ends[k]: when epoch k's results were back (ends[first − 1]: the start).
    const ends: number[] = [];
    ends[first - 1] = lastSaved = now();
    for (let epoch = first; epoch <= config.epochs; epoch++) {
      if (signal?.aborted) return ended("cancelled");
      const part: number | null = next ? null : partSteps();
      // Where a checkpoint saved inside this epoch left it.
      let done = epoch === first ? resume?.checkpoint.session.position?.step ?? 0 : 0;
      const current: Promise<EpochResult> = next ??
        queueEpoch(epoch, part === null ? undefined : done + part);
      const saving: boolean = checkpoints !== undefined &&
        (part !== null || epoch === config.epochs ||
          now() - lastSaved >= checkpoints.everySeconds * 1000);
      next = ahead && epoch < config.epochs && !saving && partSteps() === null
        ? queueEpoch(epoch + 1)
        : null;
      let result;
      try {
        result = await current;
        while (result.paused && !signal?.aborted) {
          done = result.steps;
          await save(epoch - 1);
          result = await queueEpoch(epoch, done + part!);
        }
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
      // The first epoch sets the start every later epoch's loss is measured against.
      start ??= startingLoss(result.loss, zeroOutputLoss(config.loss, units));
      const runaway = divergenceReason(epoch, result.loss, start);
      if (runaway && !Number.isFinite(result.loss)) {
        return ended("diverged", { divergedAt: { epoch, step: result.steps, message: runaway } });
      }
      const dev = result.evaluations?.dev ?? null;
      const end = now();
      ends.push(end);
      // Epochs the interval averages over (a checkpointed epoch breaks the pairs a little).
      const span = ahead && epoch > first ? 2 : 1;
      const record: EpochRecord = {
        epoch,
        trainLoss: result.loss,
        trainAccuracy: result.accuracy,
        devLoss: dev?.loss ?? null,
        devAccuracy: dev?.accuracy ?? null,
        lr: result.lr ?? null,
        seconds: (end - ends[epoch - span]) / span / 1000,
        ...(result.layers ? { layers: result.layers } : {}),
      };
      epochs.push(record);
      lastEpoch = { seconds: record.seconds, steps: result.steps };
      await options.onEpoch?.(
        record,
        config.epochs,
        result.firstLayer ? { firstLayer: result.firstLayer } : {},
      );
      // Kept on the record, so the curve shows how far it went before the run stopped.
      if (runaway) {
        return ended("diverged", { divergedAt: { epoch, step: result.steps, message: runaway } });
      }
      if (stopping) {
        const watched = config.earlyStopping?.metric === "devAccuracy"
          ? record.devAccuracy
          : record.devLoss;
        const verdict = stopping.update(epoch, watched ?? NaN);
        if (verdict.improved) session.keepBest(epoch - 1);
        if (verdict.stop && epoch < config.epochs) {
          stoppedEpoch = epoch;
          break;
        }
      }
      if (saving) await save(epoch);
    }
    if (signal?.aborted) return ended("cancelled");
    let earlyStop: EarlyStopRecord | undefined;
    if (stopping && config.earlyStopping) {
      const bestEpoch = stopping.bestEpoch;
      // An epoch queued behind the last one judged is dropped, or its changes undone.
      queued.abort();
      if (config.earlyStopping.restoreBest && bestEpoch !== null) {
        await session.restoreWeights("best");
      } else if (stoppedEpoch !== null) {
        await session.restoreWeights(stoppedEpoch - 1);
      }
      earlyStop = { stoppedEpoch, bestEpoch, message: earlyStopMessage(stoppedEpoch, bestEpoch) };
    }
    // One evaluation-mode pass over the test split gives both the predictions and the metrics.
    const rows = Uint32Array.from({ length: data.test.count }, (_, i) => i);
    const outputs = await session.predict("test", rows);
    const test = testRecord(outputs, data.test.labels, config.loss, units, data.classes);
    const predictions = summarizePredictions(outputs, units, config.loss);
    await options.onFinish?.(session);
    return ended("completed", { test, predictions, ...(earlyStop ? { earlyStop } : {}) });
  } finally {
    if (next) {
      queued.abort();
      await next.catch(() => {});
    }
    session.dispose();
  }
}

/**
 * The last splits prepared, for the next run on the same data and seed (a study's trials): copying
 * them out of the dataset took 40-75 ms a run here. Sessions only read their data.
 */
let lastPrepared: { dataset: Dataset; spec: string; seed: number; data: PreparedData } | null =
  null;

function preparedData(dataset: Dataset, spec: DataSpec, seed: number): PreparedData {
  const key = JSON.stringify(spec);
  const last = lastPrepared;
  if (last?.dataset === dataset && last.spec === key && last.seed === seed) return last.data;
  // Let go of the last splits first, so that two copies are never held at once.
  lastPrepared = null;
  const data = prepareData(dataset, spec, seed);
  lastPrepared = { dataset, spec: key, seed, data };
  return data;
}

/** Loads `resume`'s checkpoint into `session` once it is known to be this run's. */
async function resumeSession(
  session: TrainingSession,
  config: RunConfig,
  resume: NonNullable<TrainOptions["resume"]>,
): Promise<void> {
  const { checkpoint, epochs } = resume;
  const conflict = resumeConflict(checkpoint.config, config, checkpoint.epoch);
  if (conflict) throw new RangeError(`Cannot resume from this checkpoint: ${conflict}`);
  if (epochs.length !== checkpoint.epoch || epochs.some((record, i) => record.epoch !== i + 1)) {
    throw new RangeError(
      `Cannot resume from the checkpoint after epoch ${checkpoint.epoch} with the records of ` +
        `epochs ${epochs.map((record) => record.epoch).join(", ") || "none"}`,
    );
  }
  if (checkpoint.session.epochs !== checkpoint.epoch) {
    throw new RangeError(
      `The checkpoint's session trained ${checkpoint.session.epochs} epochs, not ${checkpoint.epoch}`,
    );
  }
  await session.restore(checkpoint.session);
}

/**
 * The test metrics of `outputs` (what `predict` gives: logits, or probabilities for `bce`)
 * against `labels`, as the session's own evaluation computes them.
 */
function testRecord(
  outputs: Float32Array,
  labels: Uint8Array,
  loss: LossName,
  units: number,
  classes: number,
): TestRecord {
  const count = labels.length;
  // bce's probabilities back to logits, which the loss takes: sigmoid32 of them gives the
  // probability again or an f32 neighbour, so the mean loss moves by about 1e-9 relative.
  const logits = loss === "bce" ? outputs.map((p) => Math.log(p) - Math.log1p(-p)) : outputs;
  const predicted = new Uint8Array(count);
  predictClasses(loss, logits, count, units, predicted);
  const confusion = new Array<number>(classes * classes).fill(0);
  let correct = 0;
  for (let r = 0; r < count; r++) {
    confusion[labels[r] * classes + predicted[r]]++;
    if (predicted[r] === labels[r]) correct++;
  }
  return {
    // An empty split has no mean: NaN rather than a made-up 0.
    loss: count > 0 ? lossForward(loss, logits, labels, count, units, null) : NaN,
    accuracy: correct / count,
    count,
    classes,
    confusion,
  };
}
