/**
 * A GPU session's checkpoint tensors: one readback of parameters, batch-norm buffers, optimizer
 * state sections and early stopping's best weights, and the packing back into those buffers.
 * Optimizer state lives as sections of the parameters' flat layout, one per torch key
 * (`exp_avg`, …), so each section splits into per-parameter tensors at the parameters' offsets.
 *
 * @module
 */

import type { NamedTensor } from "../backend.ts";
import type { GpuContext } from "./gpu_context.ts";
import { type ModelLayout, unpackState } from "./model_layout.ts";
import { Staging } from "./readback.ts";

export interface CheckpointSources {
  params: GPUBuffer;
  running: GPUBuffer;
  optimizerState: GPUBuffer;
  /** Early stopping's best weights (parameters, then buffers), or null when none are kept. */
  best: GPUBuffer | null;
}

export interface CheckpointTensors {
  weights: NamedTensor[];
  state: Record<string, Float32Array[]>;
  best: NamedTensor[] | null;
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
  const staging = new Staging(
    context,
    weightBytes + stateBytes + (sources.best ? weightBytes : 0),
  );
  const encoder = context.device.createCommandEncoder({ label: "checkpoint" });
  staging.copy(encoder, sources.params, 0, 0, paramBytes);
  staging.copy(encoder, sources.running, 0, paramBytes, bufferBytes);
  staging.copy(encoder, sources.optimizerState, 0, weightBytes, stateBytes);
  if (sources.best) staging.copy(encoder, sources.best, 0, weightBytes + stateBytes, weightBytes);
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
  return { weights: weightsAt(0), state, best: hasBest ? weightsAt(bestAt) : null };
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
