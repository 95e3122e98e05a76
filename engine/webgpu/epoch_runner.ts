/**
 * The training epochs of a GPU session (`session.ts`): an epoch is encoded into as few command
 * buffers as its size allows (one compute pass each), submitted in chunks with every step's
 * scalars in the per-epoch uniform array `EpochWriter` wrote, its evaluations and layer
 * statistics in the last command buffer, and read back once at its end.
 *
 * @module
 */

import type { EpochOptions, EpochResult, SplitName } from "../backend.ts";
import type { PreparedData } from "../data/dataset.ts";
import { type Dispatch, encodeDispatch, encodeStep } from "../kernels/kernel.ts";
import { decodeTotals, EPOCH_STATUS_BYTES } from "../kernels/metrics_reduce.ts";
import type { GpuContext } from "./gpu_context.ts";
import type { EpochOverlap } from "./epoch_overlap.ts";
import type { KeptWeights } from "./kept_weights.ts";
import type { GpuLayerStats } from "./layer_stats.ts";
import type { Evaluation } from "./evaluation.ts";
import type { Programs } from "./programs.ts";
import { Staging } from "./readback.ts";
import { submitInChunks } from "./chunked_submit.ts";
import type { EpochWriter } from "./epoch_writer.ts";
import type { SessionBuffers } from "./session_buffers.ts";

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

/** The session's parts an epoch runs on, shared with its evaluation and checkpoints. */
export interface EpochParts {
  context: GpuContext;
  data: PreparedData;
  programs: Programs;
  buffers: SessionBuffers;
  evaluation: Evaluation;
  /** Each epoch's order and step slots, and the counters and schedule behind them. */
  writer: EpochWriter;
  overlap: EpochOverlap;
  /** Per-layer statistics; null when the config turns them off. */
  layerStats: GpuLayerStats | null;
  /** Early stopping's copies of the weights; null without early stopping. */
  kept: KeptWeights | null;
}

export interface EpochRunnerOptions {
  /** Most dispatches per command buffer (default 1024); an epoch is split into submits of whole steps. */
  dispatchesPerSubmit?: number;
  /** Submits between waits for the GPU (default: 16, or 1 on a software adapter; chunked_submit.ts). */
  submitsBetweenWaits?: number;
}

/** A submitted epoch: where its readback lands and what it holds. */
export interface SubmittedEpoch {
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

export class EpochRunner {
  /** The dispatches of one training step. */
  readonly trainStep: Dispatch[];
  /** The epoch's last step: trainStep with the layer statistics' gradient sums. */
  readonly #lastStep: Dispatch[];
  readonly #parts: EpochParts;
  readonly #dispatchesPerSubmit: number;
  readonly #submitsBetweenWaits: number | undefined;

  constructor(parts: EpochParts, options: EpochRunnerOptions) {
    const { context, programs, buffers, layerStats } = parts;
    this.#parts = parts;
    this.#dispatchesPerSubmit = options.dispatchesPerSubmit ??
      (context.adapterInfo.isFallbackAdapter
        ? DISPATCHES_PER_SUBMIT_SOFTWARE
        : DISPATCHES_PER_SUBMIT);
    this.#submitsBetweenWaits = options.submitsBetweenWaits;
    this.trainStep = programs.trainStep(buffers);
    this.#lastStep = layerStats
      ? programs.trainStep(buffers, layerStats.gradientDispatches)
      : this.trainStep;
  }

  /**
   * Encodes and submits `epoch` — from where it paused, if it did, up to `pauseAt` or its end —
   * its evaluations in the last command buffer. The session has checked that it is still open.
   */
  async submit(
    epoch: number,
    { signal, evaluate = [], pauseAt, onSteps }: EpochOptions,
  ): Promise<SubmittedEpoch> {
    signal?.throwIfAborted();
    const began = performance.now();
    const { context, data, programs, buffers, evaluation, writer, layerStats, kept } = this.#parts;
    const count = data.train.count;
    // ReduceLROnPlateau needs the dev metric whether or not the caller asked for it.
    const splits = [...new Set(writer.onPlateau ? [...evaluate, "dev" as const] : evaluate)];
    const evaluated = splits.filter((split) => data[split].count > 0);
    const { batchSize, steps, lrs, from } = writer.from(epoch);
    const to = pauseAt !== undefined && pauseAt > from && pauseAt < steps ? pauseAt : steps;
    const stride = context.stepStride;
    const statsAt = EPOCH_STATUS_BYTES + evaluated.length * evaluation.bytes;
    const staging = to === steps ? new Staging(context, statsAt + (layerStats?.bytes ?? 0)) : null;
    let stagedStats: SubmittedEpoch["layerStats"] = null;
    const stepsPerSubmit = Math.max(
      1,
      Math.floor(this.#dispatchesPerSubmit / this.trainStep.length),
    );
    const record = (encoder: GPUCommandEncoder, start: number, end: number) => {
      if (start === 0) {
        encoder.clearBuffer(buffers.rowMetrics);
        layerStats?.encodeEpochStart(encoder, epoch);
      }
      const pass = encoder.beginComputePass();
      for (let step = start; step < end; step++) {
        const rows = Math.min(batchSize, count - step * batchSize);
        const dispatches = step === steps - 1 ? this.#lastStep : this.trainStep;
        encodeStep(pass, dispatches, buffers.trainSteps.group, step * stride, rows);
      }
      // Counted as recorded: an epoch cancelled midway keeps the steps it submitted.
      writer.optimizerSteps += end - start;
      const last = end === steps;
      if (last) encodeDispatch(pass, programs.reduce(buffers), 0);
      pass.end();
      if (!last || !staging) return;
      kept?.encodeEpochEnd(encoder, epoch);
      staging.copy(encoder, buffers.totals, 0, 0, EPOCH_STATUS_BYTES);
      evaluated.forEach((split, i) => {
        const at = EPOCH_STATUS_BYTES + i * evaluation.bytes;
        evaluation.encode(encoder, split, staging, at);
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
          firstSubmit: Math.floor(FIRST_SUBMIT_DISPATCHES / this.trainStep.length),
          onDone: onSteps && ((units) => onSteps(from + units, steps)),
        },
      );
    } catch (error) {
      staging?.discard();
      throw error;
    }
    writer.submitted(epoch, to, steps);
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

  /** Reads `submitted`'s results back once the GPU is done with it, and decodes them. */
  async read(submitted: SubmittedEpoch): Promise<EpochResult> {
    const { staging, steps, batchSize, splits, evaluated } = submitted;
    const { context, data, evaluation, writer, overlap, layerStats } = this.#parts;
    if (!staging) {
      overlap.finished(submitted.began);
      return { loss: NaN, accuracy: NaN, steps, paused: true };
    }
    const bytes = await staging.read();
    context.assertUsable();
    overlap.finished(submitted.began);
    const count = data.train.count;
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
        ? evaluation.empty(split)
        : evaluation.decode(bytes, EPOCH_STATUS_BYTES + at * evaluation.bytes, split);
    }
    writer.stepOnDev(evaluations.dev ?? null);
    const staged = submitted.layerStats;
    const layers = staged && layerStats?.decode(bytes, staged.at, staged.startKnown);
    const firstLayer = staged && layerStats?.decodeFirstLayer(bytes, staged.at);
    return {
      ...result,
      evaluations,
      ...(layers ? { layers } : {}),
      ...(firstLayer ? { firstLayer } : {}),
    };
  }
}
