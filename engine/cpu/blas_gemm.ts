/**
 * {@linkcode Gemm} by OpenBLAS's `cblas_sgemm` through Deno's FFI: the fast CPU path where the
 * system has OpenBLAS (Debian: `libopenblas0-pthread`). OpenBLAS is maintained, picks its kernel
 * for the processor at load time (AVX2 FMA on Zen, AVX-512 on newer Xeons) and ran 55–58 GFLOP/s
 * on one core here against 20–26 for `wasm_gemm.ts`.
 *
 * Only OpenBLAS is taken: `libopenblas.so.0`, or `libblas.so.3` when Debian's alternatives point
 * it at OpenBLAS. The reference BLAS that `libblas.so.3` is by default (`libblas3`) ran 2–4
 * GFLOP/s here, slower than the TypeScript loops, so it is refused, as is any library that does
 * not say it is OpenBLAS.
 *
 * @module
 */

import { assertGemmOperands, type Gemm, type GemmShape } from "./gemm.ts";

/** Tried in order; see the module doc. */
export const BLAS_LIBRARIES = ["libopenblas.so.0", "libblas.so.3"] as const;

const SYMBOLS = {
  cblas_sgemm: {
    // order, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc
    parameters: [
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "f32",
      "buffer",
      "i32",
      "buffer",
      "i32",
      "f32",
      "buffer",
      "i32",
    ],
    result: "void",
  },
  openblas_get_config: { parameters: [], result: "pointer", optional: true },
  openblas_get_corename: { parameters: [], result: "pointer", optional: true },
  openblas_set_num_threads: { parameters: ["i32"], result: "void", optional: true },
  openblas_get_num_threads: { parameters: [], result: "i32", optional: true },
} as const;

type Library = Deno.DynamicLibrary<typeof SYMBOLS>;

/** CBLAS enum values (cblas.h). */
const ROW_MAJOR = 101;
const NO_TRANS = 111;
const TRANS = 112;

/** The library once opened in this thread, or why it could not be. */
let opened: { library: Library; name: string } | { reason: string } | null = null;

/** Opens OpenBLAS (once per thread), or says why not. */
function openLibrary(): { library: Library; name: string } | { reason: string } {
  if (opened) return opened;
  if (typeof Deno === "undefined" || typeof Deno.dlopen !== "function") {
    return opened = { reason: "This runtime has no FFI" };
  }
  // Asked first: without --allow-ffi an interactive terminal would otherwise prompt.
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") {
    return opened = { reason: "FFI is not permitted (run Deno with --allow-ffi)" };
  }
  const failures: string[] = [];
  for (const name of BLAS_LIBRARIES) {
    let library: Library;
    try {
      library = Deno.dlopen(name, SYMBOLS);
    } catch (error) {
      failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    if (library.symbols.openblas_get_config === null) {
      library.close();
      failures.push(`${name} is not OpenBLAS (the reference BLAS is slower than the fallback)`);
      continue;
    }
    return opened = { library, name };
  }
  return opened = { reason: `No OpenBLAS found: ${failures.join("; ")}` };
}

function cString(pointer: Deno.PointerValue): string {
  return pointer === null ? "" : new Deno.UnsafePointerView(pointer).getCString();
}

export class BlasGemm implements Gemm {
  readonly description: string;
  readonly #sgemm: Library["symbols"]["cblas_sgemm"];

  private constructor(library: Library, threads: number | null) {
    const symbols = library.symbols;
    if (threads !== null) symbols.openblas_set_num_threads?.(threads);
    const version = /OpenBLAS \S+/.exec(cString(symbols.openblas_get_config!()))?.[0] ??
      "OpenBLAS";
    const core = cString(symbols.openblas_get_corename?.() ?? null);
    const running = symbols.openblas_get_num_threads?.() ?? threads ?? "?";
    this.description = `${version} (${core ? `${core}, ` : ""}${running} thread` +
      `${running === 1 ? "" : "s"})`;
    this.#sgemm = symbols.cblas_sgemm;
  }

  /**
   * OpenBLAS set to `threads` threads (process-wide: OpenBLAS has one thread pool; null keeps
   * its own count), or the reason it cannot be had here: no FFI permission, no library, or a
   * library that is not OpenBLAS.
   */
  static open(threads: number | null): BlasGemm | { reason: string } {
    if (threads !== null && !(Number.isInteger(threads) && threads >= 1)) {
      throw new RangeError(`OpenBLAS threads must be a positive integer, got ${threads}`);
    }
    const library = openLibrary();
    return "reason" in library ? library : new BlasGemm(library.library, threads);
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
    // BLAS computes C = A·B + beta·C: the bias goes into C first, with beta 1.
    if (bias) { for (let i = 0; i < m; i++) c.set(bias.subarray(0, n), i * n); }
    else if (k === 0) c.fill(0, 0, m * n);
    if (k === 0) return;
    this.#sgemm(
      ROW_MAJOR,
      transA ? TRANS : NO_TRANS,
      transB ? TRANS : NO_TRANS,
      m,
      n,
      k,
      1,
      a,
      transA ? m : k,
      b,
      transB ? k : n,
      bias ? 1 : 0,
      c,
      n,
    );
  }
}
