/**
 * RMSprop, exactly as https://pytorch.org/docs/stable/generated/torch.optim.RMSprop.html
 * (torch 1.13 `_single_tensor_rmsprop`):
 *
 *     g ← ∇ + λ·θ                        (weight decay λ)
 *     v ← α·v + (1 − α)·g²
 *     centered: ḡ ← α·ḡ + (1 − α)·g, denominator √(v − ḡ²) + ε; else √v + ε
 *     momentum μ > 0: b ← μ·b + g/denominator, θ ← θ − γ·b; else θ ← θ − γ·g/denominator
 *
 * @module
 */

import type { RmspropSpec } from "../../spec.ts";
import { type StepHyper, withHyper } from "../../schedule/lr_scheduler.ts";
import { type Optimizer, zerosLike } from "./optimizer.ts";

/** One RMSprop update; `gradAvg` is null unless centered, `momentumBuffer` null unless μ > 0. */
export function rmspropUpdate(
  spec: RmspropSpec,
  param: Float32Array,
  grad: Float32Array,
  squareAvg: Float32Array,
  gradAvg: Float32Array | null,
  momentumBuffer: Float32Array | null,
): void {
  const { lr, alpha, eps, weightDecay, momentum } = spec;
  for (let i = 0; i < param.length; i++) {
    const g = Math.fround(grad[i] + weightDecay * param[i]);
    squareAvg[i] = alpha * squareAvg[i] + (1 - alpha) * g * g;
    let variance = squareAvg[i];
    if (gradAvg !== null) {
      gradAvg[i] = alpha * gradAvg[i] + (1 - alpha) * g;
      variance = Math.fround(variance - gradAvg[i] * gradAvg[i]);
    }
    const denominator = Math.fround(Math.fround(Math.sqrt(variance)) + eps);
    if (momentumBuffer !== null && momentum > 0) {
      momentumBuffer[i] = momentum * momentumBuffer[i] + g / denominator;
      param[i] -= lr * momentumBuffer[i];
    } else {
      param[i] -= (lr * g) / denominator;
    }
  }
}

export class RmspropOptimizer implements Optimizer {
  readonly state: Record<string, Float32Array[]>;
  #steps = 0;

  readonly #sizes: number[];

  constructor(readonly spec: RmspropSpec, sizes: number[]) {
    this.#sizes = sizes;
    this.state = { square_avg: zerosLike(sizes) };
    if (spec.momentum > 0) this.state.momentum_buffer = zerosLike(sizes);
    if (spec.centered) this.state.grad_avg = zerosLike(sizes);
  }

  get steps(): number {
    return this.#steps;
  }

  get momentumUsed(): boolean {
    return this.#steps > 0;
  }

  resume(steps: number): void {
    this.#steps = steps;
  }

  step(params: Float32Array[], grads: Float32Array[], hyper?: StepHyper): void {
    const spec = withHyper(this.spec, hyper);
    // torch creates the buffer with the state at the first step, if momentum > 0 then.
    if (this.#steps === 0 && spec.momentum > 0) {
      this.state.momentum_buffer ??= zerosLike(this.#sizes);
    }
    const { square_avg, grad_avg, momentum_buffer } = this.state;
    for (let t = 0; t < params.length; t++) {
      rmspropUpdate(
        spec,
        params[t],
        grads[t],
        square_avg[t],
        grad_avg?.[t] ?? null,
        momentum_buffer?.[t] ?? null,
      );
    }
    this.#steps++;
  }
}
