/**
 * A GPU session's tensors in and out: its weights (`getState`/`setState`) and its checkpoints —
 * one readback of parameters, batch-norm buffers, optimizer state sections and early stopping's
 * best weights, and the packing back into those buffers. Optimizer state lives as sections of
 * the parameters' flat layout, one per torch key (`exp_avg`, …), so each section splits into
 * per-parameter tensors at the parameters' offsets.
 *
 * @module
 */

import type { NamedTensor } from "../backend.ts";
import type { GpuContext } from "./gpu_context.ts";
import type { KeptWeights } from "./kept_weights.ts";
import { type ModelLayout, packState, unpackState } from "./model_layout.ts";
import { Staging } from "./readback.ts";

export interface CheckpointSources {
  params: GPUBuffer;
  running: GPUBuffer;
  optimizerState: GPUBuffer;
  /** Early stopping's best weights (parameters, then buffers), or null when none are kept. */
  best: GPUBuffer | null;
  /** Buffers read whole after the rest (an epoch's partial sums when paused inside it). */
  extra?: GPUBuffer[];
}

export interface CheckpointTensors {
  weights: NamedTensor[];
  state: Record<string, Float32Array[]>;
  best: NamedTensor[] | null;
  /** The `extra` buffers' bytes, one after the other. */
  extra?: Uint8Array;
}

/** Submits the copies of every checkpoint tensor into one staging buffer, and returns it. */
export function submitCheckpointRead(
  context: GpuContext,
  layout: ModelLayout,
  sections: number,
  sources: CheckpointSources,
): Staging {
  const paramBytes = layout.paramCount * 4;
  const bufferBytes = layout.bufferCount * 4;
  const weightBytes = paramBytes + bufferBytes;
  const stateBytes = sections * paramBytes;
  const extraAt = weightBytes + stateBytes + (sources.best ? weightBytes : 0);
  const extra = sources.extra ?? [];
  const staging = new Staging(context, extra.reduce((at, b) => at + b.size, extraAt));
  const encoder = context.device.createCommandEncoder({ label: "checkpoint" });
  staging.copy(encoder, sources.params, 0, 0, paramBytes);
  staging.copy(encoder, sources.running, 0, paramBytes, bufferBytes);
  staging.copy(encoder, sources.optimizerState, 0, weightBytes, stateBytes);
  if (sources.best) staging.copy(encoder, sources.best, 0, weightBytes + stateBytes, weightBytes);
  let at = extraAt;
  for (const buffer of extra) {
    staging.copy(encoder, buffer, 0, at, buffer.size);
    at += buffer.size;
  }
  context.device.queue.submit([encoder.finish()]);
  return staging;
}

/** The tensors in {@linkcode submitCheckpointRead}'s bytes. */
export function unpackCheckpoint(
  layout: ModelLayout,
  stateNames: readonly string[],
  bytes: ArrayBuffer,
  hasBest: boolean,
): CheckpointTensors {
  const { paramCount, bufferCount } = layout;
  const floats = new Float32Array(bytes);
  const weightsAt = (at: number) =>
    unpackState(
      layout,
      floats.subarray(at, at + paramCount),
      floats.subarray(at + paramCount, at + paramCount + bufferCount),
    );
  const stateAt = paramCount + bufferCount;
  const state: Record<string, Float32Array[]> = {};
  stateNames.forEach((key, s) => {
    const section = floats.subarray(stateAt + s * paramCount, stateAt + (s + 1) * paramCount);
    state[key] = layout.params.map((slot) => section.slice(slot.offset, slot.offset + slot.length));
  });
  const bestAt = stateAt + stateNames.length * paramCount;
  const extraAt = 4 * (bestAt + (hasBest ? paramCount + bufferCount : 0));
  return {
    weights: weightsAt(0),
    state,
    best: hasBest ? weightsAt(bestAt) : null,
    ...(bytes.byteLength > extraAt ? { extra: new Uint8Array(bytes.slice(extraAt)) } : {}),
  };
}

/**
 * The optimizer state buffer's contents from a checkpoint's per-parameter tensors: a key this
 * session does not keep is refused, one the checkpoint lacks is zero (torch's initial state).
 */
export function packOptimizerState(
  layout: ModelLayout,
  stateNames: readonly string[],
  state: Record<string, Float32Array[]>,
): Float32Array {
  const { paramCount } = layout;
  for (const key of Object.keys(state)) {
    if (!stateNames.includes(key)) {
      throw new Error(
        `The checkpoint holds optimizer state "${key}", which this run's optimizer does not ` +
          `keep (it keeps ${stateNames.join(", ") || "none"})`,
      );
    }
  }
  const packed = new Float32Array(stateNames.length * paramCount);
  stateNames.forEach((key, s) => {
    const tensors = state[key];
    if (!tensors) return;
    layout.params.forEach((slot, i) => {
      const tensor = tensors[i];
      if (tensor?.length !== slot.length) {
        throw new Error(
          `The checkpoint's optimizer state "${key}" for "${slot.name}" has ` +
            `${tensor?.length ?? 0} values, expected ${slot.length}`,
        );
      }
      packed.set(tensor, s * paramCount + slot.offset);
    });
  });
  return packed;
}

/** A session's weight and checkpoint tensors, bound to its buffers. */
export class SessionTensors {
  constructor(
    readonly context: GpuContext,
    readonly layout: ModelLayout,
    readonly stateNames: readonly string[],
    readonly buffers: { params: GPUBuffer; running: GPUBuffer; optimizerState: GPUBuffer },
    readonly kept: KeptWeights | null,
  ) {}

  /** Submits the copy of the weights; `unpackWeights` reads the staged bytes. */
  submitWeightsRead(): Staging {
    const { context, layout, buffers } = this;
    const paramBytes = layout.paramCount * 4;
    const bufferBytes = layout.bufferCount * 4;
    const staging = new Staging(context, paramBytes + bufferBytes);
    const encoder = context.device.createCommandEncoder({ label: "get state" });
    staging.copy(encoder, buffers.params, 0, 0, paramBytes);
    staging.copy(encoder, buffers.running, 0, paramBytes, bufferBytes);
    context.device.queue.submit([encoder.finish()]);
    return staging;
  }

  unpackWeights(bytes: ArrayBuffer): NamedTensor[] {
    const { paramCount, bufferCount } = this.layout;
    return unpackState(
      this.layout,
      new Float32Array(bytes, 0, paramCount),
      new Float32Array(bytes, paramCount * 4, bufferCount),
    );
  }

  /** Queues writes of `state` (every tensor of the model, checked) into the weights. */
  writeWeights(state: NamedTensor[]): void {
    this.#writePacked(packState(this.layout, state));
  }

  #writePacked({ params, buffers }: { params: Float32Array; buffers: Float32Array }): void {
    const queue = this.context.device.queue;
    queue.writeBuffer(this.buffers.params, 0, params);
    if (buffers.length > 0) queue.writeBuffer(this.buffers.running, 0, buffers);
  }

  /**
   * Submits the copy of every checkpoint tensor, then of `extra` buffers; `unpackCheckpoint`
   * reads the staged bytes.
   */
  submitCheckpointRead(extra: GPUBuffer[] = []): { staging: Staging; hasBest: boolean } {
    const best = this.kept?.best ?? null;
    const sources = { ...this.buffers, best, extra };
    const staging = submitCheckpointRead(
      this.context,
      this.layout,
      this.stateNames.length,
      sources,
    );
    return { staging, hasBest: best !== null };
  }

  unpackCheckpoint(bytes: ArrayBuffer, hasBest: boolean): CheckpointTensors {
    return unpackCheckpoint(this.layout, this.stateNames, bytes, hasBest);
  }

  /** Queues writes of a checkpoint's tensors, all checked against this session first. */
  writeCheckpoint(tensors: CheckpointTensors): void {
    const { layout } = this;
    const weights = packState(layout, tensors.weights);
    const state = packOptimizerState(layout, this.stateNames, tensors.state);
    const best = tensors.best ? packState(layout, tensors.best) : null;
    if (best && !this.kept) {
      throw new Error("The checkpoint keeps best weights, but this run has no earlyStopping");
    }
    this.#writePacked(weights);
    if (state.length > 0) {
      this.context.device.queue.writeBuffer(this.buffers.optimizerState, 0, state);
    }
    if (best) this.kept!.loadBest(best.params, best.buffers);
  }
}
