/**
 * A training session on the GPU. Data, parameters, gradients, optimizer state and metrics stay
 * on the device; an epoch is encoded into as few command buffers as its size allows (one
 * compute pass each), with every step's scalars in a per-epoch uniform array, and read back
 * once at its end, evaluations asked for included. Operations run in call order; with
 * `pipelineEpochs` an epoch queued behind another is encoded once that one is submitted, not once
 * its results are back. Numerics follow the CPU reference (`engine/cpu/session.ts`): same initial
 * weights, batch order, dropout masks, losses and optimizer rules, in f32.
 *
 * @module
 */

import { assertOwnPosition, type EpochPosition, type SessionCheckpoint } from "../checkpoint.ts";
import type {
  EpochOptions,
  EpochResult,
  EvalResult,
  NamedTensor,
  SplitName,
  TrainingSession,
} from "../backend.ts";
import { outputsFromLogits } from "../cpu/losses.ts";
import { epochOrder } from "../data/batches.ts";
import type { PreparedData } from "../data/dataset.ts";
import { type Dispatch, encodeDispatch, encodeStep } from "../kernels/kernel.ts";
import { decodeTotals, EPOCH_STATUS_BYTES } from "../kernels/metrics_reduce.ts";
import { layerStatsEnabled } from "../layer_stats.ts";
import { assertSchedulerFits } from "../schedule/lr_scheduler.ts";
import { SerialQueue } from "../serial.ts";
import { outputUnits, type RunConfig } from "../spec.ts";
import type { GpuContext } from "./gpu_context.ts";
import { initialModel, type ModelLayout } from "./model_layout.ts";
import { type KernelTiming, timeDispatches } from "./profile.ts";
import { EpochOverlap } from "./epoch_overlap.ts";
import { KeptWeights } from "./kept_weights.ts";
import { GpuLayerStats } from "./layer_stats.ts";
import { Evaluation } from "./evaluation.ts";
import { Programs } from "./programs.ts";
import { Staging } from "./readback.ts";
import { submitInChunks } from "./chunked_submit.ts";
import { SessionTensors } from "./session_tensors.ts";
import { EpochWriter } from "./epoch_writer.ts";
import {
  assertBatchNormBatches,
  inputKindOf,
  OPTIMIZER_STATE_SECTIONS_MAX,
  parameterCount,
} from "./session_checks.ts";
import {
  allocateSessionBuffers,
  assertSessionFits,
  type SessionBuffers,
} from "./session_buffers.ts";
import { chunkSteps, packSteps } from "./step_params.ts";

/** Rows per evaluation chunk, at least a training batch (fewer, larger dispatches than the CPU's). */
const EVAL_CHUNK = 2048;
/**
 * Dispatches per command buffer (about 100 steps of a 2-hidden-layer model): the GPU starts on
 * the first submit while the rest of the epoch is still being encoded.
 */
const DISPATCHES_PER_SUBMIT = 1024;
/**
 * The same on a software adapter (lavapipe), which waits after each command buffer: about 25
 * steps of 128 MNIST rows, so a cancel is seen within ~2 s instead of ~10.
 */
const DISPATCHES_PER_SUBMIT_SOFTWARE = 256;
/**
 * Dispatches in an epoch's first command buffer: the GPU, idle since the last readback, starts
 * after ~1 ms of encoding instead of the ~6 ms a full one takes.
 */
const FIRST_SUBMIT_DISPATCHES = 128;

export interface SessionOptions {
  /**
   * Whether epochs of an image model carry the first layer's snapshot (`../first_layer.ts`) with
   * the layer statistics (default true; bench/first_layer_epoch_bench.ts turns it off to time it).
   */
  firstLayer?: boolean;
  /** Most dispatches per command buffer (default 1024); an epoch is split into submits of whole steps. */
  dispatchesPerSubmit?: number;
  /** Submits between waits for the GPU (default: 16, or 1 on a software adapter; chunked_submit.ts). */
  submitsBetweenWaits?: number;
  /**
   * Whether an epoch queued behind another starts encoding once that one is submitted, and so
   * whether `train()` queues the next epoch before awaiting the last (default: on a hardware
   * adapter, where it made epochs 17–38% faster on an H100; off on lavapipe; why, in
   * `epoch_overlap.ts`).
   */
  pipelineEpochs?: boolean;
}

/** A submitted epoch: where its readback lands and what it holds. */
interface SubmittedEpoch {
  /** Null when the epoch paused before its end (nothing to read back yet). */
  staging: Staging | null;
  /** Steps submitted up to (its last, unless it paused). */
  steps: number;
  batchSize: number;
  /** The splits asked for, once each. */
  splits: SplitName[];
  /** The non-empty ones, in staging order after the epoch status. */
  evaluated: SplitName[];
  /** When encoding began (performance.now()). */
  began: number;
  /** Each step's learning rate. */
  lrs: number[];
  /** Where the layer statistics sit in the staging, and whether the update ratio is known. */
  layerStats: { at: number; startKnown: boolean } | null;
}

export class WebGpuSession implements TrainingSession {
  readonly #context: GpuContext;
  readonly #config: RunConfig;
  readonly #data: PreparedData;
  readonly #layout: ModelLayout;
  readonly #programs: Programs;
  readonly #buffers: SessionBuffers;
  readonly #trainStep: Dispatch[];
  /** The epoch's last step: #trainStep with the layer statistics' gradient sums. */
  readonly #lastStep: Dispatch[];
  /** Per-layer statistics; null when the config turns them off. */
  readonly #layerStats: GpuLayerStats | null;
  readonly #evaluation: Evaluation;
  readonly #dispatchesPerSubmit: number;
  readonly #overlap: EpochOverlap;
  readonly #submitsBetweenWaits: number | undefined;
  /** Encoding and submission, in call order. */
  readonly #queue = new SerialQueue();
  /** Each epoch's order and step slots, and the counters and schedule behind them. */
  readonly #writer: EpochWriter;
  /** Early stopping's copies of the weights (see kept_weights.ts); null without early stopping. */
  readonly #kept: KeptWeights | null;
  /** Weights and checkpoints in and out. */
  readonly #tensors: SessionTensors;
  #disposed = false;

  private constructor(
    context: GpuContext,
    config: RunConfig,
    data: PreparedData,
    layout: ModelLayout,
    programs: Programs,
    buffers: SessionBuffers,
    evalRows: number,
    options: SessionOptions,
    layerStats: GpuLayerStats | null,
  ) {
    this.#context = context;
    this.#config = config;
    this.#data = data;
    this.#layout = layout;
    this.#programs = programs;
    this.#buffers = buffers;
    this.#evaluation = new Evaluation(context, programs, buffers, data, {
      rows: evalRows,
      outputs: layout.outputs,
    });
    this.#dispatchesPerSubmit = options.dispatchesPerSubmit ??
      (context.adapterInfo.isFallbackAdapter
        ? DISPATCHES_PER_SUBMIT_SOFTWARE
        : DISPATCHES_PER_SUBMIT);
    this.#writer = new EpochWriter(context, config, data.train.count, buffers);
    // ReduceLROnPlateau writes an epoch only once the last one's dev metric is back.
    this.#overlap = new EpochOverlap(
      (options.pipelineEpochs ?? !(context.adapterInfo.isFallbackAdapter ?? false)) &&
        !this.#writer.onPlateau,
    );
    this.#submitsBetweenWaits = options.submitsBetweenWaits;
    this.#trainStep = programs.trainStep(buffers);
    this.#layerStats = layerStats;
    this.#lastStep = layerStats
      ? programs.trainStep(buffers, layerStats.gradientDispatches)
      : this.#trainStep;
    this.#kept = config.earlyStopping
      ? new KeptWeights(buffers.set, buffers.params, buffers.running, {
        paramBytes: layout.paramCount * 4,
        runningBytes: layout.bufferCount * 4,
      })
      : null;
    this.#tensors = new SessionTensors(
      context,
      layout,
      programs.optimizerStateNames,
      buffers,
      this.#kept,
    );
  }

  static async create(
    context: GpuContext,
    config: RunConfig,
    data: PreparedData,
    options: SessionOptions = {},
  ): Promise<WebGpuSession> {
    const { batchSize, steps } = epochOrder(
      data.train.count,
      { ...config.batch, shuffle: false },
      0,
      0,
    );
    assertBatchNormBatches(config, data.train.count, batchSize);
    assertSchedulerFits(
      config.scheduler,
      { epochs: config.epochs, stepsPerEpoch: steps },
      data.dev.count > 0,
    );
    const maxCount = Math.max(data.train.count, data.dev.count, data.test.count, 1);
    const evalRows = Math.max(batchSize, Math.min(EVAL_CHUNK, maxCount));
    const outputs = outputUnits(config.loss, data.classes);
    assertSessionFits(context, {
      data,
      paramCount: parameterCount(config, data.features, outputs),
      hiddenUnits: config.model.layers.map((layer) => layer.units),
      outputs,
      rows: evalRows,
      optimizerStateSections: OPTIMIZER_STATE_SECTIONS_MAX,
    });
    const initial = initialModel(config.model, data.features, outputs, config.seed);
    const inputKind = inputKindOf(data);
    const programs = await Programs.compile(context, {
      layout: initial.layout,
      config,
      classes: data.classes,
      trainRows: batchSize,
      evalRows,
      inputKind,
      transform: data.transform,
    });
    const evalSteps = {} as Record<SplitName, ArrayBuffer>;
    for (const split of ["train", "dev", "test"] as const) {
      evalSteps[split] = packSteps(chunkSteps(data[split].count, evalRows), context.stepStride);
    }
    const buffers = allocateSessionBuffers(context, {
      layout: initial.layout,
      data,
      classes: data.classes,
      trainRows: batchSize,
      evalRows,
      stepsPerEpoch: steps,
      optimizerStateSections: programs.optimizerStateNames.length,
      partialWords: programs.partialWords,
      evalSteps,
    });
    const queue = context.device.queue;
    queue.writeBuffer(buffers.params, 0, initial.params);
    if (initial.buffers.length > 0) queue.writeBuffer(buffers.running, 0, initial.buffers);
    const layerStats = layerStatsEnabled(config)
      ? await GpuLayerStats.create(context, programs, buffers, initial.layout, {
        trainCount: data.train.count,
        firstLayer: options.firstLayer ?? true,
      })
      : null;
    return new WebGpuSession(
      context,
      config,
      data,
      initial.layout,
      programs,
      buffers,
      evalRows,
      options,
      layerStats,
    );
  }

  /** Whether `train()` should queue the next epoch before awaiting the last (`pipelineEpochs`). */
  get queuesEpochs(): boolean {
    return this.#overlap.enabled;
  }

  get bytesAllocated(): number {
    return this.#buffers.set.bytes;
  }

  trainEpoch(epoch: number, options: EpochOptions = {}): Promise<EpochResult> {
    return this.#overlap.run((turn) =>
      this.#queue.run(async () => {
        await turn();
        return await this.#submitEpoch(epoch, options);
      }).then((submitted) => this.#readEpoch(submitted))
    );
  }

  /**
   * Encodes and submits `epoch` — from where it paused, if it did, up to `pauseAt` or its end —
   * its evaluations in the last command buffer.
   */
  async #submitEpoch(
    epoch: number,
    { signal, evaluate = [], pauseAt, onSteps }: EpochOptions,
  ): Promise<SubmittedEpoch> {
    this.#assertOpen();
    signal?.throwIfAborted();
    const began = performance.now();
    const context = this.#context;
    const buffers = this.#buffers;
    const count = this.#data.train.count;
    // ReduceLROnPlateau needs the dev metric whether or not the caller asked for it.
    const splits = [
      ...new Set(this.#writer.onPlateau ? [...evaluate, "dev" as const] : evaluate),
    ];
    const evaluated = splits.filter((split) => this.#data[split].count > 0);
    const { batchSize, steps, lrs, from } = this.#writer.from(epoch);
    const to = pauseAt !== undefined && pauseAt > from && pauseAt < steps ? pauseAt : steps;
    const stride = context.stepStride;
    const statsAt = EPOCH_STATUS_BYTES + evaluated.length * this.#evaluation.bytes;
    const layerStats = this.#layerStats;
    const staging = to === steps ? new Staging(context, statsAt + (layerStats?.bytes ?? 0)) : null;
    let stagedStats: SubmittedEpoch["layerStats"] = null;
    const stepsPerSubmit = Math.max(
      1,
      Math.floor(this.#dispatchesPerSubmit / this.#trainStep.length),
    );
    const record = (encoder: GPUCommandEncoder, start: number, end: number) => {
      if (start === 0) {
        encoder.clearBuffer(buffers.rowMetrics);
        layerStats?.encodeEpochStart(encoder, epoch);
      }
      const pass = encoder.beginComputePass();
      for (let step = start; step < end; step++) {
        const rows = Math.min(batchSize, count - step * batchSize);
        const dispatches = step === steps - 1 ? this.#lastStep : this.#trainStep;
        encodeStep(pass, dispatches, buffers.trainSteps.group, step * stride, rows);
      }
      // Counted as recorded: an epoch cancelled midway keeps the steps it submitted.
      this.#writer.optimizerSteps += end - start;
      const last = end === steps;
      if (last) encodeDispatch(pass, this.#programs.reduce(buffers), 0);
      pass.end();
      if (!last || !staging) return;
      this.#kept?.encodeEpochEnd(encoder, epoch);
      staging.copy(encoder, buffers.totals, 0, 0, EPOCH_STATUS_BYTES);
      evaluated.forEach((split, i) => {
        const at = EPOCH_STATUS_BYTES + i * this.#evaluation.bytes;
        this.#evaluation.encode(encoder, split, staging, at);
      });
      if (layerStats) {
        stagedStats = { at: statsAt, startKnown: layerStats.knowsStart(epoch) };
        layerStats.encodeEpochEnd(encoder, staging, statsAt);
      }
    };
    try {
      await submitInChunks(
        context,
        to - from,
        stepsPerSubmit,
        (encoder, start, end) => record(encoder, from + start, from + end),
        {
          label: `epoch ${epoch} steps`,
          signal,
          submitsBetweenWaits: this.#submitsBetweenWaits,
          firstSubmit: Math.floor(FIRST_SUBMIT_DISPATCHES / this.#trainStep.length),
          onDone: onSteps && ((units) => onSteps(from + units, steps)),
        },
      );
    } catch (error) {
      staging?.discard();
      throw error;
    }
    this.#writer.submitted(epoch, to, steps);
    return {
      staging,
      steps: to,
      batchSize,
      splits,
      evaluated,
      began,
      lrs,
      layerStats: stagedStats,
    };
  }

  async #readEpoch(submitted: SubmittedEpoch): Promise<EpochResult> {
    const { staging, steps, batchSize, splits, evaluated } = submitted;
    if (!staging) {
      this.#overlap.finished(submitted.began);
      return { loss: NaN, accuracy: NaN, steps, paused: true };
    }
    const bytes = await staging.read();
    this.#context.assertUsable();
    this.#overlap.finished(submitted.began);
    const count = this.#data.train.count;
    const totals = decodeTotals(bytes);
    const failed = totals.firstNonFinite;
    const ranSteps = failed === undefined ? steps : failed + 1;
    const seen = Math.min(count, ranSteps * batchSize);
    const result: EpochResult = {
      loss: totals.loss / seen,
      accuracy: totals.correct / seen,
      steps: ranSteps,
      lr: submitted.lrs[ranSteps - 1],
    };
    if (failed !== undefined) return { ...result, nonFiniteStep: failed };
    const evaluations: EpochResult["evaluations"] = {};
    for (const split of splits) {
      const at = evaluated.indexOf(split);
      evaluations[split] = at < 0
        ? this.#evaluation.empty(split)
        : this.#evaluation.decode(bytes, EPOCH_STATUS_BYTES + at * this.#evaluation.bytes, split);
    }
    this.#writer.stepOnDev(evaluations.dev ?? null);
    const staged = submitted.layerStats;
    const layers = staged && this.#layerStats?.decode(bytes, staged.at, staged.startKnown);
    const firstLayer = staged && this.#layerStats?.decodeFirstLayer(bytes, staged.at);
    return {
      ...result,
      evaluations,
      ...(layers ? { layers } : {}),
      ...(firstLayer ? { firstLayer } : {}),
    };
  }

  /**
   * GPU time of each kernel of a training step on the first batch of `epoch`'s order (median of
   * a few runs, timestamp queries). It trains for real: use a throwaway session.
   */
  async profileTrainStep(epoch = 0): Promise<KernelTiming[]> {
    this.#assertOpen();
    // In the queue, so that no epoch called meanwhile interleaves with the timed steps.
    return await this.#queue.run(() => {
      const { batchSize } = this.#writer.write(epoch);
      const rows = Math.min(batchSize, this.#data.train.count);
      return timeDispatches(
        this.#context,
        this.#trainStep,
        this.#buffers.trainSteps.group,
        0,
        rows,
      );
    });
  }

  async evaluate(split: SplitName): Promise<EvalResult> {
    this.#assertOpen();
    if (this.#data[split].count === 0) return this.#evaluation.empty(split);
    const context = this.#context;
    const staging = await this.#queue.run(() => {
      this.#assertOpen();
      const encoder = context.device.createCommandEncoder({ label: `evaluate ${split}` });
      const staging = new Staging(context, this.#evaluation.bytes);
      this.#evaluation.encode(encoder, split, staging, 0);
      context.device.queue.submit([encoder.finish()]);
      return Promise.resolve(staging);
    });
    const bytes = await staging.read();
    context.assertUsable();
    return this.#evaluation.decode(bytes, 0, split);
  }

  async predict(split: SplitName, rows: Uint32Array): Promise<Float32Array> {
    this.#assertOpen();
    const count = this.#data[split].count;
    for (const row of rows) {
      if (row >= count) {
        throw new RangeError(`Row ${row} is out of range for split "${split}" of ${count}`);
      }
    }
    if (rows.length === 0) return new Float32Array(0);
    const context = this.#context;
    const staging = await this.#queue.run(() => {
      this.#assertOpen();
      const staging = new Staging(context, rows.length * this.#layout.outputs * 4);
      this.#evaluation.submitPredict(split, rows, staging);
      return Promise.resolve(staging);
    });
    const out = new Float32Array(await staging.read());
    context.assertUsable();
    outputsFromLogits(this.#config.loss, out);
    return out;
  }

  async getState(): Promise<NamedTensor[]> {
    this.#assertOpen();
    const staging = await this.#queue.run(() => {
      this.#assertOpen();
      return Promise.resolve(this.#tensors.submitWeightsRead());
    });
    const bytes = await staging.read();
    this.#context.assertUsable();
    return this.#tensors.unpackWeights(bytes);
  }

  setState(state: NamedTensor[]): Promise<void> {
    // Thrown inside the queue's operation, invalid state rejects instead of throwing.
    return this.#queue.run(() => {
      this.#assertOpen();
      this.#tensors.writeWeights(state);
      return Promise.resolve();
    });
  }

  async checkpoint(): Promise<SessionCheckpoint> {
    this.#assertOpen();
    // In the queue, so the copies land after every epoch called before.
    const taken = await this.#queue.run(() => {
      this.#assertOpen();
      const paused = this.#writer.pausedAt();
      const { totals, rowMetrics } = this.#buffers;
      const start = paused && this.#layerStats?.knowsStart(paused.epoch)
        ? [this.#layerStats.start]
        : [];
      return Promise.resolve({
        ...this.#tensors.submitCheckpointRead(paused ? [totals, rowMetrics, ...start] : []),
        paused,
        counters: this.#writer.counters(),
      });
    });
    const bytes = await taken.staging.read();
    this.#context.assertUsable();
    const { weights, state, best, extra } = this.#tensors.unpackCheckpoint(bytes, taken.hasBest);
    const { paused, counters } = taken;
    // The epoch's sums, then its start weights when the layer statistics kept them.
    const sumsBytes = this.#buffers.totals.size + this.#buffers.rowMetrics.size;
    const startBytes = extra && extra.length > sumsBytes ? extra.subarray(sumsBytes) : null;
    const position: EpochPosition | undefined = paused
      ? {
        backend: "webgpu",
        ...paused,
        bytes: extra?.slice(0, sumsBytes),
        ...(startBytes ? { startWeights: this.#layerStats!.startWeights(startBytes) } : {}),
      }
      : undefined;
    const { optimizerSteps: steps, momentumUsed } = counters;
    return {
      epochs: counters.epochs,
      weights,
      optimizer: { steps, momentumUsed, state },
      scheduler: counters.scheduler,
      best,
      ...(position ? { position } : {}),
    };
  }

  restore(checkpoint: SessionCheckpoint): Promise<void> {
    return this.#queue.run(() => {
      this.#assertOpen();
      const { weights, optimizer, best, position } = checkpoint;
      assertOwnPosition(position, "webgpu");
      if (position && (!position.bytes || !position.epochStart)) {
        throw new Error("The checkpoint's place inside an epoch lacks the GPU's sums or counters");
      }
      const totalsBytes = this.#buffers.totals.size + this.#buffers.rowMetrics.size;
      if (position && position.bytes!.length !== totalsBytes) {
        throw new Error(
          `The checkpoint's epoch sums are ${position.bytes!.length} bytes; this session's are ` +
            `${totalsBytes}`,
        );
      }
      // A start copy that does not fit refuses the checkpoint before the model is written.
      if (position) {
        this.#layerStats?.restoreStart(
          this.#context.device.queue,
          position.epoch,
          position.startWeights,
        );
      }
      this.#tensors.writeCheckpoint({ weights, state: optimizer.state, best });
      this.#writer.restore({
        epochs: checkpoint.epochs,
        optimizerSteps: optimizer.steps,
        momentumUsed: optimizer.momentumUsed,
        scheduler: checkpoint.scheduler,
      }, position ?? null);
      return Promise.resolve();
    });
  }

  keepBest(epoch: number): void {
    this.#assertOpen();
    this.#keptWeights().keepBest(epoch);
  }

  restoreWeights(from: "best" | number): Promise<void> {
    return this.#queue.run(() => {
      this.#assertOpen();
      const encoder = this.#context.device.createCommandEncoder({ label: "restore weights" });
      this.#keptWeights().encodeRestore(encoder, from);
      this.#context.device.queue.submit([encoder.finish()]);
      return Promise.resolve();
    });
  }

  #keptWeights(): KeptWeights {
    if (!this.#kept) throw new Error("This session keeps no weights: the run has no earlyStopping");
    return this.#kept;
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#buffers.set.destroyAll();
  }

  #assertOpen(): void {
    if (this.#disposed) throw new Error("This training session was disposed");
    this.#context.assertUsable();
  }
}
