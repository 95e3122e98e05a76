/**
 * The kernel shapes of one model (layer sizes, offsets into the flat parameters, batch-norm and
 * loss settings) as the kernel hosts take them, derived from the model layout and run config,
 * and the optimizer kernel the config names.
 *
 * @module
 */

import type { InputTransform } from "../data/dataset.ts";
import type { HiddenEpilogue } from "../kernels/activation.ts";
import { adamKernel } from "../kernels/adam.ts";
import { withHyper } from "../schedule/lr_scheduler.ts";
import type { BatchNormShape } from "../kernels/batch_norm_forward.ts";
import type { LayerSource } from "../kernels/layer_input.ts";
import type { LinearBackwardDataShape } from "../kernels/linear_backward_data.ts";
import type { LinearShape } from "../kernels/linear_forward.ts";
import type { LossShape } from "../kernels/loss.ts";
import type { OptimizerKernel } from "../kernels/optimizer_kernel.ts";
import { rmspropKernel } from "../kernels/rmsprop.ts";
import { sgdKernel } from "../kernels/sgd.ts";
import type { RunConfig } from "../spec.ts";
import { BATCH_NORM_EPS, BATCH_NORM_MOMENTUM } from "../cpu/batch_norm.ts";
import type { GpuContext } from "./gpu_context.ts";
import type { ModelLayout } from "./model_layout.ts";

/** Shapes the kernels are built for. */
export interface ProgramShape {
  layout: ModelLayout;
  config: RunConfig;
  classes: number;
  /** Rows of a training batch, and of an evaluation chunk. */
  trainRows: number;
  evalRows: number;
  /** How the first layer reads the dataset. */
  inputKind: "data_u8" | "data_f32";
  transform: InputTransform;
}

export function hiddenEpilogue(shape: ProgramShape, l: number): HiddenEpilogue {
  const spec = shape.layout.hidden[l].spec;
  return { activation: spec.activation, layer: l, dropout: spec.dropout };
}

/** Layer `l` (the output layer when l = hidden count) as a linear kernel shape. */
export function linearShape(shape: ProgramShape, l: number, maxRows: number): LinearShape {
  const { layout } = shape;
  const isOutput = l === layout.hidden.length;
  const layer = isOutput ? layout.output : layout.hidden[l];
  const source: LayerSource = l === 0
    ? { kind: shape.inputKind, transform: shape.transform }
    : { kind: "activations" };
  return {
    inFeatures: layer.inFeatures,
    outFeatures: isOutput ? layout.outputs : layout.hidden[l].spec.units,
    weightOffset: layer.weight,
    biasOffset: layer.bias,
    maxRows,
    source,
  };
}

/** Layer `l`'s dZ·W into hidden layer l − 1. */
export function backwardDataShape(shape: ProgramShape, l: number): LinearBackwardDataShape {
  const { layout } = shape;
  const isOutput = l === layout.hidden.length;
  const layer = isOutput ? layout.output : layout.hidden[l];
  return {
    inFeatures: layer.inFeatures,
    outFeatures: isOutput ? layout.outputs : layout.hidden[l].spec.units,
    weightOffset: layer.weight,
    maxRows: shape.trainRows,
    previous: hiddenEpilogue(shape, l - 1),
  };
}

export function normShape(shape: ProgramShape, l: number, maxRows: number): BatchNormShape {
  const layer = shape.layout.hidden[l];
  const norm = layer.norm!;
  return {
    units: layer.spec.units,
    maxRows,
    gammaOffset: norm.gamma,
    betaOffset: norm.beta,
    runningMeanOffset: norm.runningMean,
    runningVarOffset: norm.runningVar,
    batchesTrackedOffset: norm.batchesTracked,
    momentum: BATCH_NORM_MOMENTUM,
    eps: BATCH_NORM_EPS,
    epilogue: hiddenEpilogue(shape, l),
  };
}

export function lossShape(shape: ProgramShape, maxRows: number): LossShape {
  return {
    loss: shape.config.loss,
    classes: shape.classes,
    outputs: shape.layout.outputs,
    maxRows,
  };
}

export function optimizerKernel(
  context: GpuContext,
  config: RunConfig,
  params: number,
): Promise<OptimizerKernel> {
  // OneCycleLR's cycled momentum needs the momentum buffer whatever the optimizer's own μ.
  const scheduler = config.scheduler;
  const spec = scheduler?.type === "one_cycle" && scheduler.cycleMomentum
    ? withHyper(config.optimizer, { lr: scheduler.maxLr, momentum: scheduler.maxMomentum })
    : config.optimizer;
  switch (spec.type) {
    case "sgd":
      return sgdKernel(context, spec, config.regularization, params);
    case "rmsprop":
      return rmspropKernel(context, spec, config.regularization, params);
    case "adam":
    case "adamw":
      return adamKernel(context, spec, config.regularization, params);
  }
}
