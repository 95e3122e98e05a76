/**
 * The kernels of one model, compiled once per session (shared through the context's cache), and
 * the dispatch lists the session encodes:
 * - a training step: forward (gather + Linear + [BatchNorm] + activation + dropout per hidden
 *   layer), the output layer, the loss with its gradient, the backward products with the
 *   activation derivative and dropout mask fused in, gradient clipping when asked for, and one
 *   optimizer dispatch;
 * - an evaluation chunk: the evaluation-mode forward and the loss with the confusion matrix;
 * - a prediction chunk: the evaluation-mode forward alone.
 *
 * @module
 */

import type { SplitName } from "../backend.ts";
import {
  batchNormBackwardDispatch,
  batchNormBackwardKernel,
} from "../kernels/batch_norm_backward.ts";
import { batchNormForwardDispatch, batchNormForwardKernel } from "../kernels/batch_norm_forward.ts";
import {
  gradClipDispatches,
  type GradClipKernels,
  gradClipKernels,
  NO_PENALTY,
} from "../kernels/grad_clip.ts";
import type { Dispatch, Kernel } from "../kernels/kernel.ts";
import {
  linearBackwardDataDispatch,
  linearBackwardDataKernel,
} from "../kernels/linear_backward_data.ts";
import {
  linearBackwardWeightDispatch,
  linearBackwardWeightKernel,
} from "../kernels/linear_backward_weight.ts";
import { linearForwardDispatch, linearForwardKernel } from "../kernels/linear_forward.ts";
import { lossDispatch, lossKernel } from "../kernels/loss.ts";
import { lossEvaluateDispatch, lossEvaluateKernel } from "../kernels/loss_evaluate.ts";
import { metricsReduceDispatch, metricsReduceKernel } from "../kernels/metrics_reduce.ts";
import { optimizerDispatch, type OptimizerKernel } from "../kernels/optimizer_kernel.ts";
import type { MatmulKernels } from "../kernels/split_k.ts";
import type { GpuContext } from "./gpu_context.ts";
import {
  backwardDataShape,
  hiddenEpilogue,
  linearShape,
  lossShape,
  normShape,
  optimizerKernel,
  type ProgramShape,
} from "./program_shapes.ts";
import type { SessionBuffers } from "./session_buffers.ts";

interface HiddenKernels {
  /** Linear (+ activation + dropout when there is no batch norm). */
  forwardTrain: MatmulKernels;
  forwardEval: MatmulKernels;
  normTrain: Kernel | null;
  normEval: Kernel | null;
  normBackward: Kernel | null;
  backwardWeight: MatmulKernels;
  /** Gradient at the previous hidden layer's pre-activation; null for the first layer. */
  backwardData: MatmulKernels | null;
}

interface OutputKernels {
  forwardTrain: MatmulKernels;
  forwardEval: MatmulKernels;
  backwardWeight: MatmulKernels;
  backwardData: MatmulKernels | null;
  loss: Kernel;
  lossEvaluate: Kernel;
}

export class Programs {
  readonly #context: GpuContext;
  readonly #shape: ProgramShape;
  readonly #hidden: HiddenKernels[];
  readonly #output: OutputKernels;
  readonly #optimizer: OptimizerKernel;
  readonly #clip: GradClipKernels | null;
  readonly #reduce: Kernel;
  #forwardCache = new Map<GPUBuffer, Map<string, Dispatch[]>>();

  private constructor(
    context: GpuContext,
    shape: ProgramShape,
    hidden: HiddenKernels[],
    output: OutputKernels,
    optimizer: OptimizerKernel,
    clip: GradClipKernels | null,
    reduce: Kernel,
  ) {
    this.#context = context;
    this.#shape = shape;
    this.#hidden = hidden;
    this.#output = output;
    this.#optimizer = optimizer;
    this.#clip = clip;
    this.#reduce = reduce;
  }

  /** Compiles every kernel the model needs (the context compiles them one at a time). */
  static async compile(context: GpuContext, shape: ProgramShape): Promise<Programs> {
    const { layout, config, trainRows, evalRows } = shape;
    const hidden = Promise.all(layout.hidden.map(async (layer, l) => {
      const epilogue = hiddenEpilogue(shape, l);
      const train = linearShape(shape, l, trainRows);
      const evaluate = linearShape(shape, l, evalRows);
      const norm = layer.norm !== null;
      const withEpilogue = (training: boolean) => norm ? null : { epilogue, training };
      const [forwardTrain, forwardEval, normTrain, normEval, normBackward, weight, data] =
        await Promise.all([
          linearForwardKernel(context, train, withEpilogue(true)),
          linearForwardKernel(context, evaluate, withEpilogue(false)),
          norm ? batchNormForwardKernel(context, normShape(shape, l, trainRows), true) : null,
          norm ? batchNormForwardKernel(context, normShape(shape, l, evalRows), false) : null,
          norm ? batchNormBackwardKernel(context, normShape(shape, l, trainRows)) : null,
          linearBackwardWeightKernel(context, train),
          l > 0 ? linearBackwardDataKernel(context, backwardDataShape(shape, l)) : null,
        ]);
      return {
        forwardTrain,
        forwardEval,
        normTrain,
        normEval,
        normBackward,
        backwardWeight: weight,
        backwardData: data,
      };
    }));
    const last = layout.hidden.length;
    const outputTrain = linearShape(shape, last, trainRows);
    const outputs = Promise.all([
      linearForwardKernel(context, outputTrain, null),
      linearForwardKernel(context, linearShape(shape, last, evalRows), null),
      linearBackwardWeightKernel(context, outputTrain),
      last > 0 ? linearBackwardDataKernel(context, backwardDataShape(shape, last)) : null,
      lossKernel(context, lossShape(shape, trainRows)),
      lossEvaluateKernel(context, lossShape(shape, evalRows)),
    ]);
    const clipping = config.gradientClipping ?? null;
    // Clipping adds the penalty's gradient before it clips; the optimizer must not add it again.
    const optimizerConfig = clipping ? { ...config, regularization: NO_PENALTY } : config;
    const [hiddenKernels, outputKernels, optimizer, clip, reduce] = await Promise.all([
      hidden,
      outputs,
      optimizerKernel(context, optimizerConfig, layout.paramCount),
      clipping
        ? gradClipKernels(context, clipping, config.regularization, layout.paramCount)
        : null,
      metricsReduceKernel(context, Math.max(trainRows, evalRows)),
    ]);
    const [forwardTrain, forwardEval, backwardWeight, backwardData, loss, lossEvaluate] =
      outputKernels;
    return new Programs(
      context,
      shape,
      hiddenKernels,
      {
        forwardTrain,
        forwardEval,
        backwardWeight,
        backwardData,
        loss,
        lossEvaluate,
      },
      optimizer,
      clip,
      reduce,
    );
  }

  /**
   * Words of scratch (SessionBuffers.partials) for the largest split product, or the gradient
   * norm's partial sums, which use it after the last product of the step.
   */
  get partialWords(): number {
    const all = [...this.#hidden, this.#output].flatMap((k) => [
      k.forwardTrain,
      k.forwardEval,
      k.backwardWeight,
      k.backwardData,
    ]);
    return Math.max(this.#clip?.partialWords ?? 0, ...all.map((k) => k?.partialWords ?? 0));
  }

  /** Torch's state keys of the optimizer state sections, in buffer order. */
  get optimizerStateNames(): readonly string[] {
    return this.#optimizer.stateNames;
  }

  /**
   * The dispatches of one training step over the train split in `buffers.trainOrder`;
   * `afterBackward` runs once the data loss's gradients are complete, before the penalty's
   * gradient, clipping and the optimizer change them (the last step's layer statistics).
   */
  trainStep(buffers: SessionBuffers, afterBackward: readonly Dispatch[] = []): Dispatch[] {
    const context = this.#context;
    const shape = this.#shape;
    const rows = shape.trainRows;
    const { layout } = shape;
    const split = buffers.splits.train;
    // A copy: the forward's list is cached, and a step appends to its own.
    const dispatches: Dispatch[] = [...this.#forward(buffers, "train", buffers.trainOrder, true)];
    const last = layout.hidden.length;
    dispatches.push(
      lossDispatch(context, this.#output.loss, lossShape(shape, rows), {
        logits: buffers.logits,
        labels: split.labels,
        order: buffers.trainOrder,
        rowMetrics: buffers.rowMetrics,
        labelRows: split.count,
        gradLogits: buffers.gradLogits,
        totals: buffers.totals,
      }),
    );
    // Backward, top down: each layer's dW/db from its dZ, then dY of the layer below.
    let gradOutput = buffers.gradLogits;
    for (let l = last; l >= 0; l--) {
      const isOutput = l === last;
      const kernels = isOutput ? this.#output : this.#hidden[l];
      if (!isOutput) {
        const layer = buffers.layers[l];
        const norm = this.#hidden[l].normBackward;
        if (norm) {
          dispatches.push(
            batchNormBackwardDispatch(context, norm, normShape(shape, l, rows), {
              gradOutput: layer.gradY,
              preNorm: layer.preActivation,
              batchStats: layer.batchStats!,
              params: buffers.params,
              grads: buffers.grads,
              gradInput: layer.gradZ,
            }),
          );
        }
        gradOutput = layer.gradZ;
      }
      const input = l > 0 ? buffers.layers[l - 1].activation : split.source;
      dispatches.push(
        ...linearBackwardWeightDispatch(
          context,
          kernels.backwardWeight,
          linearShape(shape, l, rows),
          {
            gradOutput,
            source: input,
            order: buffers.trainOrder,
            grads: buffers.grads,
            sourceRows: split.count,
            partials: buffers.partials,
          },
        ),
      );
      if (kernels.backwardData) {
        const below = buffers.layers[l - 1];
        dispatches.push(
          ...linearBackwardDataDispatch(
            context,
            kernels.backwardData,
            backwardDataShape(shape, l),
            {
              gradOutput,
              params: buffers.params,
              preActivation: below.normalized ?? below.preActivation,
              gradInput: below.gradY,
              partials: buffers.partials,
            },
          ),
        );
      }
    }
    dispatches.push(...afterBackward);
    if (this.#clip) {
      dispatches.push(...gradClipDispatches(context, this.#clip, {
        params: buffers.params,
        grads: buffers.grads,
        partials: buffers.partials,
      }));
    }
    dispatches.push(
      optimizerDispatch(context, this.#optimizer, {
        params: buffers.params,
        grads: buffers.grads,
        state: buffers.optimizerState,
        status: buffers.totals,
      }),
    );
    return dispatches;
  }

  /** Evaluation chunk over `split` in `order`: forward, then loss and confusion counts. */
  evaluate(buffers: SessionBuffers, split: SplitName, order: GPUBuffer): Dispatch[] {
    const shape = this.#shape;
    const examples = buffers.splits[split];
    return [
      ...this.#forward(buffers, split, order, false),
      lossEvaluateDispatch(
        this.#context,
        this.#output.lossEvaluate,
        lossShape(shape, shape.evalRows),
        {
          logits: buffers.logits,
          labels: examples.labels,
          order,
          rowMetrics: buffers.rowMetrics,
          labelRows: examples.count,
          confusion: buffers.confusion,
        },
      ),
    ];
  }

  /** Evaluation-mode forward over `split` in `order`, leaving logits in `buffers.logits`. */
  predict(buffers: SessionBuffers, split: SplitName, order: GPUBuffer): Dispatch[] {
    return this.#forward(buffers, split, order, false);
  }

  /** Folds the metric slots into `buffers.totals`. */
  reduce(buffers: SessionBuffers): Dispatch {
    return metricsReduceDispatch(this.#context, this.#reduce, buffers.rowMetrics, buffers.totals);
  }

  #forward(
    buffers: SessionBuffers,
    split: SplitName,
    order: GPUBuffer,
    training: boolean,
  ): Dispatch[] {
    const key = `${split}:${training}`;
    let byOrder = this.#forwardCache.get(order);
    if (!byOrder) this.#forwardCache.set(order, byOrder = new Map());
    const cached = byOrder.get(key);
    if (cached) return cached;
    const context = this.#context;
    const shape = this.#shape;
    const rows = training ? shape.trainRows : shape.evalRows;
    const examples = buffers.splits[split];
    const dispatches: Dispatch[] = [];
    const count = shape.layout.hidden.length;
    for (let l = 0; l <= count; l++) {
      const isOutput = l === count;
      const kernels = isOutput ? this.#output : this.#hidden[l];
      const layer = isOutput ? null : buffers.layers[l];
      const norm = isOutput
        ? null
        : training
        ? this.#hidden[l].normTrain
        : this.#hidden[l].normEval;
      dispatches.push(
        ...linearForwardDispatch(
          context,
          training ? kernels.forwardTrain : kernels.forwardEval,
          linearShape(shape, l, rows),
          {
            source: l > 0 ? buffers.layers[l - 1].activation : examples.source,
            order,
            params: buffers.params,
            preActivation: layer ? layer.preActivation : buffers.logits,
            activation: layer && !norm ? layer.activation : undefined,
            sourceRows: examples.count,
            partials: buffers.partials,
          },
        ),
      );
      if (norm && layer) {
        dispatches.push(
          batchNormForwardDispatch(context, norm, normShape(shape, l, rows), {
            preNorm: layer.preActivation,
            params: buffers.params,
            running: buffers.running,
            batchStats: layer.batchStats!,
            normalized: layer.normalized!,
            activation: layer.activation,
            status: buffers.totals,
          }),
        );
      }
    }
    byOrder.set(key, dispatches);
    return dispatches;
  }
}
