/**
 * What a GPU session writes before encoding an epoch — its batch order, every step's slot (lr,
 * momentum, Adam's bias corrections, dropout step) and a fresh epoch status — and the counters
 * those depend on: optimizer steps, whether momentum was used, the lr schedule, and where an
 * epoch paused (`pauseAt`) or where a restored checkpoint paused it.
 *
 * The schedule is asked for a whole epoch's lr at writing. Epoch-stepped schedules step right
 * after, as they depend on nothing the epoch computes; ReduceLROnPlateau steps on the dev metric
 * read back (`stepOnDev`), so its epochs are never written before the previous one's results.
 *
 * @module
 */

import type { EpochPosition } from "../checkpoint.ts";
import { epochOrder } from "../data/batches.ts";
import { freshEpochStatus } from "../kernels/metrics_reduce.ts";
import type { DevMetrics } from "../schedule/lr_scheduler.ts";
import {
  createLrScheduler,
  type LrScheduler,
  type SchedulerState,
  type StepHyper,
} from "../schedule/lr_scheduler.ts";
import type { RunConfig } from "../spec.ts";
import type { GpuContext } from "./gpu_context.ts";
import type { SessionBuffers } from "./session_buffers.ts";
import { epochSteps, packSteps } from "./step_params.ts";

export interface EpochShape {
  batchSize: number;
  steps: number;
  /** Each step's learning rate. */
  lrs: number[];
}

/** The counters a checkpoint keeps, as they stand. */
export interface TrainingCounters {
  epochs: number;
  optimizerSteps: number;
  momentumUsed: boolean;
  scheduler: SchedulerState;
}

export class EpochWriter {
  readonly #context: GpuContext;
  readonly #config: RunConfig;
  readonly #count: number;
  readonly #buffers: SessionBuffers;
  readonly #scheduler: LrScheduler;
  readonly onPlateau: boolean;
  /** Optimizer steps recorded so far (an epoch cancelled midway keeps those it submitted). */
  optimizerSteps = 0;
  /** Whether a step so far used momentum (SGD's buffer exists). */
  #momentumUsed = false;
  /** Epochs submitted whole. */
  #epochs = 0;
  /** The epoch paused inside, and its steps done. */
  #position: { epoch: number; step: number } | null = null;
  #shape: EpochShape | null = null;
  /** Counters and schedule at the start of the epoch last written (a paused checkpoint's). */
  #epochStart: NonNullable<EpochPosition["epochStart"]> | null = null;
  /** A restored checkpoint's place inside an epoch, put back when that epoch is called. */
  #pending: EpochPosition | null = null;

  constructor(
    context: GpuContext,
    config: RunConfig,
    trainCount: number,
    buffers: SessionBuffers,
  ) {
    this.#context = context;
    this.#config = config;
    this.#count = trainCount;
    this.#buffers = buffers;
    this.onPlateau = config.scheduler?.type === "reduce_on_plateau";
    const { steps } = epochOrder(trainCount, { ...config.batch, shuffle: false }, 0, 0);
    this.#scheduler = createLrScheduler(config.scheduler, config.optimizer, {
      epochs: config.epochs,
      stepsPerEpoch: steps,
    });
  }

  /**
   * The epoch's shape and the step to go on from: 0 for a new epoch (written now), where it
   * paused, or where a restored checkpoint paused it (the epoch written again from its start's
   * counters, then its partial sums put back).
   */
  from(epoch: number): EpochShape & { from: number } {
    const resumed = this.#pending?.epoch === epoch ? this.#pending : null;
    if (this.#position?.epoch === epoch && this.#shape && !resumed) {
      return { ...this.#shape, from: this.#position.step };
    }
    this.#pending = null;
    this.#shape = this.write(epoch);
    if (!resumed) return { ...this.#shape, from: 0 };
    const bytes = resumed.bytes!;
    const { totals, rowMetrics } = this.#buffers;
    const queue = this.#context.device.queue;
    queue.writeBuffer(totals, 0, bytes, 0, totals.size);
    queue.writeBuffer(rowMetrics, 0, bytes, totals.size);
    this.optimizerSteps += resumed.step;
    this.#position = { epoch, step: resumed.step };
    return { ...this.#shape, from: resumed.step };
  }

  /** After `epoch` was submitted up to step `to` of its `steps`. */
  submitted(epoch: number, to: number, steps: number): void {
    this.#position = to === steps ? null : { epoch, step: to };
    if (to === steps) this.#epochs = epoch + 1;
  }

  /** ReduceLROnPlateau's step, once the epoch's dev metric is back. */
  stepOnDev(dev: DevMetrics | null): void {
    if (this.onPlateau) this.#scheduler.stepEpoch(dev);
  }

  counters(): TrainingCounters {
    return {
      epochs: this.#epochs,
      optimizerSteps: this.optimizerSteps,
      momentumUsed: this.#momentumUsed,
      scheduler: this.#scheduler.state(),
    };
  }

  /** Where it paused inside an epoch, with that epoch's starting counters; null if it did not. */
  pausedAt(): Omit<EpochPosition, "backend" | "bytes"> | null {
    return this.#position && { ...this.#position, epochStart: this.#epochStart! };
  }

  /**
   * Takes up a checkpoint's counters; inside an epoch, those of its start, from which that epoch
   * is written again when called.
   */
  restore(counters: TrainingCounters, position: EpochPosition | null): void {
    const start = position?.epochStart;
    this.#scheduler.load(start?.scheduler ?? counters.scheduler);
    this.optimizerSteps = start?.optimizerSteps ?? counters.optimizerSteps;
    this.#momentumUsed = start?.momentumUsed ?? counters.momentumUsed;
    this.#epochs = counters.epochs;
    this.#pending = position;
  }

  /**
   * Queues `epoch`'s batch order and step slots, and resets the epoch status. Queue writes land
   * after the work already submitted, so the previous epoch may still be running.
   */
  write(epoch: number): EpochShape {
    const config = this.#config;
    const count = this.#count;
    const { order, batchSize, steps } = epochOrder(count, config.batch, config.seed, epoch);
    const queue = this.#context.device.queue;
    const buffers = this.#buffers;
    this.#epochStart = {
      scheduler: this.#scheduler.state(),
      optimizerSteps: this.optimizerSteps,
      momentumUsed: this.#momentumUsed,
    };
    const hypers: StepHyper[] = [];
    for (let i = 0; i < steps; i++) {
      hypers.push(this.#scheduler.current);
      this.#scheduler.stepBatch();
    }
    if (!this.onPlateau) this.#scheduler.stepEpoch(null);
    const slots = epochSteps({
      count,
      batchSize,
      steps,
      epoch,
      seed: config.seed,
      optimizerStepsBefore: this.optimizerSteps,
      optimizer: config.optimizer,
      hypers,
      momentumUsed: this.#momentumUsed,
    });
    this.#momentumUsed ||= slots.some((slot) => slot.momentum !== 0);
    queue.writeBuffer(buffers.trainOrder, 0, order);
    queue.writeBuffer(buffers.trainSteps.buffer, 0, packSteps(slots, this.#context.stepStride));
    queue.writeBuffer(buffers.totals, 0, freshEpochStatus());
    return { batchSize, steps, lrs: hypers.map((hyper) => hyper.lr) };
  }
}
