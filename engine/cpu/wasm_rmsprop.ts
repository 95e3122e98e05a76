/**
 * RMSprop for the fast CPU backend: the update rule of `optim/rmsprop.ts` (torch 1.13's
 * `_single_tensor_rmsprop`, https://pytorch.org/docs/stable/generated/torch.optim.RMSprop.html)
 * in WebAssembly SIMD, two lanes at a time:
 *
 *     g ← ∇ + λ·θ                        (weight decay λ)
 *     v ← α·v + (1 − α)·g²
 *     centered: ḡ ← α·ḡ + (1 − α)·g, denominator √(v − ḡ²) + ε; else √v + ε
 *     momentum μ > 0: b ← μ·b + g/denominator, θ ← θ − γ·b; else θ ← θ − γ·g/denominator
 *
 * in the reference's own steps, f64 with a rounding to f32 wherever it rounds or stores
 * (`loadPair`/`roundPair`/`storePair`), so parameters and state are the reference's bit for bit:
 * the fast backend ran the reference's RMSprop before, and with f32 steps one of 80 random
 * configurations of tests/cpu_fast_parity_test.ts (batches of one, MSE, dropout 0.5) drifted
 * past its tolerance. One function per combination of centered and momentum, so the loops do not
 * branch. Parameters, gradients and state live in the module's memory
 * ({@linkcode WasmTensorMemory}). On the default model, measured here: the reference loop 4.2 ns
 * a parameter, this 1.5 without weight decay (f32 steps took 0.6).
 *
 * @module
 */

import type { RmspropSpec } from "../spec.ts";
import { type StepHyper, withHyper } from "../schedule/lr_scheduler.ts";
import type { ParameterStorage } from "./mlp.ts";
import type { Optimizer } from "./optim/optimizer.ts";
import { encodeModule, FunctionWriter } from "./wasm_encoder.ts";
import {
  loadPair,
  roundPair,
  storePair,
  storeRoundedPair,
  WasmTensorMemory,
} from "./wasm_tensor_memory.ts";

type StateKey = "square_avg" | "grad_avg" | "momentum_buffer";

/**
 * update(param, grad, squareAvg, gradAvg, buffer, bytes, lr, decay, alpha, oneMinusAlpha, eps,
 * momentum) over `bytes` (a multiple of 16), in the reference's f64 steps; gradAvg is read only
 * when `centered`, buffer only with `withMomentum`. Without `decayed` (λ = 0) ∇ + 0·θ is ∇, ±0
 * or NaN, an f32 already, and its rounding is left out.
 */
function updateFunction(
  centered: boolean,
  withMomentum: boolean,
  decayed: boolean,
): FunctionWriter {
  const scalars = ["lr", "decay", "alpha", "oneMinusAlpha", "eps", "momentum"];
  const f = new FunctionWriter([
    ["param", "i32"],
    ["grad", "i32"],
    ["squareAvg", "i32"],
    ["gradAvg", "i32"],
    ["buffer", "i32"],
    ["bytes", "i32"],
    ...scalars.map((name) => [name, "f64"] as [string, "f64"]),
  ]);
  f.local("i32", "at");
  f.local("v128", "theta", "g", "v", "mean", "denominator", ...scalars.map((name) => `${name}2`));
  for (const name of scalars) f.get(name).f64x2Splat().set(`${name}2`);
  f.loopWhile("at", "bytes", 16, () => {
    for (const offset of [0, 8]) {
      // g ← fround(∇ + λ·θ)
      loadPair(f, "param", offset).set("theta");
      loadPair(f, "grad", offset).get("decay2").get("theta").f64x2Mul().f64x2Add();
      if (decayed) roundPair(f);
      f.set("g");
      // v ← α·v + ((1 − α)·g)·g, stored, then read back in f32
      f.get("alpha2");
      loadPair(f, "squareAvg", offset).f64x2Mul();
      f.get("oneMinusAlpha2").get("g").f64x2Mul().get("g").f64x2Mul().f64x2Add().set("v");
      // From here v is the f32 pair (f32x4 low lanes), as stored.
      f.get("v").f32x4DemoteF64x2Zero().set("v");
      f.get("squareAvg").get("at").add().get("v").v128Store64Lane(offset, 0);
      if (centered) {
        // ḡ ← α·ḡ + (1 − α)·g, stored; v ← fround(v − ḡ·ḡ) with ḡ as stored
        f.get("alpha2");
        loadPair(f, "gradAvg", offset).f64x2Mul();
        f.get("oneMinusAlpha2").get("g").f64x2Mul().f64x2Add().set("mean");
        storeRoundedPair(f, "gradAvg", "mean", offset);
        f.get("v").f64x2PromoteLowF32x4().get("mean").get("mean").f64x2Mul().f64x2Sub();
        f.f32x4DemoteF64x2Zero().set("v");
      }
      // denominator ← fround(fround(√v) + ε), fround(√v) as f32's √ of the f32 v: the same
      // (rounding a square root to f64 first is innocuous, 53 ≥ 2·24 + 2 bits) and f32x4.sqrt
      // is the cheaper instruction.
      f.get("v").f32x4Sqrt().f64x2PromoteLowF32x4();
      f.get("eps2").f64x2Add();
      roundPair(f).set("denominator");
      f.get("theta");
      if (withMomentum) {
        // b ← μ·b + g/denominator, stored; θ ← θ − γ·b with b as stored
        f.get("momentum2");
        loadPair(f, "buffer", offset).f64x2Mul();
        f.get("g").get("denominator").f64x2Div().f64x2Add().set("g");
        storeRoundedPair(f, "buffer", "g", offset);
        f.get("lr2").get("g").f64x2Mul();
      } else {
        // θ ← θ − (γ·g)/denominator
        f.get("lr2").get("g").f64x2Mul().get("denominator").f64x2Div();
      }
      f.f64x2Sub().set("theta");
      storePair(f, "param", "theta", offset);
    }
  });
  return f;
}

/** [centered, momentum] of each function. */
const CASES: Record<string, [boolean, boolean]> = {
  plain: [false, false],
  centered: [true, false],
  momentum: [false, true],
  centeredMomentum: [true, true],
};

let compiled: WebAssembly.Module | null = null;

/** Each case's function, and a `…NoDecay` twin for λ = 0 (the usual setting). */
function compileRmspropModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(
    encodeModule(
      Object.fromEntries(
        Object.entries(CASES).flatMap(([name, [centered, momentum]]) => [
          [name, updateFunction(centered, momentum, true)],
          [`${name}NoDecay`, updateFunction(centered, momentum, false)],
        ]),
      ),
      { pages: 1, maxPages: 65536 },
    ),
  );
  return compiled;
}

type Update = (...args: number[]) => void;

type Exports = { memory: WebAssembly.Memory } & Record<string, Update>;

export class WasmRmspropOptimizer implements Optimizer {
  readonly state: Record<string, Float32Array[]>;
  readonly #exports: Exports;
  readonly #memory: WasmTensorMemory<StateKey>;
  #steps = 0;

  constructor(readonly spec: RmspropSpec, readonly sizes: number[]) {
    this.#exports = new WebAssembly.Instance(compileRmspropModule()).exports as unknown as Exports;
    // The buffer has its place even without momentum: a scheduler may start one at step 1.
    const keys: StateKey[] = [
      "square_avg",
      "momentum_buffer",
      ...(spec.centered ? ["grad_avg" as const] : []),
    ];
    this.#memory = new WasmTensorMemory(this.#exports.memory, sizes, keys);
    // The reference's state keys, in its order.
    this.state = { square_avg: this.#memory.views("square_avg") };
    if (spec.momentum > 0) this.state.momentum_buffer = this.#memory.views("momentum_buffer");
    if (spec.centered) this.state.grad_avg = this.#memory.views("grad_avg");
  }

  /** Places for the parameters and gradients, updated in place by {@linkcode step}. */
  storage(): ParameterStorage {
    return this.#memory.storage();
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
    const { lr, alpha, eps, weightDecay, momentum, centered } = withHyper(this.spec, hyper);
    const state = this.state;
    // torch creates the buffer with the state at the first step, if momentum > 0 then.
    if (this.#steps === 0 && momentum > 0) {
      state.momentum_buffer ??= this.#memory.views("momentum_buffer");
    }
    // A checkpoint's loader may have created the buffer outside this memory.
    if (state.momentum_buffer) {
      state.momentum_buffer = this.#memory.adopt("momentum_buffer", state.momentum_buffer);
    }
    const withMomentum = state.momentum_buffer !== undefined && momentum > 0;
    const name = centered
      ? (withMomentum ? "centeredMomentum" : "centered")
      : (withMomentum ? "momentum" : "plain");
    const update = this.#exports[weightDecay === 0 ? `${name}NoDecay` : name];
    this.#memory.forEach(params, grads, (at) => {
      const { square_avg, grad_avg, momentum_buffer } = at.state;
      update(
        at.param,
        at.grad,
        square_avg,
        grad_avg ?? 0,
        momentum_buffer,
        at.bytes,
        lr,
        weightDecay,
        alpha,
        1 - alpha,
        eps,
        momentum,
      );
    });
    this.#steps++;
  }
}
