/**
 * Stochastic gradient descent with momentum, dampening, Nesterov and weight decay, exactly as
 * https://pytorch.org/docs/stable/generated/torch.optim.SGD.html (torch 1.13 `_single_tensor_sgd`):
 *
 *     g ← ∇ + λ·θ                      (weight decay λ)
 *     b ← g at the first step, else μ·b + (1 − τ)·g   (momentum μ, dampening τ)
 *     g ← g + μ·b with Nesterov, else b
 *     θ ← θ − γ·g
 *
 * @module
 */

import type { SgdSpec } from "../../spec.ts";
import { type StepHyper, withHyper } from "../../schedule/lr_scheduler.ts";
import { type Optimizer, zerosLike } from "./optimizer.ts";

/**
 * One SGD update of `param` from `grad`; `momentumBuffer` is null (or momentum 0, as OneCycleLR
 * may set it) for none, and
 * `firstStep` makes the buffer a copy of the gradient (torch clones it, with no dampening).
 */
export function sgdUpdate(
  spec: SgdSpec,
  param: Float32Array,
  grad: Float32Array,
  momentumBuffer: Float32Array | null,
  firstStep: boolean,
): void {
  const { lr, momentum, dampening, weightDecay, nesterov } = spec;
  for (let i = 0; i < param.length; i++) {
    let g = Math.fround(grad[i] + weightDecay * param[i]);
    if (momentumBuffer !== null && momentum !== 0) {
      momentumBuffer[i] = firstStep ? g : momentum * momentumBuffer[i] + (1 - dampening) * g;
      g = nesterov ? g + momentum * momentumBuffer[i] : momentumBuffer[i];
    }
    param[i] -= lr * g;
  }
}

export class SgdOptimizer implements Optimizer {
  readonly state: Record<string, Float32Array[]> = {};
  #steps = 0;
  /** Steps that used momentum: torch's buffer starts as a copy of the first one's gradient. */
  #momentumSteps = 0;
  readonly #sizes: number[];

  constructor(readonly spec: SgdSpec, sizes: number[]) {
    this.#sizes = sizes;
    if (spec.nesterov && (spec.momentum <= 0 || spec.dampening !== 0)) {
      throw new RangeError(
        `Nesterov momentum requires a momentum and zero dampening, got momentum ${spec.momentum} ` +
          `and dampening ${spec.dampening}`,
      );
    }
    if (spec.momentum !== 0) this.state.momentum_buffer = zerosLike(sizes);
  }

  get steps(): number {
    return this.#steps;
  }

  get momentumUsed(): boolean {
    return this.#momentumSteps > 0;
  }

  resume(steps: number, momentumUsed: boolean): void {
    this.#steps = steps;
    this.#momentumSteps = momentumUsed ? 1 : 0;
  }

  step(params: Float32Array[], grads: Float32Array[], hyper?: StepHyper): void {
    const spec = withHyper(this.spec, hyper);
    // torch creates the buffer at the first step with momentum ≠ 0 (OneCycleLR may set it).
    if (spec.momentum !== 0) this.state.momentum_buffer ??= zerosLike(this.#sizes);
    const buffers = this.state.momentum_buffer;
    const first = this.#momentumSteps === 0;
    for (let t = 0; t < params.length; t++) {
      sgdUpdate(spec, params[t], grads[t], buffers?.[t] ?? null, first);
    }
    if (spec.momentum !== 0) this.#momentumSteps++;
    this.#steps++;
  }
}
