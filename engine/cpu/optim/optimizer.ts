/**
 * The optimizers of `torch.optim` over a flat list of f32 parameter tensors, each with the
 * per-parameter state torch keeps (same key names as `optimizer.state_dict()["state"][i]`), so
 * tests compare it with PyTorch and checkpoints can save it.
 *
 * @module
 */

import type { StepHyper } from "../../schedule/lr_scheduler.ts";
import type { OptimizerCheckpoint } from "../../checkpoint.ts";
import type { OptimizerSpec } from "../../spec.ts";
import { AdamOptimizer } from "./adam.ts";
import { RmspropOptimizer } from "./rmsprop.ts";
import { SgdOptimizer } from "./sgd.ts";
import type { ParameterStorage } from "../mlp.ts";

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
  /** Whether a step so far used momentum (SGD's buffer then exists; the next is not its first). */
  readonly momentumUsed: boolean;
  /** Takes up counting where a checkpoint left off; its state tensors are loaded separately. */
  resume(steps: number, momentumUsed: boolean): void;
  /** Places for the parameters, where the optimizer updates them in place (`wasm_adam.ts`). */
  storage?(): ParameterStorage;
}

/** What a checkpoint keeps of `optimizer`: copies of its state tensors and its step counts. */
export function optimizerCheckpoint(optimizer: Optimizer): OptimizerCheckpoint {
  const state: Record<string, Float32Array[]> = {};
  for (const [key, tensors] of Object.entries(optimizer.state)) {
    state[key] = tensors.map((tensor) => tensor.slice());
  }
  return { steps: optimizer.steps, momentumUsed: optimizer.momentumUsed, state };
}

/**
 * Loads a checkpoint's state into `optimizer`, whose parameters have the given sizes. A key the
 * optimizer lacks is taken when torch creates it lazily (`momentum_buffer`: OneCycleLR may cycle
 * momentum up from 0), and refused otherwise; a key the checkpoint lacks stays zero, as a GPU
 * checkpoint may omit nothing but a CPU one may.
 */
export function loadOptimizer(
  optimizer: Optimizer,
  checkpoint: OptimizerCheckpoint,
  sizes: readonly number[],
): void {
  for (const [key, tensors] of Object.entries(checkpoint.state)) {
    if (tensors.length !== sizes.length || tensors.some((t, i) => t.length !== sizes[i])) {
      throw new Error(
        `The checkpoint's optimizer state "${key}" has tensors of ${
          tensors.map((t) => t.length).join(", ")
        } values; this model's parameters have ${sizes.join(", ")}`,
      );
    }
    const own = optimizer.state[key] ??
      (key === "momentum_buffer" ? optimizer.state[key] = zerosLike([...sizes]) : null);
    if (own === null) {
      throw new Error(
        `The checkpoint holds optimizer state "${key}", which ${optimizer.spec.type} with these ` +
          `settings does not keep (it keeps ${Object.keys(optimizer.state).join(", ") || "none"})`,
      );
    }
    own.forEach((tensor, i) => tensor.set(tensors[i]));
  }
  optimizer.resume(checkpoint.steps, checkpoint.momentumUsed);
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
