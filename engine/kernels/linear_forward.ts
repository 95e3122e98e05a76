/**
 * Host of `shaders/linear_forward.wgsl`: Z = X·Wᵀ + b for one layer and batch, gathering X from
 * the dataset (first layer) or the previous activations, with the hidden layer's activation and
 * dropout fused in (`hidden`), or Z alone (`linear`: logits, or the input of batch norm).
 *
 * @module
 */

import type { GpuContext } from "../webgpu/gpu_context.ts";
import { epilogueConstants, type HiddenEpilogue } from "./activation.ts";
import { assertCapacity, assertInteger, type Dispatch, type KernelDefinition } from "./kernel.ts";
import { layerInputConstants, type LayerSource, sourceWords } from "./layer_input.ts";
import { blockGrid, isBlockKernel } from "./matmul_block.ts";
import { type MatmulTile, tileConstants, tileGrid, tileOf } from "./matmul_tile.ts";
import { compileMatmul, matmulDispatches, type MatmulKernels, unsplit } from "./split_k.ts";

const LIBRARIES = [
  "step_params",
  "matmul_tile",
  "layer_input",
  "activation",
  "dropout_rng",
  "hidden_epilogue",
];

/** Bindings: source, order, params, preActivation, partials (split-K), activation. */
const HIDDEN: KernelDefinition = {
  name: "linear_forward",
  libraries: LIBRARIES,
  entryPoint: "hidden",
  bindings: ["read", "read", "read", "read_write", "read_write", "read_write"],
  usesStep: true,
};

const LINEAR: KernelDefinition = {
  ...HIDDEN,
  entryPoint: "linear",
  bindings: HIDDEN.bindings.slice(0, 5),
};

/** Where matmul_tile kernels bind split-K's partials. */
const PARTIALS_AT = 4;

/** The same kernels on matmul_block, for CPU adapters (`shaders/linear_forward_block.wgsl`):
 * source, order, params, preActivation, activation. */
const BLOCK_HIDDEN: KernelDefinition = {
  ...HIDDEN,
  name: "linear_forward_block",
  libraries: [
    "step_params",
    "matmul_block",
    "layer_input_quad",
    "activation",
    "dropout_rng",
    "hidden_epilogue",
  ],
  bindings: ["read", "read", "read", "read_write", "read_write"],
};

const BLOCK_LINEAR: KernelDefinition = {
  ...BLOCK_HIDDEN,
  entryPoint: "linear",
  bindings: BLOCK_HIDDEN.bindings.slice(0, 4),
};

export interface LinearShape {
  inFeatures: number;
  outFeatures: number;
  /** Offsets (in floats) of W [out × in] and b [out] in the flat parameter buffer. */
  weightOffset: number;
  biasOffset: number;
  /** Most rows one step may have (the bound buffers' capacity). */
  maxRows: number;
  source: LayerSource;
  /** Tile to compile with; chosen from the shape when absent (tests pin each candidate). */
  tile?: MatmulTile;
  /** matmul_block instead of matmul_tile; the context's choice when absent. */
  blocks?: boolean;
  /** Shares of the depth (split_k.ts); the context's choice when absent. */
  splitK?: number;
}

export interface LinearForwardBuffers {
  /** Dataset inputs (u8 packed in words, or f32), or the previous layer's activations. */
  source: GPUBuffer;
  /** The batch order: dataset row of each batch row, from `step.first`. */
  order: GPUBuffer;
  params: GPUBuffer;
  /** Z [rows × out]. */
  preActivation: GPUBuffer;
  /** A [rows × out], for `hidden` only. */
  activation?: GPUBuffer;
  /** Rows in the dataset `source` holds (ignored for activations). */
  sourceRows: number;
  /** Split-K's scratch, when the kernel splits (MatmulKernels.partialWords). */
  partials?: GPUBuffer;
}

export function assertLinearShape(kernel: string, shape: LinearShape): void {
  assertInteger(`${kernel} inFeatures`, shape.inFeatures, 1);
  assertInteger(`${kernel} outFeatures`, shape.outFeatures, 1);
  assertInteger(`${kernel} maxRows`, shape.maxRows, 1);
  assertInteger(`${kernel} weightOffset`, shape.weightOffset, 0);
  assertInteger(`${kernel} biasOffset`, shape.biasOffset, 0);
}

/**
 * Compiles the forward kernel for `shape`; with `hidden`, the activation/dropout epilogue
 * (`training` enables dropout).
 */
export async function linearForwardKernel(
  context: GpuContext,
  shape: LinearShape,
  hidden: { epilogue: HiddenEpilogue; training: boolean } | null,
): Promise<MatmulKernels> {
  assertLinearShape("linear_forward", shape);
  const blocks = shape.blocks ?? context.matmulBlocks;
  const constants: Record<string, number> = {
    ...layerInputConstants(shape.source, shape.inFeatures),
    OUT_FEATURES: shape.outFeatures,
    WEIGHT_OFFSET: shape.weightOffset,
    BIAS_OFFSET: shape.biasOffset,
  };
  if (hidden) Object.assign(constants, epilogueConstants(hidden.epilogue, hidden.training));
  if (blocks) return unsplit(await context.kernel(hidden ? BLOCK_HIDDEN : BLOCK_LINEAR, constants));
  const tile = shape.tile ?? context.matmulTile(shape.maxRows, shape.outFeatures);
  const [x, y] = tileGrid(tile, shape.maxRows, shape.outFeatures);
  const splits = shape.splitK ?? context.matmulSplit(x * y, shape.inFeatures, tile.tileK);
  const definition = hidden ? HIDDEN : LINEAR;
  return await compileMatmul(
    context,
    definition,
    hidden ? "reduce_hidden" : "reduce_linear",
    { ...tileConstants(tile, true, true), ...constants },
    splits,
    { rows: shape.maxRows, cols: shape.outFeatures },
  );
}

/** Binds `kernels` (from {@linkcode linearForwardKernel} with `shape`) to its buffers. */
export function linearForwardDispatch(
  context: GpuContext,
  kernels: MatmulKernels,
  shape: LinearShape,
  buffers: LinearForwardBuffers,
): Dispatch[] {
  const name = "linear_forward";
  const { inFeatures, outFeatures, maxRows } = shape;
  const sourceRows = shape.source.kind === "activations" ? maxRows : buffers.sourceRows;
  assertCapacity(name, "source", buffers.source, sourceWords(shape.source, sourceRows, inFeatures));
  assertCapacity(name, "params", buffers.params, shape.biasOffset + outFeatures);
  assertCapacity(name, "params", buffers.params, shape.weightOffset + outFeatures * inFeatures);
  assertCapacity(name, "preActivation", buffers.preActivation, maxRows * outFeatures);
  const list = [buffers.source, buffers.order, buffers.params, buffers.preActivation];
  const kernel = kernels.matmul;
  if (kernel.definition.entryPoint === "hidden") {
    if (!buffers.activation) {
      throw new RangeError("Kernel linear_forward (hidden) needs an activation buffer");
    }
    assertCapacity(name, "activation", buffers.activation, maxRows * outFeatures);
    list.push(buffers.activation);
  }
  const tile = isBlockKernel(kernel) ? null : tileOf(kernel);
  return matmulDispatches(context, kernels, list, {
    partials: buffers.partials,
    partialsAt: tile ? PARTIALS_AT : null,
    maxRows,
    grid: (rows) => tile ? tileGrid(tile, rows, outFeatures) : blockGrid(rows, outFeatures),
    elements: (rows) => rows * outFeatures,
  });
}
