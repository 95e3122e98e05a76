/**
 * The CPU backend that `device: "cpu"` (and `auto` without a usable GPU) trains on: the CPU
 * reference's session with its Linear products (about 95% of the arithmetic) on a fast
 * {@linkcode Gemm}: OpenBLAS where it loads (`blas_gemm.ts`), else WebAssembly SIMD
 * (`wasm_gemm.ts`), so a bare machine with only Deno still runs it; Adam and AdamW run in
 * WebAssembly SIMD too (`fast_kernels.ts`). The reference stays one environment variable away,
 * as the oracle the tests compare against:
 *
 * | `AJUSTE_CPU`   | Linear products                                                  |
 * | -------------- | ---------------------------------------------------------------- |
 * | unset, `fast`  | OpenBLAS if it loads, else WebAssembly SIMD                      |
 * | `blas`         | OpenBLAS, or an error saying why it did not load                 |
 * | `wasm`         | WebAssembly SIMD                                                 |
 * | `reference`    | the CPU reference (`CpuBackend`): `linear.ts`'s loops, `optim/`  |
 *
 * OpenBLAS runs {@linkcode DEFAULT_BLAS_THREADS} thread unless `OPENBLAS_NUM_THREADS` is set,
 * which OpenBLAS itself reads: on a quiet 2-core box a second thread changed one run's epoch
 * time by ×1.08 to ×0.72 (slower at batch 32; bench/README.md, "Threads", 2026-12-08), the rest of
 * a step runs on one thread, and a study's trials in parallel gain more from a core each.
 *
 * @module
 */

import type { Backend, TrainingSession } from "../backend.ts";
import { readEnv } from "../env.ts";
import type { PreparedData } from "../data/dataset.ts";
import type { RunConfig } from "../spec.ts";
import { BlasGemm } from "./blas_gemm.ts";
import { fastKernels } from "./fast_kernels.ts";
import type { Gemm } from "./gemm.ts";
import { CpuBackend, CpuSession } from "./session.ts";
import { WasmGemm } from "./wasm_gemm.ts";

export const CPU_KERNELS = ["fast", "blas", "wasm", "reference"] as const;
export type CpuKernels = typeof CPU_KERNELS[number];

/** OpenBLAS threads when `OPENBLAS_NUM_THREADS` does not say. */
export const DEFAULT_BLAS_THREADS = 1;

export class FastCpuBackend implements Backend {
  readonly kind = "cpu";

  /** `gemm` gives each session its product (a WebAssembly instance holds its own memory). */
  constructor(readonly gemm: () => Gemm, readonly description: string) {}

  createSession(config: RunConfig, data: PreparedData): Promise<TrainingSession> {
    // As CpuBackend: a constructor error (bad config for this data) becomes a rejection.
    return new Promise((resolve) =>
      resolve(new CpuSession(config, data, fastKernels(this.gemm())))
    );
  }
}

/** The backend for `kernels` (by default `AJUSTE_CPU`'s, else `fast`). */
export function openCpuBackend(kernels: CpuKernels = cpuKernelsFromEnv()): Backend {
  if (kernels === "reference") return new CpuBackend();
  if (kernels !== "wasm") {
    const blas = BlasGemm.open(blasThreadsFromEnv());
    if (blas instanceof BlasGemm) return new FastCpuBackend(() => blas, `CPU, ${blas.description}`);
    if (kernels === "blas") throw new Error(`CPU kernels "blas" need OpenBLAS: ${blas.reason}`);
  }
  return new FastCpuBackend(() => new WasmGemm(), `CPU, ${new WasmGemm().description}`);
}

/** `AJUSTE_CPU`'s choice; `fast` where it is unset or may not be read. */
export function cpuKernelsFromEnv(): CpuKernels {
  return parseCpuKernels(readEnv("AJUSTE_CPU"));
}

/** An `AJUSTE_CPU` value, checked; `fast` when unset or empty. */
export function parseCpuKernels(value: string | undefined): CpuKernels {
  if (value === undefined || value === "") return "fast";
  if ((CPU_KERNELS as readonly string[]).includes(value)) return value as CpuKernels;
  throw new Error(`AJUSTE_CPU must be one of ${CPU_KERNELS.join(", ")}, got "${value}"`);
}

/** Null (OpenBLAS keeps its own count) when `OPENBLAS_NUM_THREADS` is set. */
function blasThreadsFromEnv(): number | null {
  return readEnv("OPENBLAS_NUM_THREADS") ? null : DEFAULT_BLAS_THREADS;
}
