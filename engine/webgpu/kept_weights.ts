/**
 * Early stopping's weight copies on the GPU, device-side, with no wait added to the epoch.
 *
 * Whether epoch k is the best so far is known only once its results are read back, and by then
 * epoch k + 1 may be queued or running (epoch overlap), changing the parameters. So every epoch's
 * last command buffer, after its last step, copies the parameters and batch-norm buffers into a
 * candidate slot, `k % 2`; when k's readback says it improved, `keepBest(k)` submits a copy of
 * that slot into the best slot. Epoch k + 1 writes the other slot, and k + 2 — which would reuse
 * k's — is only called after `train()` has judged k, so the promotion is queued before it. The
 * same slots give the weights of the last epoch judged when a run stops with one epoch queued.
 *
 * @module
 */

import type { BufferSet } from "./buffer_set.ts";

export class KeptWeights {
  readonly #set: BufferSet;
  readonly #params: GPUBuffer;
  readonly #running: GPUBuffer;
  readonly #paramBytes: number;
  readonly #runningBytes: number;
  /** Two candidate slots of parameters then buffers (a copy cannot stay within one buffer). */
  readonly #candidates: GPUBuffer;
  readonly #best: GPUBuffer;
  /** Which candidate slots, and whether the best, hold weights yet. */
  readonly #filled = [false, false];
  #bestFilled = false;

  constructor(set: BufferSet, params: GPUBuffer, running: GPUBuffer, sizes: {
    paramBytes: number;
    runningBytes: number;
  }) {
    this.#set = set;
    this.#params = params;
    this.#running = running;
    this.#paramBytes = sizes.paramBytes;
    this.#runningBytes = sizes.runningBytes;
    const usage = GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    this.#candidates = set.create("early stopping candidates", 2 * this.#slotBytes, usage);
    this.#best = set.create("early stopping best", this.#slotBytes, usage);
  }

  get #slotBytes(): number {
    return this.#paramBytes + this.#runningBytes;
  }

  /** Encodes, after 0-based `epoch`'s last step, the copy of what it left into its slot. */
  encodeEpochEnd(encoder: GPUCommandEncoder, epoch: number): void {
    const at = (epoch % 2) * this.#slotBytes;
    encoder.copyBufferToBuffer(this.#params, 0, this.#candidates, at, this.#paramBytes);
    if (this.#runningBytes > 0) {
      const to = at + this.#paramBytes;
      encoder.copyBufferToBuffer(this.#running, 0, this.#candidates, to, this.#runningBytes);
    }
    this.#filled[epoch % 2] = true;
  }

  /** Submits the copy of `epoch`'s candidate slot into the best slot. */
  keepBest(epoch: number): void {
    const { device } = this.#set.context;
    const encoder = device.createCommandEncoder({ label: "keep best weights" });
    const at = this.#candidateAt(epoch);
    encoder.copyBufferToBuffer(this.#candidates, at, this.#best, 0, this.#slotBytes);
    device.queue.submit([encoder.finish()]);
    this.#bestFilled = true;
  }

  /** Encodes the copy of the best weights, or `epoch`'s, back into the model. */
  encodeRestore(encoder: GPUCommandEncoder, from: "best" | number): void {
    if (from === "best" && !this.#bestFilled) throw new Error("No best weights were kept");
    const source = from === "best" ? this.#best : this.#candidates;
    const at = from === "best" ? 0 : this.#candidateAt(from);
    encoder.copyBufferToBuffer(source, at, this.#params, 0, this.#paramBytes);
    if (this.#runningBytes > 0) {
      const bytes = this.#runningBytes;
      encoder.copyBufferToBuffer(source, at + this.#paramBytes, this.#running, 0, bytes);
    }
  }

  /** Bytes of one copy of the weights: parameters, then batch-norm buffers. */
  get slotBytes(): number {
    return this.#slotBytes;
  }

  /** The buffer of the best weights (parameters, then batch-norm buffers); null before any. */
  get best(): GPUBuffer | null {
    return this.#bestFilled ? this.#best : null;
  }

  /** Makes `params` then `running` (a checkpoint's best weights, packed) the best weights. */
  loadBest(params: Float32Array, running: Float32Array): void {
    const queue = this.#set.context.device.queue;
    queue.writeBuffer(this.#best, 0, params);
    if (running.length > 0) queue.writeBuffer(this.#best, this.#paramBytes, running);
    this.#bestFilled = true;
  }

  #candidateAt(epoch: number): number {
    if (!this.#filled[epoch % 2]) throw new Error(`No weights were kept for epoch ${epoch}`);
    return (epoch % 2) * this.#slotBytes;
  }
}
