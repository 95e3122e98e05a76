/**
 * {@linkcode Gemm} in WebAssembly SIMD, for machines without OpenBLAS: the fast CPU path's
 * portable floor. The GotoBLAS scheme (Goto & van de Geijn, "Anatomy of high-performance matrix
 * multiplication", ACM TOMS 34(3), 2008) reduced to what 128-bit SIMD and a JIT's register
 * allocator can hold:
 *
 * - both operands are copied into the module's memory and packed: A into panels of
 *   {@linkcode ROWS} rows interleaved along k, B into panels of {@linkcode COLUMNS} columns, so
 *   the inner loop reads two contiguous streams whatever the transposes were;
 * - a micro-kernel keeps a ROWS×COLUMNS block of C in registers (ROWS × COLUMNS/4 f32x4
 *   accumulators) and, per k, broadcasts each A value once and multiplies it into COLUMNS/4
 *   vectors of B;
 * - rows go in blocks of {@linkcode ROW_BLOCK}, so an A block stays in L2 while every B panel
 *   passes over it, and a B panel (k × COLUMNS floats) stays in L1 across the block.
 *
 * Edges are padded: m up to a multiple of ROWS and n of COLUMNS by repeating the last row or
 * column, whose extra results are computed and never copied out. The multiply-add is relaxed
 * SIMD's `f32x4.relaxed_madd` (one FMA instruction on x86-64 with FMA3, 15–25% faster than a
 * multiply and an add measured here) where the runtime validates it, else the two instructions;
 * either way each sum is f32, as in BLAS and the GPU kernels.
 *
 * @module
 */

import { assertGemmOperands, type Gemm, type GemmShape } from "./gemm.ts";
import { encodeModule, FunctionWriter } from "./wasm_encoder.ts";

/**
 * Rows of the C block a micro-kernel holds. 4×8 ran fastest here of 2×16, 3×12, 4×8, 4×12, 5×8
 * and 6×8: larger blocks spill the 15 vector registers V8 allocates on x86-64.
 */
export const ROWS = 4;
/** Columns of that block: VECTORS f32x4 per row. */
const VECTORS = 2;
export const COLUMNS = 4 * VECTORS;
/** Rows of A per L2 block. */
const ROW_BLOCK = 64;
const PAGE_BYTES = 65536;
/** 2 GiB, so that addresses compare correctly as signed i32. */
const MAX_PAGES = 32768;

/**
 * pack(src, rowStride, colStride, rows, depth, rowsPadded, out): copies a rows×depth matrix
 * read with the given strides (in floats) into panels of `width` rows interleaved along depth,
 * out[r0·depth + p·width + w] = src[min(r0 + w, rows − 1), p], rows padded to `rowsPadded`.
 * Walks each source row along depth, so the usual layouts (A not transposed, B transposed)
 * read memory in order.
 */
function packFunction(width: number): FunctionWriter {
  const f = new FunctionWriter([
    ["src", "i32"],
    ["rowStride", "i32"],
    ["colStride", "i32"],
    ["rows", "i32"],
    ["depth", "i32"],
    ["rowsPadded", "i32"],
    ["out", "i32"],
  ]);
  f.local("i32", "r0", "w", "p", "row", "last", "from", "to", "step", "panel");
  f.get("rows").i32(1).sub().set("last");
  f.get("colStride").i32(4).mul().set("step");
  f.get("depth").i32(4 * width).mul().set("panel");
  f.loopWhile("r0", "rowsPadded", width, () => {
    f.i32(0).set("w");
    f.loopWhile("w", width, 1, () => {
      // row = min(r0 + w, last); from = src + row·rowStride·4; to = out + w·4
      f.get("r0").get("w").add().set("row");
      f.get("row").get("last").get("row").get("last").lessThan().select().set("row");
      f.get("src").get("row").get("rowStride").mul().i32(4).mul().add().set("from");
      f.get("out").get("w").i32(4).mul().add().set("to");
      f.i32(0).set("p");
      f.loopWhile("p", "depth", 1, () => {
        f.get("to").get("from").f32Load().f32Store();
        f.increment("from", "step");
        f.increment("to", 4 * width);
      });
    });
    f.increment("out", "panel");
  });
  return f;
}

/**
 * kernel(aPacked, bPacked, c, bias, mPadded, nPadded, k): C = A·B + bias, C nPadded wide; with
 * `fused`, each multiply-add is one relaxed_madd.
 */
function kernelFunction(fused: boolean): FunctionWriter {
  const f = new FunctionWriter([
    ["aPacked", "i32"],
    ["bPacked", "i32"],
    ["c", "i32"],
    ["bias", "i32"],
    ["mPadded", "i32"],
    ["nPadded", "i32"],
    ["k", "i32"],
  ]);
  const acc = (r: number, v: number) => `c${r}_${v}`;
  f.local("i32", "i0", "iEnd", "j0", "i", "pa", "paEnd", "pb", "out", "biasAt");
  for (let r = 0; r < ROWS; r++) for (let v = 0; v < VECTORS; v++) f.local("v128", acc(r, v));
  f.local("v128", "a");
  for (let v = 0; v < VECTORS; v++) f.local("v128", `b${v}`);
  f.loopWhile("i0", "mPadded", ROW_BLOCK, () => {
    // iEnd = min(i0 + ROW_BLOCK, mPadded)
    f.get("i0").i32(ROW_BLOCK).add().set("iEnd");
    f.get("iEnd").get("mPadded").get("iEnd").get("mPadded").lessThan().select().set("iEnd");
    f.i32(0).set("j0");
    f.loopWhile("j0", "nPadded", COLUMNS, () => {
      f.get("bias").get("j0").i32(4).mul().add().set("biasAt");
      f.get("i0").set("i");
      f.loopWhile("i", "iEnd", ROWS, () => {
        // pa = aPacked + i·k·4 (panel i/ROWS), pb = bPacked + j0·k·4 (panel j0/COLUMNS)
        f.get("aPacked").get("i").get("k").mul().i32(4).mul().add().set("pa");
        f.get("pa").get("k").i32(ROWS * 4).mul().add().set("paEnd");
        f.get("bPacked").get("j0").get("k").mul().i32(4).mul().add().set("pb");
        for (let r = 0; r < ROWS; r++) {
          for (let v = 0; v < VECTORS; v++) f.get("biasAt").v128Load(16 * v).set(acc(r, v));
        }
        f.loopWhile("pa", "paEnd", ROWS * 4, () => {
          for (let v = 0; v < VECTORS; v++) f.get("pb").v128Load(16 * v).set(`b${v}`);
          for (let r = 0; r < ROWS; r++) {
            f.get("pa").v128Load32Splat(4 * r).set("a");
            for (let v = 0; v < VECTORS; v++) {
              if (fused) f.get("a").get(`b${v}`).get(acc(r, v)).f32x4RelaxedMadd();
              else f.get(acc(r, v)).get("a").get(`b${v}`).f32x4Mul().f32x4Add();
              f.set(acc(r, v));
            }
          }
          f.increment("pb", COLUMNS * 4);
        });
        // out = c + (i·nPadded + j0)·4, then one row of the block per nPadded·4 bytes
        f.get("c").get("i").get("nPadded").mul().get("j0").add().i32(4).mul().add().set("out");
        for (let r = 0; r < ROWS; r++) {
          for (let v = 0; v < VECTORS; v++) f.get("out").get(acc(r, v)).v128Store(16 * v);
          f.get("out").get("nPadded").i32(4).mul().add().set("out");
        }
      });
    });
  });
  return f;
}

/** Rounds `value` up to a multiple of `step`. */
function roundUp(value: number, step: number): number {
  return Math.ceil(value / step) * step;
}

interface Exports {
  memory: WebAssembly.Memory;
  packA(...args: number[]): void;
  packB(...args: number[]): void;
  kernel(...args: number[]): void;
}

function encodeGemmModule(fused: boolean): Uint8Array<ArrayBuffer> {
  return encodeModule(
    { packA: packFunction(ROWS), packB: packFunction(COLUMNS), kernel: kernelFunction(fused) },
    { pages: 1, maxPages: MAX_PAGES },
  );
}

/** The module, compiled once per thread: with relaxed FMA where the runtime validates it. */
let compiled: { module: WebAssembly.Module; fused: boolean } | null = null;

function compileGemmModule(): { module: WebAssembly.Module; fused: boolean } {
  if (compiled) return compiled;
  const fusedBytes = encodeGemmModule(true);
  const fused = WebAssembly.validate(fusedBytes);
  const module = new WebAssembly.Module(fused ? fusedBytes : encodeGemmModule(false));
  return compiled = { module, fused };
}

/**
 * Bytes of WebAssembly memory a product of this shape grows the kernel's memory to: A and B as
 * given, their packed copies, the padded result and bias, in whole 64 KiB pages. The memory
 * never shrinks, so a session holds its largest product's.
 */
export function wasmProductBytes(m: number, n: number, k: number): number {
  const floats = roundUp(m * k, 4) + roundUp(k * n, 4) + roundUp(m, ROWS) * k +
    roundUp(n, COLUMNS) * k + roundUp(m, ROWS) * roundUp(n, COLUMNS) + roundUp(n, COLUMNS);
  return Math.max(1, Math.ceil((floats * 4) / PAGE_BYTES)) * PAGE_BYTES;
}

export class WasmGemm implements Gemm {
  readonly description: string;
  readonly #exports: Exports;

  constructor() {
    const { module, fused } = compileGemmModule();
    this.description = `WebAssembly SIMD${fused ? " (relaxed FMA)" : ""}`;
    const instance = new WebAssembly.Instance(module);
    this.#exports = instance.exports as unknown as Exports;
  }

  multiply(
    shape: GemmShape,
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    bias?: Float32Array,
  ): void {
    assertGemmOperands(shape, a, b, c, bias);
    const { m, n, k, transA, transB } = shape;
    if (m === 0 || n === 0) return;
    if (k === 0) {
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) c[i * n + j] = bias ? bias[j] : 0;
      }
      return;
    }
    const mPadded = roundUp(m, ROWS);
    const nPadded = roundUp(n, COLUMNS);
    // Float offsets into the memory, each 16-byte aligned (`wasmProductBytes` counts them).
    const aRaw = 0;
    const bRaw = aRaw + roundUp(m * k, 4);
    const aPacked = bRaw + roundUp(k * n, 4);
    const bPacked = aPacked + mPadded * k;
    const cOut = bPacked + nPadded * k;
    const biasAt = cOut + mPadded * nPadded;
    const floats = this.#reserve(biasAt + nPadded);
    floats.set(a.subarray(0, m * k), aRaw);
    floats.set(b.subarray(0, k * n), bRaw);
    if (bias) floats.set(bias.subarray(0, n), biasAt);
    floats.fill(0, bias ? biasAt + n : biasAt, biasAt + nPadded);
    const x = this.#exports;
    // op(A)[i, p] is a[i·k + p], or a[p·m + i] when transposed; op(B)[p, j] is b[p·n + j], or
    // b[j·k + p]: pack takes (row, depth) strides with rows i of A and columns j of B.
    x.packA(aRaw * 4, transA ? 1 : k, transA ? m : 1, m, k, mPadded, aPacked * 4);
    x.packB(bRaw * 4, transB ? k : 1, transB ? 1 : n, n, k, nPadded, bPacked * 4);
    x.kernel(aPacked * 4, bPacked * 4, cOut * 4, biasAt * 4, mPadded, nPadded, k);
    if (n === nPadded) {
      c.set(floats.subarray(cOut, cOut + m * n));
    } else {
      for (let i = 0; i < m; i++) {
        c.set(floats.subarray(cOut + i * nPadded, cOut + i * nPadded + n), i * n);
      }
    }
  }

  /** Bytes of WebAssembly memory this kernel holds now (its largest product's so far). */
  get bytes(): number {
    return this.#exports.memory.buffer.byteLength;
  }

  /** The memory as floats, grown to at least `floats` of them. */
  #reserve(floats: number): Float32Array {
    const memory = this.#exports.memory;
    const needed = Math.ceil((floats * 4) / PAGE_BYTES);
    if (needed > MAX_PAGES) {
      throw new RangeError(
        `A product needing ${floats * 4} bytes exceeds the WebAssembly kernel's 2 GiB; ` +
          `use a smaller batch or install OpenBLAS`,
      );
    }
    const pages = memory.buffer.byteLength / PAGE_BYTES;
    if (needed > pages) memory.grow(needed - pages);
    return new Float32Array(memory.buffer);
  }
}
