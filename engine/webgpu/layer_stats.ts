/**
 * A GPU session's per-layer statistics (engine/layer_stats.ts), recorded into the epoch's own
 * command buffers and read back with its single readback — no wait of their own:
 * - the epoch's first command buffer copies each hidden layer's weight into a packed start copy;
 * - its last step runs `gradient_sums` right after the backward pass (Programs.trainStep's
 *   `afterBackward`), before the penalty's gradient, clipping and the optimizer touch `grads`;
 * - after its last step, the stats buffer is cleared, the probe batch (the train split's first
 *   rows) goes through the evaluation-mode forward, `weight_sums` and `main` sum each layer, and
 *   the sums are copied to staging;
 * - for a 28×28 image input, the first hidden layer's weight is copied to staging right behind
 *   them, and the host keeps its strongest units (`engine/first_layer.ts`).
 *
 * @module
 */

import type { NamedTensor } from "../backend.ts";
import { type Dispatch, encodeDispatch, encodeStep } from "../kernels/kernel.ts";
import {
  decodeLayerSums,
  LAYER_STATS_WORDS,
  layerStatsDispatch,
  layerStatsKernels,
  layerStatsPartials,
} from "../kernels/layer_stats.ts";
import {
  type FirstLayerSnapshot,
  IMAGE_INPUTS,
  strongestRows,
  takesFirstLayer,
} from "../first_layer.ts";
import { finishLayerStats, type LayerStats, probeRows } from "../layer_stats.ts";
import type { GpuContext } from "./gpu_context.ts";
import type { ModelLayout } from "./model_layout.ts";
import type { Programs } from "./programs.ts";
import type { Staging } from "./readback.ts";
import { type SessionBuffers, type StepArray, stepArray } from "./session_buffers.ts";
import { chunkSteps, packSteps } from "./step_params.ts";

export class GpuLayerStats {
  readonly #layout: ModelLayout;
  readonly #params: GPUBuffer;
  readonly #stats: GPUBuffer;
  /** The hidden weights at the epoch's start, layer after layer. */
  readonly start: GPUBuffer;
  /** Offset in floats of each layer's weights in {@linkcode start}. */
  readonly #startOffsets: number[];
  readonly #rows: number;
  readonly #probeStep: StepArray;
  readonly #forward: Dispatch[];
  readonly #epochEnd: Dispatch[];
  /** Σ g² of each layer, for the last step (Programs.trainStep's `afterBackward`). */
  readonly gradientDispatches: Dispatch[];
  /** Bytes of the first hidden layer's weight staged after the sums; 0 unless an image input. */
  readonly #firstLayerBytes: number;
  /** The epoch whose start weights {@linkcode start} holds, if any. */
  #startEpoch: number | null = null;

  private constructor(
    layout: ModelLayout,
    buffers: SessionBuffers,
    parts: {
      stats: GPUBuffer;
      start: GPUBuffer;
      startOffsets: number[];
      rows: number;
      probeStep: StepArray;
      forward: Dispatch[];
      epochEnd: Dispatch[];
      gradients: Dispatch[];
      firstLayer: boolean;
    },
  ) {
    this.#layout = layout;
    this.#params = buffers.params;
    this.#stats = parts.stats;
    this.start = parts.start;
    this.#startOffsets = parts.startOffsets;
    this.#rows = parts.rows;
    this.#probeStep = parts.probeStep;
    this.#forward = parts.forward;
    this.#epochEnd = parts.epochEnd;
    this.gradientDispatches = parts.gradients;
    const first = layout.hidden[0];
    this.#firstLayerBytes =
      parts.firstLayer && first && takesFirstLayer(layout.hidden.length, first.inFeatures)
        ? first.spec.units * first.inFeatures * 4
        : 0;
  }

  static async create(
    context: GpuContext,
    programs: Programs,
    buffers: SessionBuffers,
    layout: ModelLayout,
    options: { trainCount: number; firstLayer: boolean },
  ): Promise<GpuLayerStats> {
    const { trainCount } = options;
    const rows = probeRows(trainCount);
    const startOffsets: number[] = [];
    const partialsOffsets: number[] = [];
    let startFloats = 0;
    let partialFloats = 0;
    for (const layer of layout.hidden) {
      const weights = layer.spec.units * layer.inFeatures;
      startOffsets.push(startFloats);
      partialsOffsets.push(partialFloats);
      startFloats += weights;
      partialFloats += layerStatsPartials(weights);
    }
    const set = buffers.set;
    const stats = set.storage("layer stats", layout.hidden.length * LAYER_STATS_WORDS * 4);
    const start = set.storage("epoch start weights", startFloats * 4);
    const partials = set.storage("layer stats partials", partialFloats * 4);
    const probeStep = stepArray(
      set,
      "probe step",
      packSteps(chunkSteps(rows, rows), context.stepStride),
    );
    const kernels = await Promise.all(layout.hidden.map((layer, l) =>
      layerStatsKernels(context, {
        spec: layer.spec,
        fanIn: layer.inFeatures,
        rows,
        weightOffset: layer.weight,
        startOffset: startOffsets[l],
        slot: l,
        partialsOffset: partialsOffsets[l],
      })
    ));
    const bound = (l: number) => ({
      grads: buffers.grads,
      params: buffers.params,
      start,
      preActivation: buffers.layers[l].normalized ?? buffers.layers[l].preActivation,
      activation: buffers.layers[l].activation,
      partials,
      stats,
    });
    return new GpuLayerStats(layout, buffers, {
      stats,
      start,
      startOffsets,
      rows,
      probeStep,
      forward: programs.predict(buffers, "train", buffers.identityOrder),
      // Each layer's weight sums, then its folding pass.
      epochEnd: kernels.flatMap((k, l) => [
        layerStatsDispatch(context, k.weights, bound(l)),
        layerStatsDispatch(context, k.epochEnd, bound(l)),
      ]),
      gradients: kernels.map((k, l) => layerStatsDispatch(context, k.gradients, bound(l))),
      firstLayer: options.firstLayer,
    });
  }

  /** Bytes of the sums alone. */
  get #sumBytes(): number {
    return this.#layout.hidden.length * LAYER_STATS_WORDS * 4;
  }

  /** Bytes {@linkcode encodeEpochEnd} stages: the sums, then any first-layer weight. */
  get bytes(): number {
    return this.#sumBytes + this.#firstLayerBytes;
  }

  /** Records the copy of the start weights; call in `epoch`'s first command buffer. */
  encodeEpochStart(encoder: GPUCommandEncoder, epoch: number): void {
    this.#layout.hidden.forEach((layer, l) => {
      const bytes = layer.spec.units * layer.inFeatures * 4;
      encoder.copyBufferToBuffer(
        this.#params,
        layer.weight * 4,
        this.start,
        this.#startOffsets[l] * 4,
        bytes,
      );
    });
    this.#startEpoch = epoch;
  }

  /** Whether {@linkcode start} holds `epoch`'s start weights (ask when encoding its end). */
  knowsStart(epoch: number): boolean {
    return this.#startEpoch === epoch;
  }

  /** Records the probe forward and the sums after an epoch's last step, staged at byte `at`. */
  encodeEpochEnd(encoder: GPUCommandEncoder, staging: Staging, at: number): void {
    // The histograms are added up atomically from zero.
    encoder.clearBuffer(this.#stats);
    const pass = encoder.beginComputePass({ label: "layer stats" });
    encodeStep(pass, this.#forward, this.#probeStep.group, 0, this.#rows);
    for (const dispatch of this.#epochEnd) encodeDispatch(pass, dispatch, 0);
    pass.end();
    staging.copy(encoder, this.#stats, 0, at, this.#sumBytes);
    // The weight as the epoch left it: nothing after the probe forward writes params.
    const first = this.#layout.hidden[0];
    if (this.#firstLayerBytes > 0) {
      staging.copy(
        encoder,
        this.#params,
        first.weight * 4,
        at + this.#sumBytes,
        this.#firstLayerBytes,
      );
    }
  }

  /** The strongest first-layer units {@linkcode encodeEpochEnd} staged at byte `at`, if any. */
  decodeFirstLayer(bytes: ArrayBuffer, at: number): FirstLayerSnapshot | null {
    if (this.#firstLayerBytes === 0) return null;
    const weights = new Float32Array(bytes, at + this.#sumBytes, this.#firstLayerBytes / 4);
    return strongestRows(weights, IMAGE_INPUTS);
  }

  /** The statistics {@linkcode encodeEpochEnd} staged at byte `at` of `bytes`. */
  decode(bytes: ArrayBuffer, at: number, startKnown: boolean): LayerStats[] {
    return this.#layout.hidden.map((layer, l) =>
      finishLayerStats(decodeLayerSums(bytes, at, l), {
        spec: layer.spec,
        fanIn: layer.inFeatures,
        rows: this.#rows,
        startKnown,
      })
    );
  }

  /** The start weights in `bytes` (a copy of {@linkcode start}), named as the model's. */
  startWeights(bytes: Uint8Array): NamedTensor[] {
    const floats = new Float32Array(bytes.slice().buffer);
    return this.#layout.hidden.map((layer, l) => {
      const slot = this.#layout.params.find((s) => s.offset === layer.weight)!;
      const length = layer.spec.units * layer.inFeatures;
      const at = this.#startOffsets[l];
      return { name: slot.name, shape: [...slot.shape], data: floats.slice(at, at + length) };
    });
  }

  /** Puts back `epoch`'s start weights from a checkpoint; without them its ratio is unknown. */
  restoreStart(queue: GPUQueue, epoch: number, tensors: NamedTensor[] | undefined): void {
    if (!tensors) {
      this.#startEpoch = null;
      return;
    }
    const found = this.#layout.hidden.map((layer) => {
      const slot = this.#layout.params.find((s) => s.offset === layer.weight)!;
      const tensor = tensors.find((t) => t.name === slot.name);
      if (!tensor || tensor.data.length !== slot.length) {
        throw new Error(`The checkpoint's epoch-start weights lack "${slot.name}" of its shape`);
      }
      return tensor.data;
    });
    found.forEach((data, l) => queue.writeBuffer(this.start, this.#startOffsets[l] * 4, data));
    this.#startEpoch = epoch;
  }
}
