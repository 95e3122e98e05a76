/**
 * What the fast CPU backend (`fast_backend.ts`) swaps into the reference's session: a
 * {@linkcode Gemm} for the Linear products, and an optimizer factory whose optimizers run in
 * WebAssembly SIMD (`wasm_adam.ts`, `wasm_sgd.ts`, `wasm_rmsprop.ts`; in a profile of the default
 * model on OpenBLAS the reference Adam took as long as all the products, and at batch 32 the
 * reference RMSprop (2.2 ms a step) longer than them).
 *
 * @module
 */

import type { LayerSpec, OptimizerSpec } from "../spec.ts";
import type { Gemm } from "./gemm.ts";
import type { Optimizer } from "./optim/optimizer.ts";
import { SparseInputLayer } from "./sparse_input.ts";
import { WasmAdamOptimizer } from "./wasm_adam.ts";
import { WasmGather } from "./wasm_gather.ts";
import { WasmGemm } from "./wasm_gemm.ts";
import { hiddenBlock, type WasmHiddenBlock } from "./wasm_hidden_block.ts";
import { WasmRmspropOptimizer } from "./wasm_rmsprop.ts";
import { WasmSgdOptimizer } from "./wasm_sgd.ts";

export interface FastKernels {
  readonly gemm: Gemm;
  /**
   * The first hidden layer's sparse products (`sparse_input.ts`), for the WebAssembly products
   * only: there they took 0.6–0.8 of the dense ones' time on MNIST batches (bench/README.md),
   * while OpenBLAS's dense products ran as fast or faster than the sparse ones.
   */
  readonly sparseInput?: () => SparseInputLayer;
  /**
   * A hidden block's dropout, and ReLU fused with it, in WebAssembly SIMD over buffers in its
   * memory (`wasm_hidden_block.ts`); null where there is neither: the reference's loops took
   * about 1.5 ns an element for each of ReLU, mask and dropout, forward and backward.
   */
  readonly hiddenBlock?: (size: number, spec: LayerSpec) => WasmHiddenBlock | null;
  /**
   * The batch gather with the session's input buffer in its memory (`wasm_gather.ts`): the
   * reference's table lookup took 1.3 ns an element, this about 0.5.
   */
  readonly inputGather?: (capacity: number) => WasmGather;
  createOptimizer(spec: OptimizerSpec, sizes: number[]): Optimizer;
}

export function fastKernels(gemm: Gemm): FastKernels {
  const sparseInput = gemm instanceof WasmGemm ? () => new SparseInputLayer() : undefined;
  return {
    gemm,
    createOptimizer: fastOptimizer,
    ...(sparseInput ? { sparseInput } : {}),
    hiddenBlock,
    inputGather: (capacity) => new WasmGather(capacity),
  };
}

/** The optimizer for `spec` over parameters of these sizes, in WebAssembly. */
export function fastOptimizer(spec: OptimizerSpec, sizes: number[]): Optimizer {
  switch (spec.type) {
    case "sgd":
      return new WasmSgdOptimizer(spec, sizes);
    case "rmsprop":
      return new WasmRmspropOptimizer(spec, sizes);
    case "adam":
    case "adamw":
      return new WasmAdamOptimizer(spec, sizes);
  }
}
