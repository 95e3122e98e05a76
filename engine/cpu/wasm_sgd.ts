/**
 * SGD for the fast CPU backend: the update rule of `optim/sgd.ts` (torch 1.13's
 * `_single_tensor_sgd`, https://pytorch.org/docs/stable/generated/torch.optim.SGD.html) in
 * WebAssembly SIMD, four f32 lanes at a time:
 *
 *     g ← ∇ + λ·θ                      (weight decay λ)
 *     b ← g at the first step, else μ·b + (1 − τ)·g   (momentum μ, dampening τ)
 *     g ← g + μ·b with Nesterov, else b
 *     θ ← θ − γ·g
 *
 * The first step's copy is the same update with μ·b replaced by 0·b and 1 − τ by 1 (the buffer
 * is still zero then). Every operation rounds to f32, as torch's do, where the reference rounds
 * f64 intermediates once. Parameters, gradients and the momentum buffer live in the module's
 * memory ({@linkcode WasmTensorMemory}); the reference loop took 2.6 ns a parameter with
 * momentum on the default model, the momentum buffer read and written on top of the parameter.
 *
 * @module
 */

import type { SgdSpec } from "../spec.ts";
import { type StepHyper, withHyper } from "../schedule/lr_scheduler.ts";
import type { ParameterStorage } from "./mlp.ts";
import type { Optimizer } from "./optim/optimizer.ts";
import { SgdOptimizer } from "./optim/sgd.ts";
import { encodeModule, FunctionWriter } from "./wasm_encoder.ts";
import { WasmTensorMemory } from "./wasm_tensor_memory.ts";

/** plain(param, grad, bytes, lr, decay): θ ← θ − γ·(∇ + λ·θ) over `bytes` (a multiple of 16). */
function plainFunction(): FunctionWriter {
  const f = new FunctionWriter([
    ["param", "i32"],
    ["grad", "i32"],
    ["bytes", "i32"],
    ["lr", "f32"],
    ["decay", "f32"],
  ]);
  f.local("i32", "at");
  f.local("v128", "theta", "lr4", "decay4");
  f.get("lr").f32x4Splat().set("lr4");
  f.get("decay").f32x4Splat().set("decay4");
  f.loopWhile("at", "bytes", 16, () => {
    f.get("param").get("at").add().v128Load().set("theta");
    f.get("param").get("at").add();
    f.get("theta");
    f.get("grad").get("at").add().v128Load().get("decay4").get("theta").f32x4Mul().f32x4Add();
    f.get("lr4").f32x4Mul().f32x4Sub().v128Store();
  });
  return f;
}

/**
 * momentum(param, grad, buffer, bytes, lr, decay, keep, gain, momentum): b ← keep·b + gain·g,
 * then θ ← θ − γ·(g + μ·b) with `nesterov`, else θ ← θ − γ·b.
 */
function momentumFunction(nesterov: boolean): FunctionWriter {
  const scalars = ["lr", "decay", "keep", "gain", "momentum"];
  const f = new FunctionWriter([
    ["param", "i32"],
    ["grad", "i32"],
    ["buffer", "i32"],
    ["bytes", "i32"],
    ...scalars.map((name) => [name, "f32"] as [string, "f32"]),
  ]);
  f.local("i32", "at");
  f.local("v128", "theta", "g", "b", ...scalars.map((name) => `${name}4`));
  for (const name of scalars) f.get(name).f32x4Splat().set(`${name}4`);
  f.loopWhile("at", "bytes", 16, () => {
    // g ← ∇ + λ·θ
    f.get("param").get("at").add().v128Load().set("theta");
    f.get("grad").get("at").add().v128Load().get("decay4").get("theta").f32x4Mul().f32x4Add()
      .set("g");
    // b ← keep·b + gain·g
    f.get("buffer").get("at").add();
    f.get("keep4").get("buffer").get("at").add().v128Load().f32x4Mul();
    f.get("gain4").get("g").f32x4Mul().f32x4Add().set("b").get("b").v128Store();
    // θ ← θ − γ·(g + μ·b) or θ − γ·b
    f.get("param").get("at").add().get("theta");
    if (nesterov) f.get("g").get("momentum4").get("b").f32x4Mul().f32x4Add();
    else f.get("b");
    f.get("lr4").f32x4Mul().f32x4Sub().v128Store();
  });
  return f;
}

let compiled: WebAssembly.Module | null = null;

function compileSgdModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(
    encodeModule(
      {
        plain: plainFunction(),
        momentum: momentumFunction(false),
        nesterov: momentumFunction(true),
      },
      { pages: 1, maxPages: 65536 },
    ),
  );
  return compiled;
}

interface Exports {
  memory: WebAssembly.Memory;
  plain(...args: number[]): void;
  momentum(...args: number[]): void;
  nesterov(...args: number[]): void;
}

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
    if (momentum === 0) {
      memory.forEach(params, grads, (at) => {
        this.#exports.plain(at.param, at.grad, at.bytes, lr, weightDecay);
      });
    } else {
      // torch creates the buffer at the first step with momentum ≠ 0; a checkpoint may bring one.
      const own = this.state.momentum_buffer;
      this.state.momentum_buffer = own
        ? memory.adopt("momentum_buffer", own)
        : memory.views("momentum_buffer");
      const first = this.#momentumSteps === 0;
      const [keep, gain] = first ? [0, 1] : [momentum, 1 - dampening];
      const update = nesterov ? this.#exports.nesterov : this.#exports.momentum;
      memory.forEach(params, grads, (at) => {
        const buffer = at.state.momentum_buffer;
        update(at.param, at.grad, buffer, at.bytes, lr, weightDecay, keep, gain, momentum);
      });
      this.#momentumSteps++;
    }
    this.#steps++;
  }
}
