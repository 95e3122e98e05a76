/**
 * Adam, AMSGrad and AdamW, exactly as https://pytorch.org/docs/stable/generated/torch.optim.Adam.html
 * and https://pytorch.org/docs/stable/generated/torch.optim.AdamW.html (torch 1.13
 * `_single_tensor_adam` / `_single_tensor_adamw`), at step t (1-based):
 *
 *     adam:  g ← ∇ + λ·θ            adamw: θ ← θ·(1 − γ·λ), g ← ∇
 *     m ← β₁·m + (1 − β₁)·g,  v ← β₂·v + (1 − β₂)·g²
 *     amsgrad: v̂ ← max(v̂, v) and v̂ replaces v below
 *     θ ← θ − (γ / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
 *
 * The bias corrections are computed in f64 on the host ({@linkcode adamScalars}), as torch does
 * in Python floats; the GPU kernel receives the same two numbers per step.
 *
 * @module
 */

import type { AdamSpec } from "../../spec.ts";
import { type StepHyper, withHyper } from "../../schedule/lr_scheduler.ts";
import { type Optimizer, zerosLike } from "./optimizer.ts";

/** The per-step scalars of the update, from f64 arithmetic. */
export interface AdamScalars {
  /** γ / (1 − β₁ᵗ). */
  stepSize: number;
  /** √(1 − β₂ᵗ). */
  biasCorrection2Sqrt: number;
  /** Factor θ is multiplied by before the step: 1 − γ·λ for AdamW, 1 for Adam. */
  decay: number;
  /** λ added to the gradient (Adam's L2 form); 0 for AdamW. */
  gradientDecay: number;
}

/** Scalars for step `t` (1-based). */
export function adamScalars(spec: AdamSpec, t: number): AdamScalars {
  const [beta1, beta2] = spec.betas;
  const decoupled = spec.type === "adamw";
  return {
    stepSize: spec.lr / (1 - beta1 ** t),
    biasCorrection2Sqrt: Math.sqrt(1 - beta2 ** t),
    decay: decoupled ? 1 - spec.lr * spec.weightDecay : 1,
    gradientDecay: decoupled ? 0 : spec.weightDecay,
  };
}

/** One Adam/AdamW update; `maxExpAvgSq` is null unless amsgrad. */
export function adamUpdate(
  spec: AdamSpec,
  scalars: AdamScalars,
  param: Float32Array,
  grad: Float32Array,
  expAvg: Float32Array,
  expAvgSq: Float32Array,
  maxExpAvgSq: Float32Array | null,
): void {
  const [beta1, beta2] = spec.betas;
  const { stepSize, biasCorrection2Sqrt, decay, gradientDecay } = scalars;
  for (let i = 0; i < param.length; i++) {
    if (decay !== 1) param[i] *= decay;
    const g = Math.fround(grad[i] + gradientDecay * param[i]);
    expAvg[i] = beta1 * expAvg[i] + (1 - beta1) * g;
    expAvgSq[i] = beta2 * expAvgSq[i] + (1 - beta2) * g * g;
    let second = expAvgSq[i];
    if (maxExpAvgSq !== null) {
      if (second > maxExpAvgSq[i]) maxExpAvgSq[i] = second;
      second = maxExpAvgSq[i];
    }
    const denominator = Math.fround(
      Math.fround(Math.sqrt(second) / biasCorrection2Sqrt) + spec.eps,
    );
    param[i] -= (stepSize * expAvg[i]) / denominator;
  }
}

export class AdamOptimizer implements Optimizer {
  readonly state: Record<string, Float32Array[]>;
  #steps = 0;

  constructor(readonly spec: AdamSpec, sizes: number[]) {
    this.state = { exp_avg: zerosLike(sizes), exp_avg_sq: zerosLike(sizes) };
    if (spec.amsgrad) this.state.max_exp_avg_sq = zerosLike(sizes);
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
    const scalars = adamScalars(spec, this.#steps + 1);
    const { exp_avg, exp_avg_sq, max_exp_avg_sq } = this.state;
    for (let t = 0; t < params.length; t++) {
      adamUpdate(
        spec,
        scalars,
        params[t],
        grads[t],
        exp_avg[t],
        exp_avg_sq[t],
        max_exp_avg_sq?.[t] ?? null,
      );
    }
    this.#steps++;
  }
}
