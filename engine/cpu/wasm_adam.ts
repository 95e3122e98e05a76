/**
 * Adam, AMSGrad and AdamW for the fast CPU backend: the update rule of `optim/adam.ts` (torch
 * 1.13's `_single_tensor_adam` / `_single_tensor_adamw`, its scalars from the same
 * {@linkcode adamScalars}) in WebAssembly SIMD, four f32 lanes at a time:
 *
 *     adam:  g ← ∇ + λ·θ            adamw: θ ← θ·(1 − γ·λ), g ← ∇
 *     m ← β₁·m + (1 − β₁)·g,  v ← β₂·v + (1 − β₂)·g²
 *     amsgrad: v̂ ← max(v̂, v) and v̂ replaces v below
 *     θ ← θ − (γ / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
 *
 * Measured here on the default model (535,818 parameters) the reference's f64 loop took 10–20
 * ns a parameter, as long as all the matrix products on OpenBLAS; this takes about 1–2. Every
 * operation is f32, as torch's, where the reference rounds f64 intermediates to f32.
 *
 * The moments live in the module's memory for the optimizer's life (its {@linkcode state}
 * tensors are views of it, so checkpoints read and load them as any optimizer's), and so may the
 * parameters and gradients: a model built on {@linkcode WasmAdamOptimizer.storage} keeps every
 * parameter tensor and its gradient there, and a step updates them in place. Any other tensor is copied in
 * (parameters and gradient) and back out (parameters), as a profile of the default model found
 * those copies half of Adam's time.
 *
 * @module
 */

import type { AdamSpec } from "../spec.ts";
import { type StepHyper, withHyper } from "../schedule/lr_scheduler.ts";
import { adamScalars } from "./optim/adam.ts";
import type { ParameterStorage } from "./mlp.ts";
import type { Optimizer } from "./optim/optimizer.ts";
import { encodeModule, FunctionWriter } from "./wasm_encoder.ts";
import { parameterStorage } from "./wasm_tensor_memory.ts";

const PAGE_BYTES = 65536;

/**
 * update(param, grad, expAvg, expAvgSq, maxExpAvgSq, bytes, beta1, beta2, oneMinusBeta1,
 * oneMinusBeta2, stepSize, biasCorrection2Sqrt, eps, decay, gradientDecay): one step over
 * `bytes` (a multiple of 16) of each array; `amsgrad` reads and writes maxExpAvgSq.
 */
function updateFunction(amsgrad: boolean): FunctionWriter {
  const scalars = [
    "beta1",
    "beta2",
    "oneMinusBeta1",
    "oneMinusBeta2",
    "stepSize",
    "biasCorrection2Sqrt",
    "eps",
    "decay",
    "gradientDecay",
  ];
  const f = new FunctionWriter([
    ["param", "i32"],
    ["grad", "i32"],
    ["expAvg", "i32"],
    ["expAvgSq", "i32"],
    ["maxExpAvgSq", "i32"],
    ["bytes", "i32"],
    ...scalars.map((name) => [name, "f32"] as [string, "f32"]),
  ]);
  f.local("i32", "at");
  f.local("v128", "theta", "g", "m", "v", ...scalars.map((name) => `${name}4`));
  for (const name of scalars) f.get(name).f32x4Splat().set(`${name}4`);
  const load = (base: string) => f.get(base).get("at").add().v128Load();
  const store = (base: string, value: string) => {
    f.get(base).get("at").add().get(value).v128Store();
  };
  f.loopWhile("at", "bytes", 16, () => {
    // θ ← θ·decay; g ← ∇ + λ·θ
    load("param").get("decay4").f32x4Mul().set("theta");
    load("grad").get("gradientDecay4").get("theta").f32x4Mul().f32x4Add().set("g");
    // m ← β₁·m + (1 − β₁)·g; v ← β₂·v + ((1 − β₂)·g)·g
    f.get("beta14");
    load("expAvg").f32x4Mul().get("oneMinusBeta14").get("g").f32x4Mul().f32x4Add().set("m");
    store("expAvg", "m");
    f.get("beta24");
    load("expAvgSq").f32x4Mul().get("oneMinusBeta24").get("g").f32x4Mul().get("g").f32x4Mul()
      .f32x4Add().set("v");
    store("expAvgSq", "v");
    if (amsgrad) {
      load("maxExpAvgSq").get("v").f32x4Pmax().set("v");
      store("maxExpAvgSq", "v");
    }
    // θ ← θ − (stepSize·m) / (√v / √(1 − β₂ᵗ) + ε)
    f.get("param").get("at").add();
    f.get("theta").get("stepSize4").get("m").f32x4Mul();
    f.get("v").f32x4Sqrt().get("biasCorrection2Sqrt4").f32x4Div().get("eps4").f32x4Add();
    f.f32x4Div().f32x4Sub().v128Store();
  });
  return f;
}

let compiled: WebAssembly.Module | null = null;

function compileAdamModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(
    encodeModule(
      { update: updateFunction(false), updateAmsgrad: updateFunction(true) },
      { pages: 1, maxPages: 65536 },
    ),
  );
  return compiled;
}

interface Exports {
  memory: WebAssembly.Memory;
  update(...args: number[]): void;
  updateAmsgrad(...args: number[]): void;
}

/** `count` rounded up to whole f32x4 vectors. */
function padded(count: number): number {
  return Math.ceil(count / 4) * 4;
}

export class WasmAdamOptimizer implements Optimizer {
  readonly state: Record<string, Float32Array[]> = {};
  readonly #exports: Exports;
  /** Float offsets of each tensor's moments, and of the parameter and gradient staging. */
  readonly #offsets: {
    expAvg: number;
    expAvgSq: number;
    maxExpAvgSq: number;
    param: number;
    grad: number;
  }[] = [];
  readonly #param: number;
  readonly #grad: number;
  readonly #floats: Float32Array;
  #steps = 0;

  constructor(readonly spec: AdamSpec, readonly sizes: number[]) {
    this.#exports = new WebAssembly.Instance(compileAdamModule()).exports as unknown as Exports;
    const moments = spec.amsgrad ? 3 : 2;
    let next = 0;
    const take = (count: number) => (next += padded(count)) - padded(count);
    for (const size of sizes) {
      const expAvg = take(size), expAvgSq = take(size);
      const maxExpAvgSq = moments === 3 ? take(size) : 0;
      this.#offsets.push({ expAvg, expAvgSq, maxExpAvgSq, param: take(size), grad: take(size) });
    }
    const largest = Math.max(0, ...sizes);
    this.#param = take(largest);
    this.#grad = take(largest);
    // Grown once, here: growing later would detach the views handed out as state.
    const memory = this.#exports.memory;
    const pages = Math.ceil((next * 4) / PAGE_BYTES) - memory.buffer.byteLength / PAGE_BYTES;
    if (pages > 0) memory.grow(pages);
    this.#floats = new Float32Array(memory.buffer);
    const views = (key: "expAvg" | "expAvgSq" | "maxExpAvgSq") =>
      this.#offsets.map((offset, t) => this.#floats.subarray(offset[key], offset[key] + sizes[t]));
    this.state.exp_avg = views("expAvg");
    this.state.exp_avg_sq = views("expAvgSq");
    if (spec.amsgrad) this.state.max_exp_avg_sq = views("maxExpAvgSq");
  }

  /**
   * Each tensor's parameter and gradient places in this memory, in order: a model that keeps its
   * tensors there (`Mlp`'s `storage`) is updated in place, with no copies. Their padding lanes
   * stay zero: gradients are written only within each tensor, and Adam keeps zeros zero.
   */
  storage(): ParameterStorage {
    return parameterStorage(this.sizes, this.#floats, this.#offsets);
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
    const [beta1, beta2] = spec.betas;
    const { stepSize, biasCorrection2Sqrt, decay, gradientDecay } = adamScalars(
      spec,
      this.#steps + 1,
    );
    const update = spec.amsgrad ? this.#exports.updateAmsgrad : this.#exports.update;
    const floats = this.#floats;
    params.forEach((param, t) => {
      const size = this.sizes[t];
      const end = padded(size);
      const { expAvg, expAvgSq, maxExpAvgSq } = this.#offsets[t];
      const inPlace = this.#holds(param, this.#offsets[t].param) &&
        this.#holds(grads[t], this.#offsets[t].grad);
      const at = inPlace ? this.#offsets[t] : { param: this.#param, grad: this.#grad };
      if (!inPlace) {
        floats.set(param.subarray(0, size), this.#param);
        floats.set(grads[t].subarray(0, size), this.#grad);
        // The padding lanes compute on zeros, never on stale bits (NaN, slow subnormals).
        floats.fill(0, this.#param + size, this.#param + end);
        floats.fill(0, this.#grad + size, this.#grad + end);
      }
      update(
        at.param * 4,
        at.grad * 4,
        expAvg * 4,
        expAvgSq * 4,
        maxExpAvgSq * 4,
        end * 4,
        beta1,
        beta2,
        1 - beta1,
        1 - beta2,
        stepSize,
        biasCorrection2Sqrt,
        spec.eps,
        decay,
        gradientDecay,
      );
      if (!inPlace) param.set(floats.subarray(this.#param, this.#param + size));
    });
    this.#steps++;
  }

  /** Whether `tensor` is this memory's view at float offset `at`. */
  #holds(tensor: Float32Array, at: number): boolean {
    return tensor.buffer === this.#floats.buffer && tensor.byteOffset === at * 4;
  }
}
