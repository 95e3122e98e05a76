/**
 * SGD for the fast CPU backend: the update rule of `optim/sgd.ts` (torch 1.13's
 * `_single_tensor_sgd`, https://pytorch.org/docs/stable/generated/torch.optim.SGD.html) in
 * WebAssembly SIMD, two lanes at a time:
 *
 *     g ← ∇ + λ·θ                      (weight decay λ)
 *     b ← g at the first step, else μ·b + (1 − τ)·g   (momentum μ, dampening τ)
 *     g ← g + μ·b with Nesterov, else b
 *     θ ← θ − γ·g
 *
 * in the reference's own steps, f64 with a rounding to f32 wherever it rounds or stores
 * (`loadPair`/`roundPair`/`storePair`), so parameters and buffers are the reference's bit for
 * bit, as they were when the fast backend ran the reference's SGD (f32 steps made RMSprop drift
 * past the parity test's tolerance on one configuration of 80; SGD keeps the same rule). One
 * function per case (plain, momentum, Nesterov, each momentum one for the first step), so the
 * loops do not branch. Parameters, gradients and the momentum buffer live in the module's memory
 * ({@linkcode WasmTensorMemory}). On the default model with momentum, measured here: the
 * reference loop 2.5 ns a parameter, this 0.75 without weight decay (f32 steps took 0.3).
 *
 * @module
 */

import type { SgdSpec } from "../spec.ts";
import { type StepHyper, withHyper } from "../schedule/lr_scheduler.ts";
import type { ParameterStorage } from "./mlp.ts";
import type { Optimizer } from "./optim/optimizer.ts";
import { SgdOptimizer } from "./optim/sgd.ts";
import { encodeModule, FunctionWriter } from "./wasm_encoder.ts";
import {
  loadPair,
  roundPair,
  storePair,
  storeRoundedPair,
  WasmTensorMemory,
} from "./wasm_tensor_memory.ts";

/**
 * Pushes g = fround(∇ + λ·θ) for the pair at `offset`, θ in local "theta" (loaded here). Without
 * `decayed` (λ = 0) ∇ + 0·θ is ∇, ±0 or NaN, an f32 already, and the rounding is left out.
 */
function decayedGradient(f: FunctionWriter, offset: number, decayed: boolean): FunctionWriter {
  loadPair(f, "param", offset).set("theta");
  loadPair(f, "grad", offset).get("decay2").get("theta").f64x2Mul().f64x2Add();
  return decayed ? roundPair(f) : f;
}

/**
 * update(param, grad, buffer, bytes, lr, decay, momentum, oneMinusDampening) over `bytes` (a
 * multiple of 16), in the reference's f64 steps: without `withMomentum` θ ← θ − γ·g (buffer and
 * the last two unused); with it b ← g at the `first` step, else μ·b + (1 − τ)·g, then
 * θ ← θ − γ·(g + μ·b) with `nesterov`, else θ − γ·b.
 */
function updateFunction(
  { withMomentum, first, nesterov, decayed }: SgdCase & { decayed: boolean },
): FunctionWriter {
  const scalars = ["lr", "decay", "momentum", "oneMinusDampening"];
  const f = new FunctionWriter([
    ["param", "i32"],
    ["grad", "i32"],
    ["buffer", "i32"],
    ["bytes", "i32"],
    ...scalars.map((name) => [name, "f64"] as [string, "f64"]),
  ]);
  f.local("i32", "at");
  f.local("v128", "theta", "g", "b", ...scalars.map((name) => `${name}2`));
  for (const name of scalars) f.get(name).f64x2Splat().set(`${name}2`);
  f.loopWhile("at", "bytes", 16, () => {
    for (const offset of [0, 8]) {
      decayedGradient(f, offset, decayed).set("g");
      if (withMomentum) {
        if (first) f.get("g").set("b");
        else {
          f.get("momentum2");
          loadPair(f, "buffer", offset).f64x2Mul().get("oneMinusDampening2").get("g").f64x2Mul();
          f.f64x2Add().set("b");
        }
        // The step reads the buffer back as stored, in f32.
        storeRoundedPair(f, "buffer", "b", offset);
        if (nesterov) f.get("g").get("momentum2").get("b").f64x2Mul().f64x2Add().set("g");
        else f.get("b").set("g");
      }
      f.get("theta").get("lr2").get("g").f64x2Mul().f64x2Sub().set("theta");
      storePair(f, "param", "theta", offset);
    }
  });
  return f;
}

interface SgdCase {
  withMomentum: boolean;
  first: boolean;
  nesterov: boolean;
}

const CASES: Record<string, SgdCase> = {
  plain: { withMomentum: false, first: false, nesterov: false },
  momentum: { withMomentum: true, first: false, nesterov: false },
  firstMomentum: { withMomentum: true, first: true, nesterov: false },
  nesterov: { withMomentum: true, first: false, nesterov: true },
  firstNesterov: { withMomentum: true, first: true, nesterov: true },
};

let compiled: WebAssembly.Module | null = null;

/** Each case's function, and a `…NoDecay` twin for λ = 0 (the usual setting). */
function compileSgdModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(
    encodeModule(
      Object.fromEntries(
        Object.entries(CASES).flatMap(([name, sgdCase]) => [
          [name, updateFunction({ ...sgdCase, decayed: true })],
          [`${name}NoDecay`, updateFunction({ ...sgdCase, decayed: false })],
        ]),
      ),
      { pages: 1, maxPages: 65536 },
    ),
  );
  return compiled;
}

type Update = (...args: number[]) => void;

type Exports = { memory: WebAssembly.Memory } & Record<string, Update>;

export class WasmSgdOptimizer implements Optimizer {
  readonly state: Record<string, Float32Array[]> = {};
  readonly #exports: Exports;
  readonly #memory: WasmTensorMemory<"momentum_buffer">;
  #steps = 0;
  /** Steps that used momentum: torch's buffer starts as a copy of the first one's gradient. */
  #momentumSteps = 0;

  constructor(readonly spec: SgdSpec, readonly sizes: number[]) {
    // The reference refuses bad options with the same messages.
    new SgdOptimizer(spec, []);
    this.#exports = new WebAssembly.Instance(compileSgdModule()).exports as unknown as Exports;
    // The buffer always has its place: OneCycleLR may cycle momentum up from 0.
    this.#memory = new WasmTensorMemory(this.#exports.memory, sizes, ["momentum_buffer"]);
    if (spec.momentum !== 0) this.state.momentum_buffer = this.#memory.views("momentum_buffer");
  }

  /** Places for the parameters and gradients, updated in place by {@linkcode step}. */
  storage(): ParameterStorage {
    return this.#memory.storage();
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
    const { lr, momentum, dampening, weightDecay, nesterov } = withHyper(this.spec, hyper);
    const memory = this.#memory;
    const kernel = (name: string) => this.#exports[weightDecay === 0 ? `${name}NoDecay` : name];
    if (momentum === 0) {
      const plain = kernel("plain");
      memory.forEach(params, grads, (at) => {
        plain(at.param, at.grad, 0, at.bytes, lr, weightDecay, 0, 0);
      });
    } else {
      // torch creates the buffer at the first step with momentum ≠ 0; a checkpoint may bring one.
      const own = this.state.momentum_buffer;
      this.state.momentum_buffer = own
        ? memory.adopt("momentum_buffer", own)
        : memory.views("momentum_buffer");
      const first = this.#momentumSteps === 0;
      const update = kernel(
        nesterov ? (first ? "firstNesterov" : "nesterov") : (first ? "firstMomentum" : "momentum"),
      );
      memory.forEach(params, grads, (at) => {
        const buffer = at.state.momentum_buffer;
        update(at.param, at.grad, buffer, at.bytes, lr, weightDecay, momentum, 1 - dampening);
      });
      this.#momentumSteps++;
    }
    this.#steps++;
  }
}
