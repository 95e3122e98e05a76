/**
 * The multilayer perceptron of the contract: hidden blocks Linear → BatchNorm1d (when on) →
 * activation → Dropout, then an output Linear producing logits. Parameters and buffers carry
 * the names of the equivalent PyTorch module (`hidden.0.linear.weight`, `hidden.0.norm.bias`,
 * `hidden.0.norm.running_mean`, `output.weight`, …), in `state_dict` order.
 *
 * Activations are kept in per-layer buffers sized for the largest batch seen, so a training step
 * allocates nothing beyond batch norm's small per-feature sums.
 *
 * The Linear products run on the reference loops of `linear.ts` unless a {@linkcode Gemm} is
 * given (the fast path, `linear_gemm.ts`); everything else is the same code either way.
 *
 * @module
 */

import type { NamedTensor } from "../backend.ts";
import type { Rng } from "../random.ts";
import type { InitScheme, LayerSpec } from "../spec.ts";
import { activationBackward, activationForward } from "./activations.ts";
import {
  batchNormBackward,
  batchNormEvalForward,
  type BatchNormState,
  batchNormTrainForward,
  createBatchNormState,
} from "./batch_norm.ts";
import { dropoutBackward, dropoutForward, dropoutMask } from "./dropout.ts";
import type { Gemm } from "./gemm.ts";
import { initLinear } from "./init.ts";
import { linearBackward, linearForward, linearScratchSize } from "./linear.ts";
import { biasGradient, gemmLinearBackward, gemmLinearForward } from "./linear_gemm.ts";
import type { SparseInputLayer } from "./sparse_input.ts";
import type { WasmHiddenBlock } from "./wasm_hidden_block.ts";

export interface MlpShape {
  features: number;
  layers: LayerSpec[];
  /** Output units, `outputUnits(loss, classes)`. */
  outputs: number;
}

/**
 * Where a training forward's dropout masks come from: the hash of (seed, global step, layer,
 * element) as in training, or explicit 0/1 masks per hidden layer (null where dropout is 0).
 */
export type DropoutSource = { seed: number; step: number } | { masks: (Uint8Array | null)[] };

export type ForwardMode = { training: false } | { training: true; dropout: DropoutSource };

/** A Linear layer's parameters with their gradients, W [out × in]. */
interface Dense {
  inFeatures: number;
  outFeatures: number;
  weight: Float32Array;
  bias: Float32Array;
  dWeight: Float32Array;
  dBias: Float32Array;
}

interface Block {
  spec: LayerSpec;
  linear: Dense;
  norm: { state: BatchNormState; dGamma: Float32Array; dBeta: Float32Array } | null;
  /** [batch × units] buffers, grown with the batch: */
  z: Float32Array; // linear output
  normalised: Float32Array; // activation input: the batch-norm output, or `z` itself
  xHat: Float32Array;
  invStd: Float32Array;
  activated: Float32Array;
  mask: Uint8Array;
  dropped: Float32Array; // dropout output, or `activated` itself
  grad: Float32Array; // ∂loss/∂(block output), then reused in place down the block
  /** The block's input of the last forward (a view, not a copy). */
  input: Float32Array;
  /** WebAssembly dropout (and ReLU) holding the buffers above; null: the reference loops. */
  fused: WasmHiddenBlock | null;
}

const EMPTY = new Float32Array(0);

/** Where a model keeps its parameters and their gradients (`WasmAdamOptimizer.storage`). */
export interface ParameterStorage {
  /** The next parameter's place and its gradient's, `length` values each, zero-filled. */
  take(length: number): { data: Float32Array; grad: Float32Array };
}

/** Lengths of the parameter tensors of a model of `shape`, in `named_parameters()` order. */
export function parameterSizes(shape: MlpShape): number[] {
  const sizes: number[] = [];
  let inFeatures = shape.features;
  for (const layer of shape.layers) {
    sizes.push(inFeatures * layer.units, layer.units);
    if (layer.batchNorm) sizes.push(layer.units, layer.units);
    inFeatures = layer.units;
  }
  sizes.push(inFeatures * shape.outputs, shape.outputs);
  return sizes;
}

export class Mlp {
  /** Learnable tensors in torch's `named_parameters()` order. */
  readonly parameters: NamedTensor[] = [];
  /** Gradients, parallel to {@linkcode parameters}. */
  readonly gradients: Float32Array[] = [];
  /** Batch-norm running statistics and counters, in `state_dict` order. */
  readonly buffers: NamedTensor[] = [];
  readonly #blocks: Block[] = [];
  readonly #output: Dense;
  #logits = new Float32Array(0);
  /** The output layer's input of the last forward. */
  #lastHidden: Float32Array = EMPTY;
  #scratch = new Float32Array(0);
  #capacity = 0;
  #batch = 0;
  #trained = false;

  /**
   * `gemm` computes the Linear products; without one, the reference loops do. `storage` gives
   * every parameter tensor and gradient its place (all of them, in order, or none).
   * `sparseInput`, with a `gemm`, computes the first hidden layer's products from the inputs
   * that differ from the background value whenever few enough do (`sparse_input.ts`).
   */
  constructor(
    readonly shape: MlpShape,
    init: InitScheme,
    rng: Rng,
    readonly gemm: Gemm | null = null,
    readonly storage: ParameterStorage | null = null,
    readonly sparseInput: SparseInputLayer | null = null,
    readonly hiddenBlock: ((size: number, spec: LayerSpec) => WasmHiddenBlock | null) | null = null,
  ) {
    let inFeatures = shape.features;
    shape.layers.forEach((spec, l) => {
      const prefix = `hidden.${l}`;
      const linear = this.#dense(`${prefix}.linear`, inFeatures, spec.units, init, rng);
      let norm: Block["norm"] = null;
      if (spec.batchNorm) {
        const state = createBatchNormState(spec.units);
        const gamma = this.#parameter(`${prefix}.norm.weight`, [spec.units], state.gamma);
        const beta = this.#parameter(`${prefix}.norm.bias`, [spec.units], state.beta);
        state.gamma = gamma.data;
        state.beta = beta.data;
        norm = { state, dGamma: gamma.grad, dBeta: beta.grad };
        this.buffers.push(
          { name: `${prefix}.norm.running_mean`, shape: [spec.units], data: state.runningMean },
          { name: `${prefix}.norm.running_var`, shape: [spec.units], data: state.runningVar },
          { name: `${prefix}.norm.num_batches_tracked`, shape: [], data: state.numBatchesTracked },
        );
      }
      this.#blocks.push({
        spec,
        linear,
        norm,
        z: EMPTY,
        normalised: EMPTY,
        xHat: EMPTY,
        invStd: new Float32Array(spec.units),
        activated: EMPTY,
        mask: new Uint8Array(0),
        dropped: EMPTY,
        grad: EMPTY,
        input: EMPTY,
        fused: null,
      });
      inFeatures = spec.units;
    });
    this.#output = this.#dense("output", inFeatures, shape.outputs, init, rng);
  }

  /**
   * Registers a parameter tensor with `initial`'s values, kept in `storage`'s place where there is
   * one (else `initial` itself); returns it and its gradient, which the model must use.
   */
  #parameter(
    name: string,
    shape: number[],
    initial: Float32Array,
  ): { data: Float32Array; grad: Float32Array } {
    const slot = this.storage?.take(initial.length);
    slot?.data.set(initial);
    const data = slot?.data ?? initial;
    const grad = slot?.grad ?? new Float32Array(initial.length);
    this.parameters.push({ name, shape, data });
    this.gradients.push(grad);
    return { data, grad };
  }

  /** A Linear layer named `prefix`, initialised per `init`. */
  #dense(
    prefix: string,
    inFeatures: number,
    outFeatures: number,
    init: InitScheme,
    rng: Rng,
  ): Dense {
    const weight = new Float32Array(outFeatures * inFeatures);
    const bias = new Float32Array(outFeatures);
    initLinear(init, weight, bias, inFeatures, outFeatures, rng);
    const w = this.#parameter(`${prefix}.weight`, [outFeatures, inFeatures], weight);
    const b = this.#parameter(`${prefix}.bias`, [outFeatures], bias);
    return {
      inFeatures,
      outFeatures,
      weight: w.data,
      bias: b.data,
      dWeight: w.grad,
      dBias: b.grad,
    };
  }

  /** Bytes of parameters, gradients, buffers and activation workspace. */
  get bytesAllocated(): number {
    let bytes = this.#logits.byteLength + this.#scratch.byteLength;
    for (const t of [...this.parameters, ...this.buffers]) bytes += t.data.byteLength;
    for (const g of this.gradients) bytes += g.byteLength;
    for (const b of this.#blocks) {
      for (
        const buffer of new Set([b.z, b.normalised, b.xHat, b.activated, b.mask, b.dropped, b.grad])
      ) {
        bytes += buffer.byteLength;
      }
    }
    return bytes;
  }

  /** Grows the activation buffers to hold `batch` rows. */
  #reserve(batch: number): void {
    if (batch <= this.#capacity) return;
    const out = this.#output;
    let scratch = linearScratchSize(batch, out.inFeatures, out.outFeatures);
    for (const b of this.#blocks) {
      const size = batch * b.spec.units;
      b.fused = this.hiddenBlock?.(size, b.spec) ?? null;
      if (b.fused) Object.assign(b, b.fused.buffers);
      else {
        b.z = new Float32Array(size);
        b.normalised = b.norm ? new Float32Array(size) : b.z;
        b.activated = new Float32Array(size);
        b.mask = new Uint8Array(b.spec.dropout > 0 ? size : 0);
        b.dropped = b.spec.dropout > 0 ? new Float32Array(size) : b.activated;
        b.grad = new Float32Array(size);
      }
      b.xHat = b.norm ? new Float32Array(size) : EMPTY;
      scratch = Math.max(scratch, linearScratchSize(batch, b.linear.inFeatures, b.spec.units));
    }
    // Only the reference kernels need scratch for their transposes.
    this.#scratch = new Float32Array(this.gemm === null ? scratch : 0);
    this.#logits = new Float32Array(batch * out.outFeatures);
    this.#capacity = batch;
  }

  /**
   * Logits [batch × outputs] of `input` [batch × features] (a view into a reused buffer, valid
   * until the next forward). Training mode uses batch statistics (updating the running ones) and
   * dropout, and keeps what {@linkcode backward} needs. `inputOffset` is the value most inputs
   * take (the normalised background pixel), which the first layer's sparse kernel skips.
   */
  forward(input: Float32Array, batch: number, mode: ForwardMode, inputOffset = 0): Float32Array {
    this.#reserve(batch);
    this.#batch = batch;
    this.#trained = mode.training;
    let x = input;
    let offset = inputOffset;
    this.#blocks.forEach((b, l) => {
      const size = batch * b.spec.units;
      b.input = x;
      const z = b.z.subarray(0, size);
      const sparse = l === 0 && this.gemm !== null && this.sparseInput !== null &&
        this.sparseInput.forward(
          x,
          b.linear.weight,
          b.linear.bias,
          { batch, inFeatures: b.linear.inFeatures, outFeatures: b.linear.outFeatures },
          offset,
          z,
          mode.training,
        );
      if (!sparse) this.#linearForward(b.linear, x, z, offset);
      offset = 0;
      const normalised = b.normalised.subarray(0, size);
      if (b.norm !== null && mode.training) {
        const saved = { xHat: b.xHat.subarray(0, size), invStd: b.invStd };
        batchNormTrainForward(z, batch, b.spec.units, b.norm.state, normalised, saved);
      } else if (b.norm !== null) {
        batchNormEvalForward(z, batch, b.spec.units, b.norm.state, normalised);
      }
      const activated = b.activated.subarray(0, size);
      const source = mode.training && b.spec.dropout > 0 ? mode.dropout : null;
      // The fused kernels draw hashed masks; replayed ones go through the reference's dropout.
      const hashed = source && "seed" in source ? { ...source, layer: l } : null;
      if (b.fused) b.fused.forward(size, hashed);
      else activationForward(b.spec.activation, normalised, activated);
      x = activated;
      if (source) {
        const mask = b.mask.subarray(0, size);
        x = b.dropped.subarray(0, size);
        if (!b.fused || !hashed) {
          if ("masks" in source) mask.set(source.masks[l]!.subarray(0, size));
          else dropoutMask(b.spec.dropout, source.seed, source.step, l, mask);
          dropoutForward(activated, mask, b.spec.dropout, x);
        }
      }
    });
    const out = this.#output;
    const logits = this.#logits.subarray(0, batch * out.outFeatures);
    this.#linearForward(out, x, logits, offset);
    this.#lastHidden = x;
    return logits;
  }

  /**
   * Hidden layer `l`'s activation input (batch norm's output when on, else the Linear output)
   * and activation output (before dropout) in the last forward: [batch × units] views, valid
   * until the next forward.
   */
  hiddenValues(l: number): { preActivation: Float32Array; activation: Float32Array } {
    const b = this.#blocks[l];
    const size = this.#batch * b.spec.units;
    return {
      preActivation: b.normalised.subarray(0, size),
      activation: b.activated.subarray(0, size),
    };
  }

  /** Fills {@linkcode gradients} from ∂loss/∂logits of the last (training) forward. */
  backward(dLogits: Float32Array): void {
    if (!this.#trained) throw new Error("Mlp.backward() needs a training-mode forward first");
    const batch = this.#batch;
    const blocks = this.#blocks;
    this.#linearBackward(this.#output, this.#lastHidden, dLogits, blocks.at(-1));
    for (let l = blocks.length - 1; l >= 0; l--) {
      const b = blocks[l];
      const size = batch * b.spec.units;
      const d = b.grad.subarray(0, size);
      if (b.fused) b.fused.backward(size);
      else {
        if (b.spec.dropout > 0) dropoutBackward(d, b.mask.subarray(0, size), b.spec.dropout, d);
        const normalised = b.normalised.subarray(0, size);
        activationBackward(b.spec.activation, normalised, b.activated.subarray(0, size), d, d);
      }
      if (b.norm !== null) {
        const { state, dGamma, dBeta } = b.norm;
        const saved = { xHat: b.xHat.subarray(0, size), invStd: b.invStd };
        batchNormBackward(d, saved, state.gamma, batch, b.spec.units, d, dGamma, dBeta);
      }
      this.#linearBackward(b.linear, b.input, d, blocks[l - 1]);
    }
  }

  /** y = x·Wᵀ + b for the current batch; `offset` is the input value the sparse kernel skips. */
  #linearForward(dense: Dense, x: Float32Array, y: Float32Array, offset: number): void {
    const { weight, bias, inFeatures, outFeatures } = dense;
    if (this.gemm !== null) {
      const shape = { batch: this.#batch, inFeatures, outFeatures };
      gemmLinearForward(this.gemm, x, weight, bias, shape, y);
      return;
    }
    linearForward(x, weight, bias, this.#batch, inFeatures, outFeatures, y, this.#scratch, offset);
  }

  /** Backward of one Linear layer, sending dX into the block below (none for the first). */
  #linearBackward(dense: Dense, x: Float32Array, dY: Float32Array, below?: Block): void {
    const batch = this.#batch;
    const dX = below ? below.grad.subarray(0, batch * below.spec.units) : null;
    const grads = { dWeight: dense.dWeight, dBias: dense.dBias, dX };
    if (below === undefined && this.sparseInput?.trained && dense === this.#blocks[0]?.linear) {
      biasGradient(dY, batch, dense.outFeatures, dense.dBias);
      this.sparseInput.backward(dY, dense.dBias, dense.dWeight);
      return;
    }
    if (this.gemm !== null) {
      const { inFeatures, outFeatures } = dense;
      const shape = { batch, inFeatures, outFeatures };
      gemmLinearBackward(this.gemm, x, dense.weight, dY, shape, grads);
      return;
    }
    linearBackward(
      x,
      dense.weight,
      dY,
      batch,
      dense.inFeatures,
      dense.outFeatures,
      grads,
      this.#scratch,
    );
  }
}
