/**
 * Setting up a GPU training session (`session.ts`'s `create`): the run's shape checks and memory
 * admission before anything is allocated, its kernels compiled, its buffers allocated with each
 * split's evaluation steps, the initial weights written (the CPU reference's, from the same seed),
 * and the layer statistics when the config keeps them.
 *
 * @module
 */

import type { SplitName } from "../backend.ts";
import { epochOrder } from "../data/batches.ts";
import type { PreparedData } from "../data/dataset.ts";
import { layerStatsEnabled } from "../layer_stats.ts";
import { assertSchedulerFits } from "../schedule/lr_scheduler.ts";
import { outputUnits, type RunConfig } from "../spec.ts";
import type { GpuContext } from "./gpu_context.ts";
import { initialModel, type ModelLayout } from "./model_layout.ts";
import { GpuLayerStats } from "./layer_stats.ts";
import { Programs } from "./programs.ts";
import {
  assertBatchNormBatches,
  inputKindOf,
  OPTIMIZER_STATE_SECTIONS_MAX,
  parameterCount,
} from "./session_checks.ts";
import {
  allocateSessionBuffers,
  assertSessionFits,
  type SessionBuffers,
} from "./session_buffers.ts";
import { chunkSteps, packSteps } from "./step_params.ts";

/** Rows per evaluation chunk, at least a training batch (fewer, larger dispatches than the CPU's). */
const EVAL_CHUNK = 2048;

/** A session's model on the device, ready to train. */
export interface SessionSetup {
  layout: ModelLayout;
  programs: Programs;
  buffers: SessionBuffers;
  /** Rows per evaluation chunk. */
  evalRows: number;
  /** Per-layer statistics; null when the config turns them off. */
  layerStats: GpuLayerStats | null;
}

export async function setUpSession(
  context: GpuContext,
  config: RunConfig,
  data: PreparedData,
  options: { firstLayer: boolean },
): Promise<SessionSetup> {
  const { batchSize, steps } = epochOrder(
    data.train.count,
    { ...config.batch, shuffle: false },
    0,
    0,
  );
  assertBatchNormBatches(config, data.train.count, batchSize);
  assertSchedulerFits(
    config.scheduler,
    { epochs: config.epochs, stepsPerEpoch: steps },
    data.dev.count > 0,
  );
  const maxCount = Math.max(data.train.count, data.dev.count, data.test.count, 1);
  const evalRows = Math.max(batchSize, Math.min(EVAL_CHUNK, maxCount));
  const outputs = outputUnits(config.loss, data.classes);
  assertSessionFits(context, {
    data,
    paramCount: parameterCount(config, data.features, outputs),
    hiddenUnits: config.model.layers.map((layer) => layer.units),
    outputs,
    rows: evalRows,
    optimizerStateSections: OPTIMIZER_STATE_SECTIONS_MAX,
  });
  const initial = initialModel(config.model, data.features, outputs, config.seed);
  const inputKind = inputKindOf(data);
  const programs = await Programs.compile(context, {
    layout: initial.layout,
    config,
    classes: data.classes,
    trainRows: batchSize,
    evalRows,
    inputKind,
    transform: data.transform,
  });
  const evalSteps = {} as Record<SplitName, ArrayBuffer>;
  for (const split of ["train", "dev", "test"] as const) {
    evalSteps[split] = packSteps(chunkSteps(data[split].count, evalRows), context.stepStride);
  }
  const buffers = allocateSessionBuffers(context, {
    layout: initial.layout,
    data,
    classes: data.classes,
    trainRows: batchSize,
    evalRows,
    stepsPerEpoch: steps,
    optimizerStateSections: programs.optimizerStateNames.length,
    partialWords: programs.partialWords,
    evalSteps,
  });
  const queue = context.device.queue;
  queue.writeBuffer(buffers.params, 0, initial.params);
  if (initial.buffers.length > 0) queue.writeBuffer(buffers.running, 0, initial.buffers);
  const layerStats = layerStatsEnabled(config)
    ? await GpuLayerStats.create(context, programs, buffers, initial.layout, {
      trainCount: data.train.count,
      firstLayer: options.firstLayer,
    })
    : null;
  return { layout: initial.layout, programs, buffers, evalRows, layerStats };
}
