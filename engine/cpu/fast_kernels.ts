/**
 * What the fast CPU backend (`fast_backend.ts`) swaps into the reference's session: a
 * {@linkcode Gemm} for the Linear products, and an optimizer factory whose Adam and AdamW run in
 * WebAssembly SIMD (`wasm_adam.ts`; in a profile of the default model on OpenBLAS the reference
 * Adam took as long as all the products). SGD and RMSprop stay the reference's.
 *
 * @module
 */

import type { OptimizerSpec } from "../spec.ts";
import type { Gemm } from "./gemm.ts";
import { createOptimizer, type Optimizer } from "./optim/optimizer.ts";
import { WasmAdamOptimizer } from "./wasm_adam.ts";

export interface FastKernels {
  readonly gemm: Gemm;
  createOptimizer(spec: OptimizerSpec, sizes: number[]): Optimizer;
}

export function fastKernels(gemm: Gemm): FastKernels {
  return { gemm, createOptimizer: fastOptimizer };
}

/** The optimizer for `spec` over parameters of these sizes, in WebAssembly where there is one. */
export function fastOptimizer(spec: OptimizerSpec, sizes: number[]): Optimizer {
  if (spec.type === "adam" || spec.type === "adamw") return new WasmAdamOptimizer(spec, sizes);
  return createOptimizer(spec, sizes);
}
