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

  /** Copies of the best weights kept, with their names; null before any were. */
  best(): NamedTensor[] | null {
    if (this.#best.length === 0) return null;
    return this.#tensors.map(({ name, shape }, i) => ({
      name,
      shape: [...shape],
      data: this.#best[i].slice(),
    }));
  }

  /** Makes `tensors` (a checkpoint's, in the model's order and shapes) the best weights. */
  loadBest(tensors: NamedTensor[]): void {
    this.#best = this.#tensors.map((own, i) => {
      const given = tensors[i];
      if (given?.name !== own.name || given.data.length !== own.data.length) {
        throw new Error(`The checkpoint's best weights do not fit this model at "${own.name}"`);
      }
      return given.data.slice();
    });
  }

  restore(from: "best" | number): void {
    const copies = from === "best" ? this.#best : this.#candidates[from % 2];
    if (copies.length === 0) throw new Error(`No weights were kept for ${from}`);
    this.#tensors.forEach((tensor, i) => tensor.data.set(copies[i]));
  }
}
