/**
 * Where a WebAssembly optimizer keeps its tensors: one module memory holding, for every parameter
 * tensor, its state slots (`momentum_buffer`, `square_avg`, …), a parameter slot and a gradient
 * slot, each padded to whole f32x4 vectors, then one staging pair as large as the largest tensor.
 *
 * A model built on {@linkcode WasmTensorMemory.storage} keeps its parameters and gradients in
 * their slots and is updated in place; any other tensor is copied into the staging pair and its
 * parameter back out. The memory is grown once, at construction: growing later would detach every
 * view handed out (state tensors, a model's parameters).
 *
 * @module
 */

import type { ParameterStorage } from "./mlp.ts";
import type { FunctionWriter } from "./wasm_encoder.ts";

const PAGE_BYTES = 65536;

/** `count` rounded up to whole f32x4 vectors. */
export function padded(count: number): number {
  return Math.ceil(count / 4) * 4;
}

/** Byte addresses of one tensor's slots for a kernel call, and its padded length in bytes. */
export interface TensorAddresses<Key extends string> {
  param: number;
  grad: number;
  state: Record<Key, number>;
  bytes: number;
}

interface Slots<Key extends string> {
  param: number;
  grad: number;
  state: Record<Key, number>;
  /** `state`'s offsets in bytes, as kernels take them. */
  stateBytes: Record<Key, number>;
}

export class WasmTensorMemory<Key extends string> {
  readonly floats: Float32Array;
  /** Float offsets of each tensor's slots. */
  readonly #slots: Slots<Key>[] = [];
  readonly #staging: { param: number; grad: number };

  constructor(memory: WebAssembly.Memory, readonly sizes: number[], keys: readonly Key[]) {
    let next = 0;
    const take = (count: number) => (next += padded(count)) - padded(count);
    for (const size of sizes) {
      const offsets = keys.map((key) => [key, take(size)] as const);
      const state = Object.fromEntries(offsets) as Record<Key, number>;
      const stateBytes = Object.fromEntries(offsets.map(([key, at]) => [key, at * 4]));
      this.#slots.push({
        state,
        stateBytes: stateBytes as Record<Key, number>,
        param: take(size),
        grad: take(size),
      });
    }
    const largest = Math.max(0, ...sizes);
    this.#staging = { param: take(largest), grad: take(largest) };
    const pages = Math.ceil((next * 4) / PAGE_BYTES) - memory.buffer.byteLength / PAGE_BYTES;
    if (pages > 0) memory.grow(pages);
    this.floats = new Float32Array(memory.buffer);
  }

  /** Views of every tensor's `key` slot (zero until written). */
  views(key: Key): Float32Array[] {
    return this.#slots.map((slot, t) =>
      this.floats.subarray(slot.state[key], slot.state[key] + this.sizes[t])
    );
  }

  /**
   * `tensors` as views of this memory's `key` slots: themselves when they are, else the views
   * with their values copied in (a checkpoint's loader may create a state the optimizer lacked).
   */
  adopt(key: Key, tensors: Float32Array[]): Float32Array[] {
    const own = this.views(key);
    if (tensors.every((tensor, t) => this.#holds(tensor, this.#slots[t].state[key]))) {
      return tensors;
    }
    tensors.forEach((tensor, t) => own[t].set(tensor));
    return own;
  }

  /**
   * Each tensor's parameter and gradient places in this memory, in order. Their padding lanes
   * stay zero: gradients are written only within each tensor, and the updates keep zeros zero.
   */
  storage(): ParameterStorage {
    return parameterStorage(this.sizes, this.floats, this.#slots);
  }

  /**
   * Calls `update` with each tensor's addresses: its own slots when `params[t]` and `grads[t]`
   * are them, else the staging pair, copied in (zero-padded, so padding lanes never compute on
   * stale bits) and the parameter copied back out after.
   */
  forEach(
    params: Float32Array[],
    grads: Float32Array[],
    update: (addresses: TensorAddresses<Key>) => void,
  ): void {
    const floats = this.floats;
    params.forEach((param, t) => {
      const size = this.sizes[t];
      const end = padded(size);
      const own = this.#slots[t];
      const inPlace = this.#holds(param, own.param) && this.#holds(grads[t], own.grad);
      const at = inPlace ? own : this.#staging;
      if (!inPlace) {
        floats.set(param.subarray(0, size), at.param);
        floats.set(grads[t].subarray(0, size), at.grad);
        floats.fill(0, at.param + size, at.param + end);
        floats.fill(0, at.grad + size, at.grad + end);
      }
      update({ param: at.param * 4, grad: at.grad * 4, state: own.stateBytes, bytes: end * 4 });
      if (!inPlace) param.set(floats.subarray(at.param, at.param + size));
    });
  }

  /** Whether `tensor` is this memory's view at float offset `at`. */
  #holds(tensor: Float32Array, at: number): boolean {
    return tensor.buffer === this.floats.buffer && tensor.byteOffset === at * 4;
  }
}

/*
 * The optimizers' kernels compute as the reference's loops do, in f64 with each stored value
 * rounded to f32, two elements at a time: a pair of f32 is loaded, promoted exactly to f64x2,
 * and demoted (rounded as `Math.fround`) where the reference stores or rounds. Their loops step
 * a local "at" over 16 bytes, two pairs at byte offsets 0 and 8 from it.
 */

/** Pushes the two f32 at `base` + at + `offset` bytes as an exact f64x2. */
/**
 * Tensor t's parameter and gradient places (`slots[t]`, float offsets into `floats`), handed out
 * in order to a model that keeps its tensors there (`Mlp`'s `storage`), checked against `sizes`.
 */
export function parameterStorage(
  sizes: readonly number[],
  floats: Float32Array,
  slots: readonly { param: number; grad: number }[],
): ParameterStorage {
  let next = 0;
  return {
    take: (length) => {
      const t = next++;
      if (t >= sizes.length || sizes[t] !== length) {
        throw new RangeError(
          `Parameter ${t} of ${length} values does not match the optimizer's sizes ` +
            `[${sizes.join(", ")}]`,
        );
      }
      const { param, grad } = slots[t];
      return {
        data: floats.subarray(param, param + length),
        grad: floats.subarray(grad, grad + length),
      };
    },
  };
}

export function loadPair(f: FunctionWriter, base: string, offset: number): FunctionWriter {
  return f.get(base).get("at").add().v128Load64Zero(offset).f64x2PromoteLowF32x4();
}

/** Rounds the f64x2 on top to f32 and back, lane by lane (`Math.fround`). */
export function roundPair(f: FunctionWriter): FunctionWriter {
  return f.f32x4DemoteF64x2Zero().f64x2PromoteLowF32x4();
}

/**
 * Rounds f64x2 local `value` to f32 (`Math.fround`), stores the two f32 at `base` + at + `offset`
 * bytes and leaves `value` as read back: one demotion for both.
 */
export function storeRoundedPair(
  f: FunctionWriter,
  base: string,
  value: string,
  offset: number,
): void {
  f.get(value).f32x4DemoteF64x2Zero().set(value);
  f.get(base).get("at").add().get(value).v128Store64Lane(offset, 0);
  f.get(value).f64x2PromoteLowF32x4().set(value);
}

/** Stores f64x2 local `value` rounded to two f32 at `base` + at + `offset` bytes. */
export function storePair(f: FunctionWriter, base: string, value: string, offset: number): void {
  f.get(base).get("at").add().get(value).f32x4DemoteF64x2Zero().v128Store64Lane(offset, 0);
}
