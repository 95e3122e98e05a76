/**
 * ajuste's training engine: MLPs on WebGPU (WGSL kernels) with a CPU reference backend that is
 * checked against PyTorch. Imports nothing from npm, so it runs anywhere Deno runs.
 *
 * @example
 * ```ts
 * import { train } from "./engine/mod.ts";
 * const result = await train(config, { roots, onEpoch: (e) => console.log(e.devAccuracy) });
 * ```
 *
 * @module
 */

export { train } from "./train.ts";
export type {
  DeviceRecord,
  EpochRecord,
  RunResult,
  RunStatus,
  TestRecord,
  TrainOptions,
} from "./train.ts";
export type { Backend, EpochResult, EvalResult, NamedTensor, TrainingSession } from "./backend.ts";
export type * from "./spec.ts";
export type { LayerStats } from "./layer_stats.ts";
