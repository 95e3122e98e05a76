/**
 * What a run will take in memory, estimated from its config and its data's shape before any of
 * it is allocated, so that a run the host or the GPU cannot hold is refused at the door (see
 * `config/admission.ts`) instead of exhausting memory in the middle of training. The estimate
 * errs high: it counts what the CPU reference holds (`cpu/mlp.ts`: per hidden layer seven
 * activation-sized buffers), what the fast CPU backend holds beside it (WebAssembly memory for
 * its products, its optimizer's staging and places, its gather's bytes, `kernels`) and the
 * dataset twice (as loaded, and split).
 *
 * @module
 */

import { SparseInputLayer } from "./cpu/sparse_input.ts";
import { wasmProductBytes } from "./cpu/wasm_gemm.ts";
import { layerStatsEnabled } from "./layer_stats.ts";
import { effectiveBatch } from "./select_backend.ts";
import { outputUnits, type RunConfig } from "./spec.ts";

/** The data a run trains on, as far as it is known before loading. */
export interface DataShape {
  features: number;
  classes: number;
  /** Examples loaded (training pool and official test set). */
  rows: number;
  /** Training rows after `trainSize` and the split. */
  trainRows: number;
  /** Bytes per feature value: 1 for pixels, 4 for CSV's f32. */
  bytesPerValue: 1 | 4;
}

export interface MemoryEstimate {
  parameters: number;
  bytes: {
    /**
     * Parameters and their gradients (and batch norm's running statistics), and with early
     * stopping three more copies of parameters and statistics (two epochs' and the best), and
     * with layer statistics the hidden weights at the epoch's start.
     */
    model: number;
    optimizer: number;
    activations: number;
    /**
     * The fast CPU backend's WebAssembly memory: its largest product's operands, packed copies
     * and result (the WebAssembly kernel's; OpenBLAS's own buffers are per process), the
     * optimizer's staging of its largest tensor and gradient, the gather's raw rows, and each
     * memory's last partly used page.
     */
    kernels: number;
    data: number;
    total: number;
  };
  /** The largest single buffer the GPU would need: a binding must hold it whole. */
  largestBuffer: { what: string; bytes: number };
}

const F32 = 4;
/** A WebAssembly memory grows in pages of 64 KiB. */
const PAGE_BYTES = 65536;
/** Rows the CPU reference evaluates at once (`cpu/session.ts`). */
const EVAL_CHUNK = 1024;
/** Activation-sized buffers per hidden layer: z, normalised, x̂, activated, mask, dropped, grad. */
const BUFFERS_PER_LAYER = 7;

/**
 * Optimizer state tensors per parameter, as torch.optim keeps them, and the momentum buffer even
 * without momentum: the fast backend's WebAssembly SGD and RMSprop keep its place in case a
 * scheduler (OneCycleLR) starts one, as torch would create it then.
 */
function stateCopies(config: RunConfig): number {
  const o = config.optimizer;
  switch (o.type) {
    case "sgd":
      return 1;
    case "rmsprop":
      return 2 + (o.centered ? 1 : 0);
    case "adam":
    case "adamw":
      return 2 + (o.amsgrad ? 1 : 0);
  }
}

export function estimateMemory(config: RunConfig, data: DataShape): MemoryEstimate {
  const widths = [
    data.features,
    ...config.model.layers.map((layer) => layer.units),
    outputUnits(config.loss, data.classes),
  ];
  let parameters = 0;
  let normStats = 0;
  let hiddenWeights = 0;
  let largestWeights = { what: "", bytes: 0 };
  for (let i = 1; i < widths.length; i++) {
    const weights = widths[i - 1] * widths[i];
    parameters += weights + widths[i];
    if (i < widths.length - 1) hiddenWeights += weights;
    if (weights * F32 > largestWeights.bytes) {
      const what = `layer ${i}'s weights (${widths[i - 1]}×${widths[i]})`;
      largestWeights = { what, bytes: weights * F32 };
    }
    const layer = config.model.layers[i - 1];
    if (layer?.batchNorm) {
      parameters += 2 * layer.units;
      normStats += 2 * layer.units;
    }
  }
  const batch = Math.max(1, Math.min(effectiveBatch(config.batch, data.trainRows), data.trainRows));
  const rowsAtOnce = Math.max(batch, Math.min(EVAL_CHUNK, data.rows));
  const hiddenUnits = config.model.layers.reduce((sum, l) => sum + l.units, 0);
  const widest = Math.max(...widths.slice(1));
  const activations = rowsAtOnce * F32 *
    (BUFFERS_PER_LAYER * hiddenUnits + 2 * widths.at(-1)! + data.features);
  const dataBytes = 2 * data.rows * (data.features * data.bytesPerValue + 1);
  const kept = config.earlyStopping ? 3 * (parameters + normStats) : 0;
  const startCopy = layerStatsEnabled(config) ? hiddenWeights : 0;
  const model = (2 * parameters + normStats + kept + startCopy) * F32;
  const optimizer = stateCopies(config) * parameters * F32;
  const largestTensor = Math.max(...widths.slice(1).map((width, i) => widths[i] * width));
  // The gather's raw rows; a partly used page for it and each hidden block's memory.
  const gatherBytes = rowsAtOnce * data.features + PAGE_BYTES;
  const blockPages = config.model.layers.length * PAGE_BYTES;
  const kernels = productBytes(widths, rowsAtOnce) + optimizerStagingBytes(largestTensor) +
    gatherBytes + blockPages +
    (widths.length > 2 ? SparseInputLayer.bytesFor(rowsAtOnce, widths[0], widths[1]) : 0);
  const trainInputs = data.trainRows * data.features * data.bytesPerValue;
  const candidates = [
    largestWeights,
    {
      what: `the training inputs (${data.trainRows} rows of ${data.features})`,
      bytes: trainInputs,
    },
    {
      what: `a layer's activations (${rowsAtOnce} rows of ${widest})`,
      bytes: rowsAtOnce * widest * F32,
    },
  ];
  return {
    parameters,
    bytes: {
      model,
      optimizer,
      activations,
      kernels,
      data: dataBytes,
      total: model + optimizer + activations + kernels + dataBytes,
    },
    largestBuffer: candidates.reduce((a, b) => b.bytes > a.bytes ? b : a),
  };
}

/** The WebAssembly product kernel's memory at its largest: forward, dW and dX of every layer. */
function productBytes(widths: number[], rows: number): number {
  let largest = 0;
  for (let i = 1; i < widths.length; i++) {
    const [inputs, outputs] = [widths[i - 1], widths[i]];
    largest = Math.max(
      largest,
      wasmProductBytes(rows, outputs, inputs),
      wasmProductBytes(outputs, inputs, rows),
      wasmProductBytes(rows, inputs, outputs),
    );
  }
  return largest;
}

/**
 * A WebAssembly optimizer's staging of its largest parameter tensor and gradient, and its last
 * partly used page (`cpu/wasm_adam.ts`, `cpu/wasm_tensor_memory.ts`).
 */
export function optimizerStagingBytes(largestTensor: number): number {
  return 2 * largestTensor * F32 + PAGE_BYTES;
}
