/**
 * The first Linear layer's two products on sparse inputs, for the fast CPU backend: most of an
 * MNIST image is background (about 80% of the pixels), and after the input transform every
 * background pixel takes the same value o (−1 with the default normalisation), so
 *
 * - forward  y = x·Wᵀ + b = (x − o)·Wᵀ + (b + o·Σ_k W[:, k])
 * - weight gradient  dW = dYᵀ·x = dYᵀ·(x − o) + o·db ⊗ 1   (db = Σ_batch dY, the bias gradient)
 *
 * with x − o zero wherever the pixel is background. The reference (`linear.ts`) skips those
 * entries too; here the kept ones go to WebAssembly SIMD kernels (`wasm_sparse.ts`) as a
 * compressed row list (forward) and column list (weight gradient), and the products cost time in
 * proportion to the pixels kept: about a fifth of the dense products OpenBLAS computes, for two
 * transposes of W per step. Where the inputs are dense (Fashion-MNIST, most tables), more than
 * {@linkcode SPARSE_INPUT_LIMIT} of the batch's entries kept, the layer says so and the caller
 * runs the dense products instead.
 *
 * The first layer needs no input gradient, so these two are all it computes. Sums are f32, in
 * another order than BLAS's: the results agree with the reference's within the fast path's
 * tolerances (`sparse_input_test.ts`, tests/cpu_fast_parity_test.ts).
 *
 * @module
 */

import { instantiateSparseKernels, reserveBytes, type SparseExports } from "./wasm_sparse.ts";

/**
 * Above this fraction of kept entries the dense products are faster: measured on the default
 * model's first layer (bench/cpu_kernels_bench.ts), the sparse kernels matched OpenBLAS on one
 * thread at about half density.
 */
export const SPARSE_INPUT_LIMIT = 0.4;

/** Where each array sits in the module's memory, in bytes (16-byte aligned). */
interface Layout {
  /** W [out×in] copied in, then dW [out×in] on its way out. */
  weight: number;
  /** Wᵀ [in×out], then dWᵀ. */
  transposed: number;
  /** y [batch×out] (forward), dY [batch×out] (backward). */
  rows: number;
  /** The forward's base row b + o·Σ_k W[:, k], then the backward's o·db. */
  base: number;
  /** The bias row (forward). */
  bias: number;
  /** A row list with one entry per input column, value o: base = bias + o·(1·Wᵀ). */
  onesStart: number;
  onesIdx: number;
  onesVals: number;
  /** The batch's kept entries by row (forward) and by column (weight gradient). */
  rowStart: number;
  rowIdx: number;
  rowVals: number;
  colStart: number;
  colIdx: number;
  colVals: number;
  end: number;
}

export class SparseInputLayer {
  readonly #kernels: SparseExports = instantiateSparseKernels();
  #layout: Layout | null = null;
  #shape = { batch: 0, inFeatures: 0, outFeatures: 0 };
  /** The largest batch the layout has room for. */
  #capacity = 0;
  /** The offset of the last training forward that ran sparse, which backward needs. */
  #trainedOffset: number | null = null;
  /** Per entry of the last training forward: its input column. */
  #entryColumn = new Int32Array(0);
  #columnCount = new Int32Array(0);

  /** Bytes of WebAssembly memory the layer holds now (its largest batch's so far). */
  get bytes(): number {
    return this.#kernels.memory.buffer.byteLength;
  }

  /**
   * y[batch×out] = x·Wᵀ + b when x[batch×in] keeps at most {@linkcode SPARSE_INPUT_LIMIT} of its
   * entries different from `offset`; returns false (nothing written) otherwise. A training
   * forward also keeps what {@linkcode backward} needs.
   */
  forward(
    x: Float32Array,
    weight: Float32Array,
    bias: Float32Array,
    shape: { batch: number; inFeatures: number; outFeatures: number },
    offset: number,
    y: Float32Array,
    training: boolean,
  ): boolean {
    this.#trainedOffset = null;
    const { batch, inFeatures, outFeatures } = shape;
    const layout = this.#reserve(batch, inFeatures, outFeatures);
    if (!this.#compress(x, batch, inFeatures, outFeatures, offset, layout, training)) return false;
    const k = this.#kernels;
    const memory = k.memory.buffer;
    new Float32Array(memory, layout.weight, outFeatures * inFeatures).set(
      weight.subarray(0, outFeatures * inFeatures),
    );
    k.transpose(layout.weight, outFeatures, inFeatures, layout.transposed);
    new Float32Array(memory, layout.bias, outFeatures).set(bias.subarray(0, outFeatures));
    if (offset === 0) {
      new Float32Array(memory, layout.base, outFeatures).set(bias.subarray(0, outFeatures));
    } else {
      new Float32Array(memory, layout.onesVals, inFeatures).fill(offset);
      k.spmm(
        layout.onesStart,
        1,
        layout.onesIdx,
        layout.onesVals,
        layout.transposed,
        outFeatures,
        layout.base,
        layout.bias,
      );
    }
    k.spmm(
      layout.rowStart,
      batch,
      layout.rowIdx,
      layout.rowVals,
      layout.transposed,
      outFeatures,
      layout.rows,
      layout.base,
    );
    y.set(new Float32Array(memory, layout.rows, batch * outFeatures));
    if (training) this.#trainedOffset = offset;
    return true;
  }

  /** True when the last forward was a training forward that ran here. */
  get trained(): boolean {
    return this.#trainedOffset !== null;
  }

  /**
   * dWeight[out×in] = dYᵀ·x for the x of the last training {@linkcode forward}, given dY
   * [batch×out] and the bias gradient db = Σ_batch dY.
   */
  backward(dY: Float32Array, dBias: Float32Array, dWeight: Float32Array): void {
    const offset = this.#trainedOffset;
    const layout = this.#layout;
    if (offset === null || layout === null) {
      throw new Error("SparseInputLayer.backward() needs a training forward that ran sparse");
    }
    const { batch, inFeatures, outFeatures } = this.#shape;
    const k = this.#kernels;
    const memory = k.memory.buffer;
    new Float32Array(memory, layout.rows, batch * outFeatures).set(
      dY.subarray(0, batch * outFeatures),
    );
    const base = new Float32Array(memory, layout.base, outFeatures);
    for (let o = 0; o < outFeatures; o++) base[o] = offset * dBias[o];
    k.spmm(
      layout.colStart,
      inFeatures,
      layout.colIdx,
      layout.colVals,
      layout.rows,
      outFeatures,
      layout.transposed,
      layout.base,
    );
    k.transpose(layout.transposed, inFeatures, outFeatures, layout.weight);
    dWeight.set(new Float32Array(memory, layout.weight, outFeatures * inFeatures));
  }

  /**
   * Lists x's entries that differ from `offset` by row (and, in training, by column), with their
   * differences; false as soon as more than the limit are kept.
   */
  #compress(
    x: Float32Array,
    batch: number,
    inFeatures: number,
    outFeatures: number,
    offset: number,
    layout: Layout,
    training: boolean,
  ): boolean {
    const memory = this.#kernels.memory.buffer;
    const limit = Math.floor(SPARSE_INPUT_LIMIT * batch * inFeatures);
    const rowStart = new Int32Array(memory, layout.rowStart, batch + 1);
    const rowIdx = new Int32Array(memory, layout.rowIdx, limit);
    const rowVals = new Float32Array(memory, layout.rowVals, limit);
    const entryColumn = this.#entryColumn;
    const rowBytes = outFeatures * 4;
    let e = 0;
    for (let r = 0; r < batch; r++) {
      rowStart[r] = e * 4;
      const from = r * inFeatures;
      for (let c = 0; c < inFeatures; c++) {
        const value = x[from + c];
        if (value === offset) continue;
        if (e === limit) return false;
        rowIdx[e] = c * rowBytes;
        rowVals[e] = value - offset;
        entryColumn[e] = c;
        e++;
      }
    }
    rowStart[batch] = e * 4;
    if (!training) return true;
    // The same entries by column (a counting sort): dWᵀ[c, :] = Σ_r vals · dY[r, :].
    const counts = this.#columnCount.fill(0);
    for (let i = 0; i < e; i++) counts[entryColumn[i]]++;
    const colStart = new Int32Array(memory, layout.colStart, inFeatures + 1);
    let at = 0;
    for (let c = 0; c < inFeatures; c++) {
      colStart[c] = at * 4;
      const count = counts[c];
      counts[c] = at;
      at += count;
    }
    colStart[inFeatures] = at * 4;
    const colIdx = new Int32Array(memory, layout.colIdx, e);
    const colVals = new Float32Array(memory, layout.colVals, e);
    for (let r = 0; r < batch; r++) {
      const end = rowStart[r + 1] / 4;
      for (let i = rowStart[r] / 4; i < end; i++) {
        const slot = counts[entryColumn[i]]++;
        colIdx[slot] = r * rowBytes;
        colVals[slot] = rowVals[i];
      }
    }
    return true;
  }

  /** Lays out (and grows) the memory for this shape, keeping the largest batch's room. */
  #reserve(batch: number, inFeatures: number, outFeatures: number): Layout {
    const old = this.#shape;
    this.#shape = { batch, inFeatures, outFeatures };
    if (
      this.#layout !== null && this.#capacity >= batch && old.inFeatures === inFeatures &&
      old.outFeatures === outFeatures
    ) {
      return this.#layout;
    }
    const capacity = Math.max(batch, this.#layout === null ? 0 : this.#capacity);
    this.#capacity = capacity;
    const entries = Math.floor(SPARSE_INPUT_LIMIT * capacity * inFeatures);
    let at = 0;
    const take = (floats: number) => {
      const start = at;
      at += Math.ceil(floats / 4) * 16;
      return start;
    };
    const layout: Layout = {
      weight: take(outFeatures * inFeatures),
      transposed: take(outFeatures * inFeatures),
      rows: take(capacity * outFeatures),
      base: take(outFeatures),
      bias: take(outFeatures),
      onesStart: take(2),
      onesIdx: take(inFeatures),
      onesVals: take(inFeatures),
      rowStart: take(capacity + 1),
      rowIdx: take(entries),
      rowVals: take(entries),
      colStart: take(inFeatures + 1),
      colIdx: take(entries),
      colVals: take(entries),
      end: 0,
    };
    layout.end = at;
    reserveBytes(this.#kernels.memory, at);
    const memory = this.#kernels.memory.buffer;
    new Int32Array(memory, layout.onesStart, 2).set([0, inFeatures * 4]);
    const onesIdx = new Int32Array(memory, layout.onesIdx, inFeatures);
    for (let c = 0; c < inFeatures; c++) onesIdx[c] = c * outFeatures * 4;
    this.#entryColumn = new Int32Array(entries);
    this.#columnCount = new Int32Array(inFeatures);
    this.#layout = layout;
    return layout;
  }

  /**
   * Bytes a layer of this shape holds at this batch size, at most (the admission estimate): its
   * WebAssembly memory in whole pages, and the entries' columns kept beside it.
   */
  static bytesFor(batch: number, inFeatures: number, outFeatures: number): number {
    const entries = Math.floor(SPARSE_INPUT_LIMIT * batch * inFeatures);
    // The fourteen arrays of Layout, each rounded up to 16 bytes.
    const floats = 2 * outFeatures * inFeatures + batch * outFeatures + 2 * outFeatures +
      2 + 2 * inFeatures + (batch + 1) + (inFeatures + 1) + 4 * entries + 14 * 3;
    const pages = Math.max(1, Math.ceil((floats * 4) / 65536));
    return pages * 65536 + 4 * (entries + inFeatures);
  }
}
