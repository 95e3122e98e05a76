/**
 * Early stopping's weight copies on the CPU, the same scheme as the GPU's
 * (engine/webgpu/kept_weights.ts): each epoch leaves a copy in slot `epoch % 2`, so one queued
 * behind it cannot overwrite it before `keepBest` copies it into the best slot.
 *
 * @module
 */

import type { NamedTensor } from "../backend.ts";

export class KeptWeights {
  readonly #tensors: NamedTensor[];
  readonly #candidates: Float32Array[][] = [[], []];
  #best: Float32Array[] = [];

  /** `tensors`: the model's parameters and buffers, whose data the copies are taken from. */
  constructor(tensors: NamedTensor[]) {
    this.#tensors = tensors;
  }

  /** At the end of 0-based `epoch`: what it left. */
  epochEnded(epoch: number): void {
    this.#candidates[epoch % 2] = this.#tensors.map((tensor) => tensor.data.slice());
  }

  keepBest(epoch: number): void {
    this.#best = this.#candidates[epoch % 2];
  }

  restore(from: "best" | number): void {
    const copies = from === "best" ? this.#best : this.#candidates[from % 2];
    if (copies.length === 0) throw new Error(`No weights were kept for ${from}`);
    this.#tensors.forEach((tensor, i) => tensor.data.set(copies[i]));
  }
}
