/**
 * The two WebAssembly SIMD kernels behind the sparse first layer (`sparse_input.ts`):
 *
 * - `spmm`: out[r, :] = base[:] + Σ_e vals[e] · dense[idx[e], :] over the entries e of row r of
 *   a compressed sparse matrix (CSR, or CSC read as the transpose's CSR), every row of `out` and
 *   `dense` n floats wide. Each row is done in slices of the output held in registers: 48
 *   columns (12 f32x4 accumulators, what V8's 15 vector registers on x86-64 hold with the
 *   broadcast value and a load), then 16, then 4, then one at a time. Per kept entry a slice
 *   costs one load and one multiply-add per vector, so the time follows the entries kept, not
 *   the dense size.
 * - `transpose`: dst[c·rows + r] = src[r·cols + c], four source rows at a time so that each
 *   store fills 16 contiguous bytes.
 *
 * Addresses are bytes into the module's memory; `idx` entries are byte offsets of dense rows
 * (k · n · 4), and `rowStart` holds byte offsets into `idx` and `vals`, so the loops add and never
 * multiply. Sums are f32, as in BLAS; the multiply-add is relaxed SIMD's where the runtime has it.
 *
 * @module
 */

import { encodeModule, FunctionWriter } from "./wasm_encoder.ts";

const PAGE_BYTES = 65536;
/** 2 GiB, so that addresses compare correctly as signed i32. */
const MAX_PAGES = 32768;

/** Output columns per slice, in f32x4 vectors: wide, then narrower for what is left of a row. */
const SLICES = [12, 4, 1] as const;

/** spmm(rowStart, rows, idx, vals, dense, n, out, base), as the module doc says. */
function spmmFunction(fused: boolean): FunctionWriter {
  const f = new FunctionWriter([
    ["rowStart", "i32"],
    ["rows", "i32"],
    ["idx", "i32"],
    ["vals", "i32"],
    ["dense", "i32"],
    ["n", "i32"],
    ["out", "i32"],
    ["base", "i32"],
  ]);
  const widest = SLICES[0];
  f.local("i32", "r", "e", "eEnd", "j", "limit", "rowBytes", "outRow", "p", "rowAt");
  for (let v = 0; v < widest; v++) f.local("v128", `acc${v}`);
  f.local("v128", "value");
  f.local("f32", "sum");
  f.get("n").i32(4).mul().set("rowBytes");
  // Slices outermost, so that the dense slice (in × 48 floats of Wᵀ: 150 KB for 784 inputs)
  // stays in L2 while every row passes over it; rows first ran 2.5x slower here, streaming the
  // whole of Wᵀ from L3 once per row.
  const rowsOfSlice = (body: () => void) => {
    f.i32(0).set("r");
    f.loopWhile("r", "rows", 1, () => {
      // e, eEnd: this row's entries (byte offsets into idx and vals)
      f.get("rowStart").get("r").i32(4).mul().add().i32Load().set("e");
      f.get("rowStart").get("r").i32(4).mul().add().i32Load(4).set("eEnd");
      f.get("out").get("r").get("rowBytes").mul().add().set("outRow");
      body();
    });
  };
  for (const vectors of SLICES) {
    // j (bytes) runs while a whole slice fits: j < (n − 4·vectors + 1)·4
    f.get("rowBytes").i32(16 * vectors - 4).sub().set("limit");
    f.loopWhile("j", "limit", 16 * vectors, () =>
      rowsOfSlice(() => {
        for (let v = 0; v < vectors; v++) {
          f.get("base").get("j").add().v128Load(16 * v).set(`acc${v}`);
        }
        f.get("e").set("p");
        f.loopWhile("p", "eEnd", 4, () => {
          f.get("vals").get("p").add().v128Load32Splat().set("value");
          // rowAt = dense + idx[p] + j: this entry's dense row, at the slice
          f.get("dense").get("idx").get("p").add().i32Load().add().get("j").add().set("rowAt");
          for (let v = 0; v < vectors; v++) {
            f.get("value").get("rowAt").v128Load(16 * v);
            if (fused) f.get(`acc${v}`).f32x4RelaxedMadd();
            else f.f32x4Mul().get(`acc${v}`).f32x4Add();
            f.set(`acc${v}`);
          }
        });
        for (let v = 0; v < vectors; v++) {
          f.get("outRow").get("j").add().get(`acc${v}`).v128Store(16 * v);
        }
      }));
  }
  // The last n mod 4 columns, one at a time.
  f.loopWhile("j", "rowBytes", 4, () =>
    rowsOfSlice(() => {
      f.get("base").get("j").add().f32Load().set("sum");
      f.get("e").set("p");
      f.loopWhile("p", "eEnd", 4, () => {
        f.get("vals").get("p").add().f32Load();
        f.get("dense").get("idx").get("p").add().i32Load().add().get("j").add().f32Load();
        f.f32Mul().get("sum").f32Add().set("sum");
      });
      f.get("outRow").get("j").add().get("sum").f32Store();
    }));
  return f;
}

/** transpose(src, rows, cols, dst): dst[cols×rows] = src[rows×cols]ᵀ. */
function transposeFunction(): FunctionWriter {
  const f = new FunctionWriter([
    ["src", "i32"],
    ["rows", "i32"],
    ["cols", "i32"],
    ["dst", "i32"],
  ]);
  f.local("i32", "r", "c", "rows4", "s0", "s1", "s2", "s3", "d", "colBytes", "rowBytes");
  f.get("cols").i32(4).mul().set("colBytes");
  f.get("rows").i32(4).mul().set("rowBytes");
  // rows4 = rows − rows mod 4
  f.get("rows").i32(-4).and().set("rows4");
  f.loopWhile("r", "rows4", 4, () => {
    f.get("src").get("r").get("colBytes").mul().add().set("s0");
    f.get("s0").get("colBytes").add().set("s1");
    f.get("s1").get("colBytes").add().set("s2");
    f.get("s2").get("colBytes").add().set("s3");
    f.get("dst").get("r").i32(4).mul().add().set("d");
    f.i32(0).set("c");
    f.loopWhile("c", "cols", 1, () => {
      ["s0", "s1", "s2", "s3"].forEach((s, i) => {
        f.get("d").get(s).f32Load().f32Store(4 * i);
        f.increment(s, 4);
      });
      f.increment("d", "rowBytes");
    });
  });
  f.loopWhile("r", "rows", 1, () => {
    f.get("src").get("r").get("colBytes").mul().add().set("s0");
    f.get("dst").get("r").i32(4).mul().add().set("d");
    f.i32(0).set("c");
    f.loopWhile("c", "cols", 1, () => {
      f.get("d").get("s0").f32Load().f32Store();
      f.increment("s0", 4);
      f.increment("d", "rowBytes");
    });
  });
  return f;
}

export interface SparseExports {
  memory: WebAssembly.Memory;
  spmm(
    rowStart: number,
    rows: number,
    idx: number,
    vals: number,
    dense: number,
    n: number,
    out: number,
    base: number,
  ): void;
  transpose(src: number, rows: number, cols: number, dst: number): void;
}

function encodeSparseModule(fused: boolean): Uint8Array<ArrayBuffer> {
  return encodeModule(
    { spmm: spmmFunction(fused), transpose: transposeFunction() },
    { pages: 1, maxPages: MAX_PAGES },
  );
}

/** The module, compiled once per thread: with relaxed FMA where the runtime validates it. */
let compiled: WebAssembly.Module | null = null;

/** A fresh instance of the kernels, with its own memory (one per session). */
export function instantiateSparseKernels(): SparseExports {
  if (compiled === null) {
    const fusedBytes = encodeSparseModule(true);
    compiled = new WebAssembly.Module(
      WebAssembly.validate(fusedBytes) ? fusedBytes : encodeSparseModule(false),
    );
  }
  return new WebAssembly.Instance(compiled).exports as unknown as SparseExports;
}

/** Grows `memory` to hold at least `bytes`; throws past the 2 GiB WebAssembly may address. */
export function reserveBytes(memory: WebAssembly.Memory, bytes: number): void {
  const needed = Math.ceil(bytes / PAGE_BYTES);
  if (needed > MAX_PAGES) {
    throw new RangeError(
      `The sparse first layer needs ${bytes} bytes, more than WebAssembly's 2 GiB; ` +
        `use a smaller batch`,
    );
  }
  const pages = memory.buffer.byteLength / PAGE_BYTES;
  if (needed > pages) memory.grow(needed - pages);
}
