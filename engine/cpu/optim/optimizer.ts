/**
 * The optimizers of `torch.optim` over a flat list of f32 parameter tensors, each with the
 * per-parameter state torch keeps (same key names as `optimizer.state_dict()["state"][i]`), so
 * tests compare it with PyTorch and checkpoints can save it.
 *
 * @module
 */

import type { StepHyper } from "../../schedule/lr_scheduler.ts";
import type { OptimizerSpec } from "../../spec.ts";
import { AdamOptimizer } from "./adam.ts";
import { RmspropOptimizer } from "./rmsprop.ts";
import { SgdOptimizer } from "./sgd.ts";

export interface Optimizer {
  readonly spec: OptimizerSpec;
  /** Completed steps (torch's `state["step"]`). */
  readonly steps: number;
  /**
   * Per-parameter state by torch's key (`momentum_buffer`, `square_avg`, `grad_avg`, `exp_avg`,
   * `exp_avg_sq`, `max_exp_avg_sq`), one tensor per parameter in parameter order.
   */
  readonly state: Record<string, Float32Array[]>;
  /**
   * One update of every `params[i]` in place from `grads[i]`, with a scheduler's lr (and cycled
   * momentum or β1) in place of the spec's when `hyper` is given.
   */
  step(params: Float32Array[], grads: Float32Array[], hyper?: StepHyper): void;
}

/** An optimizer for parameters of the given element counts, state zeroed as torch starts it. */
export function createOptimizer(spec: OptimizerSpec, sizes: number[]): Optimizer {
  switch (spec.type) {
    case "sgd":
      return new SgdOptimizer(spec, sizes);
    case "rmsprop":
      return new RmspropOptimizer(spec, sizes);
    case "adam":
    case "adamw":
      return new AdamOptimizer(spec, sizes);
  }
}

/** One zeroed f32 tensor per size. */
export function zerosLike(sizes: number[]): Float32Array[] {
  return sizes.map((size) => new Float32Array(size));
}
