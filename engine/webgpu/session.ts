/**
 * A training session on the GPU. Data, parameters, gradients, optimizer state and metrics stay
 * on the device; an epoch is encoded into as few command buffers as its size allows (one
 * compute pass each), with every step's scalars in a per-epoch uniform array, and read back
 * once at its end, evaluations asked for included (`epoch_runner.ts`). Operations run in call
 * order; with `pipelineEpochs` an epoch queued behind another is encoded once that one is
 * submitted, not once its results are back. Numerics follow the CPU reference
 * (`engine/cpu/session.ts`): same initial weights (`session_setup.ts`), batch order, dropout
 * masks, losses and optimizer rules, in f32.
 *
 * This class keeps the session's parts and the order of its operations; it answers evaluations,
 * predictions, weights, checkpoints and early stopping's copies itself.
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
import type { PreparedData } from "../data/dataset.ts";
import { SerialQueue } from "../serial.ts";
import type { RunConfig } from "../spec.ts";
import type { GpuContext } from "./gpu_context.ts";
import type { ModelLayout } from "./model_layout.ts";
import { type KernelTiming, timeDispatches } from "./profile.ts";
import { EpochOverlap } from "./epoch_overlap.ts";
import { KeptWeights } from "./kept_weights.ts";
import type { GpuLayerStats } from "./layer_stats.ts";
import { Evaluation } from "./evaluation.ts";
import { Staging } from "./readback.ts";
import { SessionTensors } from "./session_tensors.ts";
import { EpochWriter } from "./epoch_writer.ts";
import type { SessionBuffers } from "./session_buffers.ts";
import { EpochRunner, type EpochRunnerOptions } from "./epoch_runner.ts";
import { type SessionSetup, setUpSession } from "./session_setup.ts";

export interface SessionOptions extends EpochRunnerOptions {
  /**
   * Whether epochs of an image model carry the first layer's snapshot (`../first_layer.ts`) with
   * the layer statistics (default true; bench/first_layer_epoch_bench.ts turns it off to time it).
   */
  firstLayer?: boolean;
  /**
   * Whether an epoch queued behind another starts encoding once that one is submitted, and so
   * whether `train()` queues the next epoch before awaiting the last (default: on a hardware
   * adapter, where it made epochs 17–38% faster on an H100; off on lavapipe; why, in
   * `epoch_overlap.ts`).
   */
  pipelineEpochs?: boolean;
}

export class WebGpuSession implements TrainingSession {
  readonly #context: GpuContext;
  readonly #config: RunConfig;
  readonly #data: PreparedData;
  readonly #layout: ModelLayout;
  readonly #buffers: SessionBuffers;
  /** Per-layer statistics; null when the config turns them off. */
  readonly #layerStats: GpuLayerStats | null;
  readonly #evaluation: Evaluation;
  readonly #overlap: EpochOverlap;
  /** Encoding and submission, in call order. */
  readonly #queue = new SerialQueue();
  /** Each epoch's order and step slots, and the counters and schedule behind them. */
  readonly #writer: EpochWriter;
  /** Encodes, submits and reads back each epoch. */
  readonly #epochs: EpochRunner;
  /** Early stopping's copies of the weights (see kept_weights.ts); null without early stopping. */
  readonly #kept: KeptWeights | null;
  /** Weights and checkpoints in and out. */
  readonly #tensors: SessionTensors;
  #disposed = false;

  private constructor(
    context: GpuContext,
    config: RunConfig,
    data: PreparedData,
    { layout, programs, buffers, evalRows, layerStats }: SessionSetup,
    options: SessionOptions,
  ) {
    this.#context = context;
    this.#config = config;
    this.#data = data;
    this.#layout = layout;
    this.#buffers = buffers;
    this.#evaluation = new Evaluation(context, programs, buffers, data, {
      rows: evalRows,
      outputs: layout.outputs,
    });
    this.#writer = new EpochWriter(context, config, data.train.count, buffers);
    // ReduceLROnPlateau writes an epoch only once the last one's dev metric is back.
    this.#overlap = new EpochOverlap(
      (options.pipelineEpochs ?? !(context.adapterInfo.isFallbackAdapter ?? false)) &&
        !this.#writer.onPlateau,
    );
    this.#layerStats = layerStats;
    this.#kept = config.earlyStopping
      ? new KeptWeights(buffers.set, buffers.params, buffers.running, {
        paramBytes: layout.paramCount * 4,
        runningBytes: layout.bufferCount * 4,
      })
      : null;
    this.#epochs = new EpochRunner({
      context,
      data,
      programs,
      buffers,
      evaluation: this.#evaluation,
      writer: this.#writer,
      overlap: this.#overlap,
      layerStats,
      kept: this.#kept,
    }, options);
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
    const setup = await setUpSession(context, config, data, {
      firstLayer: options.firstLayer ?? true,
    });
    return new WebGpuSession(context, config, data, setup, options);
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
        this.#assertOpen();
        return await this.#epochs.submit(epoch, options);
      }).then((submitted) => this.#epochs.read(submitted))
    );
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
        this.#epochs.trainStep,
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
