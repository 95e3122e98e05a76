/**
 * A hidden block's element-wise work for the fast CPU backend in WebAssembly SIMD: dropout, and
 * ReLU fused with it: forward ReLU, dropout's hash mask and the scaled kept values in one pass,
 * and backward the dropout and ReLU derivatives in one pass. Other activations (sigmoid, tanh,
 * gelu, …: `Math.exp`, `Math.tanh`, whose values WebAssembly has no instruction for) stay the
 * reference's loops, over the same buffers, with only their block's dropout here. The same
 * arithmetic as the reference's `activations.ts` and `dropout.ts`, bit for bit:
 *
 * - ReLU keeps x where x > 0 (f32x4.gt: +0 < x ≤ +∞, never NaN, as `positiveMask`), else +0;
 * - mask[i] = 1 when lowbias32(key ^ i) >>> 8 ≥ ⌈p·2²⁴⌉, the key hashed from (seed, step, layer)
 *   as `dropoutMask` does (i32x4 multiplies are `Math.imul`'s, modulo 2³²);
 * - kept values are x·(1/(1 − p)) rounded to f32 (a product of two f32 rounds the same in f32 as
 *   in f64), dropped ones +0.
 *
 * The reference loops cost about 1.5 ns an element for each of ReLU, the mask and dropout,
 * forward and backward: on the default model's hidden layers 0.50 ms of a batch-128 step and
 * 4.3 ms at batch 1024, these kernels 0.07 and 0.63 (bench/cpu_elementwise_bench.ts).
 *
 * The kernels work on the block's own buffers, which live in the instance's memory (the model
 * takes them from {@linkcode WasmHiddenBlock.buffers}), each padded to 16 elements: a pass
 * covers whole groups of 16, the padding taking whatever it computes.
 *
 * @module
 */

import type { Activation, LayerSpec } from "../spec.ts";
import { lowbias32 } from "../random.ts";
import { activationBackward, activationForward } from "./activations.ts";
import { dropoutScale } from "./dropout.ts";
import { encodeModule, FunctionWriter } from "./wasm_encoder.ts";

const PAGE_BYTES = 65536;
/** lowbias32's multipliers, as i32 (https://nullprogram.com/blog/2018/07/31/). */
const HASH_MULTIPLIERS = [0x7feb352d, 0x846ca68b | 0];

/** Hash rounds of `h` (a v128 local) after its key is mixed in: lowbias32, lane by lane. */
function hashLanes(f: FunctionWriter, h: string, multipliers: string[]): void {
  const xorShift = (shift: number) => f.get(h).get(h).i32(shift).i32x4ShrU().v128Xor().set(h);
  xorShift(16);
  f.get(h).get(multipliers[0]).i32x4Mul().set(h);
  xorShift(15);
  f.get(h).get(multipliers[1]).i32x4Mul().set(h);
  xorShift(16);
}

/**
 * forward(input, activated, mask, dropped, count, key, threshold, scale) over ⌈count/16⌉·16
 * elements: with `relu`, activated = relu(input), else activated is read as it is (input
 * unused); with `dropout`, mask and dropped too (threshold is ⌈p·2²⁴⌉ − 1).
 */
function forwardFunction(relu: boolean, dropout: boolean): FunctionWriter {
  const f = new FunctionWriter([
    ["input", "i32"],
    ["activated", "i32"],
    ["mask", "i32"],
    ["dropped", "i32"],
    ["count", "i32"],
    ["key", "i32"],
    ["threshold", "i32"],
    ["scale", "f32"],
  ]);
  f.local("i32", "i", "at");
  f.local("v128", "zero", "x", "h", "key4", "threshold4", "scale4", "index", "m0", "m1");
  f.local("v128", "keep0", "keep1", "keep2", "keep3");
  f.get("key").i32x4Splat().set("key4");
  f.get("threshold").i32x4Splat().set("threshold4");
  f.get("scale").f32x4Splat().set("scale4");
  f.i32(HASH_MULTIPLIERS[0]).i32x4Splat().set("m0");
  f.i32(HASH_MULTIPLIERS[1]).i32x4Splat().set("m1");
  f.loopWhile("i", "count", 16, () => {
    f.get("i").i32(4).mul().set("at");
    f.get("i").i32x4Splat().set("index");
    for (let v = 0; v < 4; v++) {
      if (relu) {
        // activated ← x & (x > 0)
        f.get("input").get("at").add().v128Load(16 * v).set("x");
        f.get("activated").get("at").add();
        f.get("x").get("x").get("zero").f32x4Gt().v128And().set("x").get("x").v128Store(16 * v);
      } else f.get("activated").get("at").add().v128Load(16 * v).set("x");
      if (!dropout) continue;
      // keep ← lowbias32(key ^ i) >>> 8 > threshold − 1
      f.get("key4").get("index").i32x4Const([4 * v, 4 * v + 1, 4 * v + 2, 4 * v + 3]).i32x4Add();
      f.v128Xor().set("h");
      hashLanes(f, "h", ["m0", "m1"]);
      f.get("h").i32(8).i32x4ShrU().get("threshold4").i32x4GtS().set(`keep${v}`);
      // dropped ← (activated · scale) & keep
      f.get("dropped").get("at").add();
      f.get("x").get("scale4").f32x4Mul().get(`keep${v}`).v128And().v128Store(16 * v);
    }
    if (dropout) {
      // 16 lanes of all-ones or zeros narrowed to bytes, negated to 1 or 0.
      f.get("mask").get("i").add();
      f.get("keep0").get("keep1").i16x8NarrowI32x4S();
      f.get("keep2").get("keep3").i16x8NarrowI32x4S();
      f.i8x16NarrowI16x8S().i8x16Neg().v128Store();
    }
  });
  return f;
}

/**
 * backward(input, mask, grad, count, scale): grad ← grad·scale·mask (with `dropout`), then
 * grad & (input > 0) (with `relu`), over ⌈count/16⌉·16 elements, in place.
 */
function backwardFunction(relu: boolean, dropout: boolean): FunctionWriter {
  const f = new FunctionWriter([
    ["input", "i32"],
    ["mask", "i32"],
    ["grad", "i32"],
    ["count", "i32"],
    ["scale", "f32"],
  ]);
  f.local("i32", "i", "at");
  f.local("v128", "zero", "scale4", "bytes", "half", "keep0", "keep1", "keep2", "keep3", "g");
  f.get("scale").f32x4Splat().set("scale4");
  f.loopWhile("i", "count", 16, () => {
    f.get("i").i32(4).mul().set("at");
    if (dropout) {
      // Mask bytes 1 or 0 negated to all-ones or zeros, then widened to i32 lanes.
      f.get("mask").get("i").add().v128Load().i8x16Neg().set("bytes");
      for (const [h, half] of [[0, "low"], [1, "high"]] as const) {
        f.get("bytes").i16x8ExtendI8x16S(half).set("half");
        f.get("half").i32x4ExtendI16x8S("low").set(`keep${2 * h}`);
        f.get("half").i32x4ExtendI16x8S("high").set(`keep${2 * h + 1}`);
      }
    }
    for (let v = 0; v < 4; v++) {
      f.get("grad").get("at").add();
      f.get("grad").get("at").add().v128Load(16 * v);
      if (dropout) f.get("scale4").f32x4Mul().get(`keep${v}`).v128And();
      if (relu) f.get("input").get("at").add().v128Load(16 * v).get("zero").f32x4Gt().v128And();
      f.v128Store(16 * v);
    }
  });
  return f;
}

let compiled: WebAssembly.Module | null = null;

function compileModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(
    encodeModule(
      {
        forwardRelu: forwardFunction(true, false),
        forwardReluDropout: forwardFunction(true, true),
        forwardDropout: forwardFunction(false, true),
        backwardRelu: backwardFunction(true, false),
        backwardReluDropout: backwardFunction(true, true),
        backwardDropout: backwardFunction(false, true),
      },
      { pages: 1, maxPages: 65536 },
    ),
  );
  return compiled;
}

type Kernel = (...args: number[]) => void;

interface Exports {
  memory: WebAssembly.Memory;
  forwardRelu: Kernel;
  forwardReluDropout: Kernel;
  forwardDropout: Kernel;
  backwardRelu: Kernel;
  backwardReluDropout: Kernel;
  backwardDropout: Kernel;
}

/** A block's [batch × units] buffers, aliased as `Mlp` keeps them. */
export interface BlockBuffers {
  z: Float32Array;
  /** The activation input: batch norm's output, or `z` itself. */
  normalised: Float32Array;
  activated: Float32Array;
  mask: Uint8Array;
  /** Dropout's output, or `activated` itself. */
  dropped: Float32Array;
  grad: Float32Array;
}

/** The step's hash inputs of a training forward's dropout mask. */
export interface DropoutHash {
  seed: number;
  step: number;
  layer: number;
}

export class WasmHiddenBlock {
  readonly buffers: BlockBuffers;
  readonly #exports: Exports;
  /** Byte addresses of the buffers the kernels read and write. */
  readonly #at: {
    normalised: number;
    activated: number;
    mask: number;
    dropped: number;
    grad: number;
  };
  readonly #activation: Activation;
  readonly #dropout: number;

  /** Buffers of `size` elements for a hidden block of `spec`, in a fresh instance. */
  constructor(size: number, spec: LayerSpec) {
    if (spec.activation !== "relu" && !(spec.dropout > 0)) {
      throw new Error(
        `WasmHiddenBlock has nothing to do for "${spec.activation}" without dropout`,
      );
    }
    this.#exports = new WebAssembly.Instance(compileModule()).exports as unknown as Exports;
    this.#activation = spec.activation;
    this.#dropout = spec.dropout;
    const floats = Math.ceil(size / 16) * 16;
    let next = 0;
    const take = (bytes: number) => (next += bytes) - bytes;
    const z = take(4 * floats);
    const normalised = spec.batchNorm ? take(4 * floats) : z;
    const activated = take(4 * floats);
    const dropped = spec.dropout > 0 ? take(4 * floats) : activated;
    const grad = take(4 * floats);
    const mask = take(spec.dropout > 0 ? floats : 0);
    const memory = this.#exports.memory;
    const pages = Math.ceil(next / PAGE_BYTES) - memory.buffer.byteLength / PAGE_BYTES;
    if (pages > 0) memory.grow(pages);
    // One view per place, so aliased buffers are the same array, as the model's are.
    const views = new Map<number, Float32Array>();
    const view = (at: number) => {
      if (!views.has(at)) views.set(at, new Float32Array(memory.buffer, at, size));
      return views.get(at)!;
    };
    this.#at = { normalised, activated, mask, dropped, grad };
    this.buffers = {
      z: view(z),
      normalised: view(normalised),
      activated: view(activated),
      mask: new Uint8Array(memory.buffer, mask, spec.dropout > 0 ? size : 0),
      dropped: view(dropped),
      grad: view(grad),
    };
  }

  /**
   * activated = f(normalised) over the first `count` elements; with `hash`, also dropout's mask
   * (drawn from it) and dropped, as `dropoutMask` and `dropoutForward` compute them.
   */
  forward(count: number, hash: DropoutHash | null): void {
    const at = this.#at;
    const relu = this.#activation === "relu";
    if (!relu) {
      const { normalised, activated } = this.buffers;
      activationForward(this.#activation, normalised, activated, count);
    }
    if (hash === null) {
      if (relu) this.#exports.forwardRelu(at.normalised, at.activated, 0, 0, count, 0, 0, 0);
      return;
    }
    let key = lowbias32(hash.seed >>> 0);
    key = lowbias32((key ^ hash.step) >>> 0);
    key = lowbias32((key ^ hash.layer) >>> 0);
    const threshold = Math.ceil(this.#dropout * 16777216) - 1;
    const scale = dropoutScale(this.#dropout);
    const kernel = relu ? this.#exports.forwardReluDropout : this.#exports.forwardDropout;
    kernel(at.normalised, at.activated, at.mask, at.dropped, count, key | 0, threshold, scale);
  }

  /** grad ← grad·mask/(1 − p) (with dropout) · f′(normalised), over `count` elements. */
  backward(count: number): void {
    const at = this.#at;
    const relu = this.#activation === "relu";
    const scale = this.#dropout > 0 ? dropoutScale(this.#dropout) : 0;
    const exports = this.#exports;
    if (this.#dropout > 0) {
      const kernel = relu ? exports.backwardReluDropout : exports.backwardDropout;
      kernel(at.normalised, at.mask, at.grad, count, scale);
    } else if (relu) exports.backwardRelu(at.normalised, 0, at.grad, count, 0);
    if (!relu) {
      const { normalised, activated, grad } = this.buffers;
      activationBackward(this.#activation, normalised, activated, grad, grad, count);
    }
  }
}

/**
 * A block's kernels and buffers where they do something (relu, or any activation with dropout),
 * else null: the reference's loops over buffers of the model's own.
 */
export function hiddenBlock(size: number, spec: LayerSpec): WasmHiddenBlock | null {
  return spec.activation === "relu" || spec.dropout > 0 ? new WasmHiddenBlock(size, spec) : null;
}
