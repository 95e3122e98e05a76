/**
 * Everything a session keeps on the GPU, allocated once: the three splits (inputs as u8 pixels
 * packed four to a word, or f32; labels as u32), the batch orders, flat parameters, gradients,
 * optimizer state and batch-norm buffers, per-layer activations sized for the larger of a
 * training batch and an evaluation chunk, metric slots, and the per-step uniform arrays.
 *
 * @module
 */

import type { SplitName } from "../backend.ts";
import type { Examples, PreparedData } from "../data/dataset.ts";
import { ROW_METRICS_BYTES } from "../kernels/loss.ts";
import { EPOCH_STATUS_BYTES } from "../kernels/metrics_reduce.ts";
import { BufferSet } from "./buffer_set.ts";
import type { GpuContext } from "./gpu_context.ts";
import type { ModelLayout } from "./model_layout.ts";
import { STEP_PARAMS_BYTES } from "./step_params.ts";

export interface SplitOnGpu {
  count: number;
  source: GPUBuffer;
  labels: GPUBuffer;
}

export interface LayerBuffers {
  /** Z [rows × units], the linear output. */
  preActivation: GPUBuffer;
  /** Batch norm's output y [rows × units] (the activation's input), when on. */
  normalized: GPUBuffer | null;
  /** Batch mean and 1/√(σ² + ε) per unit, when batch norm is on. */
  batchStats: GPUBuffer | null;
  /** A [rows × units], after activation and dropout. */
  activation: GPUBuffer;
  /** Gradient at the activation's input [batch × units]. */
  gradY: GPUBuffer;
  /** Gradient at Z: gradY itself without batch norm. */
  gradZ: GPUBuffer;
}

/** A uniform array of per-step scalars and the bind group that addresses it by dynamic offset. */
export interface StepArray {
  buffer: GPUBuffer;
  group: GPUBindGroup;
  slots: number;
}

export interface SessionBuffers {
  set: BufferSet;
  splits: Record<SplitName, SplitOnGpu>;
  /** The current epoch's permutation of the train rows. */
  trainOrder: GPUBuffer;
  /** 0, 1, 2, … for evaluating a whole split in order. */
  identityOrder: GPUBuffer;
  /** Rows asked for by predict(), one chunk at a time. */
  predictOrder: GPUBuffer;
  params: GPUBuffer;
  grads: GPUBuffer;
  optimizerState: GPUBuffer;
  /** Batch-norm running statistics and counters. */
  running: GPUBuffer;
  layers: LayerBuffers[];
  logits: GPUBuffer;
  gradLogits: GPUBuffer;
  rowMetrics: GPUBuffer;
  /** The epoch status record (shaders/epoch_status.wgsl). */
  totals: GPUBuffer;
  confusion: GPUBuffer;
  /**
   * Scratch shared by the split products and the gradient norm's partial sums (each finishes
   * before the next).
   */
  partials: GPUBuffer;
  trainSteps: StepArray;
  evalSteps: Record<SplitName, StepArray>;
  predictSteps: StepArray;
}

export interface BufferPlan {
  layout: ModelLayout;
  data: PreparedData;
  classes: number;
  trainRows: number;
  evalRows: number;
  stepsPerEpoch: number;
  optimizerStateSections: number;
  /** Words of split-K scratch (Programs.partialWords). */
  partialWords: number;
  /** Evaluation step slots of each split, written once. */
  evalSteps: Record<SplitName, ArrayBuffer>;
}

const SPLITS: readonly SplitName[] = ["train", "dev", "test"];

/** What a session needs to size its largest buffers, known before any weight is drawn. */
export interface SizePlan {
  data: PreparedData;
  /** Floats of all parameters, and units of each hidden layer. */
  paramCount: number;
  hiddenUnits: number[];
  outputs: number;
  rows: number;
  optimizerStateSections: number;
}

/**
 * Refuses a session whose buffers would not fit the device's binding limits, with a message
 * naming the buffer, before anything is allocated on the host or the GPU.
 */
export function assertSessionFits(context: GpuContext, plan: SizePlan): void {
  const { data, paramCount, rows } = plan;
  for (const split of SPLITS) {
    context.assertFits(`The ${split} split's inputs`, data[split].inputs.byteLength);
  }
  context.assertFits("The model's parameters", paramCount * 4);
  context.assertFits("The optimizer state", plan.optimizerStateSections * paramCount * 4);
  plan.hiddenUnits.forEach((units, l) => {
    context.assertFits(`Hidden layer ${l}'s activations for ${rows} rows`, rows * units * 4);
  });
  context.assertFits(`The outputs for ${rows} rows`, rows * plan.outputs * 4);
}

export function allocateSessionBuffers(context: GpuContext, plan: BufferPlan): SessionBuffers {
  const set = new BufferSet(context);
  try {
    return allocate(set, plan);
  } catch (error) {
    set.destroyAll();
    throw error;
  }
}

function allocate(set: BufferSet, plan: BufferPlan): SessionBuffers {
  const { layout, data, trainRows, evalRows } = plan;
  const rows = Math.max(trainRows, evalRows);
  const floats = (label: string, count: number) => set.storage(label, count * 4);
  const splits = {} as Record<SplitName, SplitOnGpu>;
  for (const split of SPLITS) splits[split] = uploadSplit(set, split, data[split]);
  const maxCount = Math.max(...SPLITS.map((split) => data[split].count), 1);
  const layers = layout.hidden.map((layer, l): LayerBuffers => {
    const units = layer.spec.units;
    const norm = layer.norm !== null;
    const gradY = floats(`hidden.${l} gradY`, trainRows * units);
    return {
      preActivation: floats(`hidden.${l} z`, rows * units),
      normalized: norm ? floats(`hidden.${l} y`, rows * units) : null,
      batchStats: norm ? floats(`hidden.${l} batch stats`, 2 * units) : null,
      activation: floats(`hidden.${l} a`, rows * units),
      gradY,
      gradZ: norm ? floats(`hidden.${l} gradZ`, trainRows * units) : gradY,
    };
  });
  const evalSteps = {} as Record<SplitName, StepArray>;
  for (const split of SPLITS) {
    evalSteps[split] = stepArray(set, `${split} eval steps`, plan.evalSteps[split]);
  }
  const stride = set.context.stepStride;
  return {
    set,
    splits,
    trainOrder: set.storage("train order", data.train.count * 4),
    identityOrder: set.storageFrom(
      "identity order",
      Uint32Array.from({ length: maxCount }, (_, i) => i),
    ),
    predictOrder: set.storage("predict order", evalRows * 4),
    params: floats("params", layout.paramCount),
    grads: floats("grads", layout.paramCount),
    optimizerState: floats("optimizer state", plan.optimizerStateSections * layout.paramCount),
    running: floats("batch-norm buffers", layout.bufferCount),
    layers,
    logits: floats("logits", rows * layout.outputs),
    gradLogits: floats("grad logits", trainRows * layout.outputs),
    rowMetrics: set.storage("row metrics", rows * ROW_METRICS_BYTES),
    totals: set.storage("epoch status", EPOCH_STATUS_BYTES),
    confusion: set.storage("confusion", plan.classes * plan.classes * 4),
    partials: floats("split-K partials", plan.partialWords),
    trainSteps: stepArray(set, "train steps", new ArrayBuffer(plan.stepsPerEpoch * stride)),
    evalSteps,
    predictSteps: stepArray(set, "predict steps", new ArrayBuffer(stride)),
  };
}

function uploadSplit(set: BufferSet, split: SplitName, examples: Examples): SplitOnGpu {
  return {
    count: examples.count,
    source: set.storageFrom(`${split} inputs`, examples.inputs),
    labels: set.storageFrom(`${split} labels`, Uint32Array.from(examples.labels)),
  };
}

/** A uniform buffer holding `slots` (packed at the context's step stride). */
export function stepArray(set: BufferSet, label: string, slots: ArrayBuffer): StepArray {
  const context = set.context;
  const buffer = set.create(
    label,
    Math.max(slots.byteLength, context.stepStride),
    GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  );
  if (slots.byteLength > 0) context.device.queue.writeBuffer(buffer, 0, slots);
  const group = context.device.createBindGroup({
    label,
    layout: context.stepLayout,
    entries: [{ binding: 0, resource: { buffer, size: STEP_PARAMS_BYTES } }],
  });
  return { buffer, group, slots: slots.byteLength / context.stepStride };
}
