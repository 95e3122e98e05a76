/**
 * A training session on the GPU. Data, parameters, gradients, optimizer state and metrics stay
 * on the device; an epoch is encoded into as few command buffers as its size allows (one
 * compute pass each), with every step's scalars in a per-epoch uniform array, and read back
 * once at its end. Numerics follow the CPU reference (`engine/cpu/session.ts`): same initial
 * weights, batch order, dropout masks, losses and optimizer rules, in f32.
 *
 * @module
 */

import type {
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
import { decodeTotals, EPOCH_STATUS_BYTES, freshEpochStatus } from "../kernels/metrics_reduce.ts";
import { outputUnits, type RunConfig } from "../spec.ts";
import type { GpuContext } from "./gpu_context.ts";
import { initialModel, type ModelLayout, packState, unpackState } from "./model_layout.ts";
import { type KernelTiming, timeDispatches } from "./profile.ts";
import { Programs } from "./programs.ts";
import { Staging } from "./readback.ts";
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
  type StepArray,
} from "./session_buffers.ts";
import { chunkSteps, epochSteps, packSteps } from "./step_params.ts";

/** Rows per evaluation chunk, at least a training batch (fewer, larger dispatches than the CPU's). */
const EVAL_CHUNK = 2048;
/**
 * Dispatches per command buffer (about 100 steps of a 2-hidden-layer model): the GPU starts on
 * the first submit while the rest of the epoch is still being encoded.
 */
const DISPATCHES_PER_SUBMIT = 1024;

export interface SessionOptions {
  /**
   * Evaluate the dev split at the end of every epoch, in the epoch's command buffer and readback,
   * so the evaluate("dev") that follows costs no GPU round trip (default true).
   */
  prefetchDevEvaluation?: boolean;
  /** Most dispatches per command buffer (default 8192); an epoch is split into submits of whole steps. */
  dispatchesPerSubmit?: number;
}
/**
 * Command buffers in flight before encoding waits for the oldest, bounding the memory of long
 * epochs (stochastic batches); each wait costs Deno ~10 ms, so the window is wide.
 */
const SUBMITS_IN_FLIGHT = 16;
/** Encoding time between yields to the event loop, so a worker still receives a cancel. */
const YIELD_EVERY_MS = 50;

export class WebGpuSession implements TrainingSession {
  readonly #context: GpuContext;
  readonly #config: RunConfig;
  readonly #data: PreparedData;
  readonly #layout: ModelLayout;
  readonly #programs: Programs;
  readonly #buffers: SessionBuffers;
  readonly #trainStep: Dispatch[];
  readonly #evalRows: number;
  readonly #dispatchesPerSubmit: number;
  readonly #prefetchDev: boolean;
  #optimizerSteps = 0;
  /** The dev evaluation recorded with the last epoch, until the state changes. */
  #devAfterEpoch: EvalResult | null = null;
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
  ) {
    this.#context = context;
    this.#config = config;
    this.#data = data;
    this.#layout = layout;
    this.#programs = programs;
    this.#buffers = buffers;
    this.#evalRows = evalRows;
    this.#dispatchesPerSubmit = options.dispatchesPerSubmit ?? DISPATCHES_PER_SUBMIT;
    this.#prefetchDev = options.prefetchDevEvaluation ?? true;
    this.#trainStep = programs.trainStep(buffers);
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
      evalSteps,
    });
    const queue = context.device.queue;
    queue.writeBuffer(buffers.params, 0, initial.params);
    if (initial.buffers.length > 0) queue.writeBuffer(buffers.running, 0, initial.buffers);
    return new WebGpuSession(
      context,
      config,
      data,
      initial.layout,
      programs,
      buffers,
      evalRows,
      options,
    );
  }

  get bytesAllocated(): number {
    return this.#buffers.set.bytes;
  }

  async trainEpoch(epoch: number, signal?: AbortSignal): Promise<EpochResult> {
    this.#assertOpen();
    signal?.throwIfAborted();
    const context = this.#context;
    const { device } = context;
    const buffers = this.#buffers;
    this.#devAfterEpoch = null;
    const count = this.#data.train.count;
    const devCount = this.#prefetchDev ? this.#data.dev.count : 0;
    const { batchSize, steps } = this.#writeEpoch(epoch);
    const stride = context.stepStride;
    const staging = new Staging(
      context,
      EPOCH_STATUS_BYTES + (devCount > 0 ? this.#evaluationBytes() : 0),
    );
    const stepsPerSubmit = Math.max(
      1,
      Math.floor(this.#dispatchesPerSubmit / this.#trainStep.length),
    );
    const inFlight: Promise<void>[] = [];
    let lastYield = performance.now();
    for (let start = 0; start < steps; start += stepsPerSubmit) {
      if (start > 0) {
        // Between submits: bound the work in flight, and let a cancel arrive (a message needs a
        // turn of the event loop, an abort() by this thread's caller only a microtask).
        if (inFlight.length >= SUBMITS_IN_FLIGHT) {
          await context.orLost(inFlight.shift()!);
          lastYield = performance.now();
        } else if (performance.now() - lastYield > YIELD_EVERY_MS) {
          await nextTask();
          lastYield = performance.now();
        } else {
          await undefined;
        }
        if (signal?.aborted) {
          staging.discard();
          await context.orLost(Promise.all(inFlight));
          throw signal.reason;
        }
      }
      const end = Math.min(steps, start + stepsPerSubmit);
      const encoder = device.createCommandEncoder({
        label: `epoch ${epoch} steps ${start}–${end}`,
      });
      if (start === 0) encoder.clearBuffer(buffers.rowMetrics);
      const pass = encoder.beginComputePass();
      for (let step = start; step < end; step++) {
        const rows = Math.min(batchSize, count - step * batchSize);
        encodeStep(pass, this.#trainStep, buffers.trainSteps.group, step * stride, rows);
      }
      const last = end === steps;
      if (last) {
        encodeDispatch(pass, this.#programs.reduce(buffers), 0);
      }
      pass.end();
      if (last) {
        staging.copy(encoder, buffers.totals, 0, 0, EPOCH_STATUS_BYTES);
        if (devCount > 0) this.#encodeEvaluation(encoder, "dev", staging, EPOCH_STATUS_BYTES);
      }
      device.queue.submit([encoder.finish()]);
      this.#optimizerSteps += end - start;
      if (!last) inFlight.push(device.queue.onSubmittedWorkDone());
    }
    const bytes = await staging.read();
    context.assertUsable();
    const totals = decodeTotals(bytes);
    if (devCount > 0) {
      this.#devAfterEpoch = this.#decodeEvaluation(bytes, EPOCH_STATUS_BYTES, devCount);
    }
    const failed = totals.firstNonFinite;
    const ranSteps = failed === undefined ? steps : failed + 1;
    const seen = Math.min(count, ranSteps * batchSize);
    return {
      loss: totals.loss / seen,
      accuracy: totals.correct / seen,
      steps: ranSteps,
      ...(failed === undefined ? {} : { nonFiniteStep: failed }),
    };
  }

  /**
   * GPU time of each kernel of a training step on the first batch of `epoch`'s order (median of
   * a few runs, timestamp queries). It trains for real: use a throwaway session.
   */
  async profileTrainStep(epoch = 0): Promise<KernelTiming[]> {
    this.#assertOpen();
    this.#devAfterEpoch = null;
    const { batchSize } = this.#writeEpoch(epoch);
    const rows = Math.min(batchSize, this.#data.train.count);
    return await timeDispatches(
      this.#context,
      this.#trainStep,
      this.#buffers.trainSteps.group,
      0,
      rows,
    );
  }

  async evaluate(split: SplitName): Promise<EvalResult> {
    this.#assertOpen();
    const classes = this.#data.classes;
    const count = this.#data[split].count;
    if (count === 0) {
      // An empty split has no mean: NaN rather than a made-up 0, as the CPU reference.
      return { loss: NaN, accuracy: NaN, count, confusion: new Uint32Array(classes * classes) };
    }
    if (split === "dev" && this.#devAfterEpoch) return copyResult(this.#devAfterEpoch);
    const context = this.#context;
    const encoder = context.device.createCommandEncoder({ label: `evaluate ${split}` });
    const staging = new Staging(context, this.#evaluationBytes());
    this.#encodeEvaluation(encoder, split, staging, 0);
    context.device.queue.submit([encoder.finish()]);
    const bytes = await staging.read();
    context.assertUsable();
    return this.#decodeEvaluation(bytes, 0, count);
  }

  /** Bytes an evaluation reads back: the status record, then the confusion matrix. */
  #evaluationBytes(): number {
    return EPOCH_STATUS_BYTES + this.#data.classes * this.#data.classes * 4;
  }

  /** Records the evaluation of non-empty `split`, its results copied to `staging` byte `at`. */
  #encodeEvaluation(encoder: GPUCommandEncoder, split: SplitName, staging: Staging, at: number) {
    const buffers = this.#buffers;
    const steps = buffers.evalSteps[split];
    encoder.clearBuffer(buffers.rowMetrics);
    encoder.clearBuffer(buffers.confusion);
    const pass = encoder.beginComputePass({ label: `evaluate ${split}` });
    const dispatches = this.#programs.evaluate(buffers, split, buffers.identityOrder);
    this.#encodeChunks(pass, dispatches, steps, this.#data[split].count);
    encodeDispatch(pass, this.#programs.reduce(buffers), 0);
    pass.end();
    staging.copy(encoder, buffers.totals, 0, at, EPOCH_STATUS_BYTES);
    const confusionBytes = this.#evaluationBytes() - EPOCH_STATUS_BYTES;
    staging.copy(encoder, buffers.confusion, 0, at + EPOCH_STATUS_BYTES, confusionBytes);
  }

  #decodeEvaluation(bytes: ArrayBuffer, at: number, count: number): EvalResult {
    const classes = this.#data.classes;
    const totals = decodeTotals(bytes, at);
    return {
      loss: totals.loss / count,
      accuracy: totals.correct / count,
      count,
      confusion: new Uint32Array(bytes.slice(at + EPOCH_STATUS_BYTES), 0, classes * classes),
    };
  }

  async predict(split: SplitName, rows: Uint32Array): Promise<Float32Array> {
    this.#assertOpen();
    const count = this.#data[split].count;
    for (const row of rows) {
      if (row >= count) {
        throw new RangeError(`Row ${row} is out of range for split "${split}" of ${count}`);
      }
    }
    const outputs = this.#layout.outputs;
    if (rows.length === 0) return new Float32Array(0);
    const context = this.#context;
    const { device } = context;
    const buffers = this.#buffers;
    const staging = new Staging(context, rows.length * outputs * 4);
    const dispatches = this.#programs.predict(buffers, split, buffers.predictOrder);
    // One chunk per submit: the order and step slot are rewritten between them, and
    // queue.writeBuffer lands after the previously submitted chunk has run.
    for (let start = 0; start < rows.length; start += this.#evalRows) {
      const part = rows.subarray(start, Math.min(start + this.#evalRows, rows.length));
      device.queue.writeBuffer(buffers.predictOrder, 0, part);
      device.queue.writeBuffer(
        buffers.predictSteps.buffer,
        0,
        packSteps(chunkSteps(part.length, part.length), context.stepStride),
      );
      const encoder = device.createCommandEncoder({ label: `predict ${split}` });
      const pass = encoder.beginComputePass();
      this.#encodeChunks(pass, dispatches, buffers.predictSteps, part.length);
      pass.end();
      staging.copy(encoder, buffers.logits, 0, start * outputs * 4, part.length * outputs * 4);
      device.queue.submit([encoder.finish()]);
    }
    const out = new Float32Array(await staging.read());
    context.assertUsable();
    outputsFromLogits(this.#config.loss, out);
    return out;
  }

  async getState(): Promise<NamedTensor[]> {
    this.#assertOpen();
    const { device } = this.#context;
    const buffers = this.#buffers;
    const paramBytes = this.#layout.paramCount * 4;
    const bufferBytes = this.#layout.bufferCount * 4;
    const staging = new Staging(this.#context, paramBytes + bufferBytes);
    const encoder = device.createCommandEncoder({ label: "get state" });
    staging.copy(encoder, buffers.params, 0, 0, paramBytes);
    staging.copy(encoder, buffers.running, 0, paramBytes, bufferBytes);
    device.queue.submit([encoder.finish()]);
    const bytes = await staging.read();
    return unpackState(
      this.#layout,
      new Float32Array(bytes, 0, this.#layout.paramCount),
      new Float32Array(bytes, paramBytes, this.#layout.bufferCount),
    );
  }

  // deno-lint-ignore require-await -- async so that invalid state rejects instead of throwing
  async setState(state: NamedTensor[]): Promise<void> {
    this.#assertOpen();
    this.#devAfterEpoch = null;
    const { params, buffers } = packState(this.#layout, state);
    const queue = this.#context.device.queue;
    queue.writeBuffer(this.#buffers.params, 0, params);
    if (buffers.length > 0) queue.writeBuffer(this.#buffers.running, 0, buffers);
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#buffers.set.destroyAll();
  }

  /**
   * Queues `epoch`'s batch order and step slots, and resets the epoch status. Queue writes land
   * after the work already submitted, so the previous epoch may still be running.
   */
  #writeEpoch(epoch: number): { batchSize: number; steps: number } {
    const config = this.#config;
    const count = this.#data.train.count;
    const { order, batchSize, steps } = epochOrder(count, config.batch, config.seed, epoch);
    const queue = this.#context.device.queue;
    const buffers = this.#buffers;
    const slots = epochSteps({
      count,
      batchSize,
      steps,
      epoch,
      seed: config.seed,
      optimizerStepsBefore: this.#optimizerSteps,
      optimizer: config.optimizer,
    });
    queue.writeBuffer(buffers.trainOrder, 0, order);
    queue.writeBuffer(buffers.trainSteps.buffer, 0, packSteps(slots, this.#context.stepStride));
    queue.writeBuffer(buffers.totals, 0, freshEpochStatus());
    return { batchSize, steps };
  }

  /** `dispatches` over `count` rows in chunks of the step array's slots (evalRows each). */
  #encodeChunks(
    pass: GPUComputePassEncoder,
    dispatches: Dispatch[],
    steps: StepArray,
    count: number,
  ): void {
    const stride = this.#context.stepStride;
    for (let chunk = 0, first = 0; first < count; chunk++, first += this.#evalRows) {
      const rows = Math.min(this.#evalRows, count - first);
      encodeStep(pass, dispatches, steps.group, chunk * stride, rows);
    }
  }

  #assertOpen(): void {
    if (this.#disposed) throw new Error("This training session was disposed");
    this.#context.assertUsable();
  }
}

/** Resolves on a later turn of the event loop, after pending messages (a worker's cancel). */
function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function copyResult(result: EvalResult): EvalResult {
  return { ...result, confusion: result.confusion.slice() };
}
