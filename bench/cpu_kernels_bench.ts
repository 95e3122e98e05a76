/**
 * The fast CPU backend's parts, timed alone on the default model (784-512-256-10, batch 128):
 * GFLOP/s of each Linear product on every Gemm that loads here (OpenBLAS on 1 and 2 threads,
 * WebAssembly SIMD; the best of several runs, as the machine allows), ns a parameter of an Adam
 * step (reference and WebAssembly), and ms of a training step's forward, backward and optimizer
 * on each backend (medians). The figures behind bench/README.md's "why these means".
 *
 *     deno run --allow-env --allow-ffi --allow-sys bench/cpu_kernels_bench.ts
 *
 * @module
 */

import { BlasGemm } from "../engine/cpu/blas_gemm.ts";
import { fastOptimizer } from "../engine/cpu/fast_kernels.ts";
import type { Gemm, GemmShape } from "../engine/cpu/gemm.ts";
import { lossForward } from "../engine/cpu/losses.ts";
import { Mlp, parameterSizes } from "../engine/cpu/mlp.ts";
import { createOptimizer, type Optimizer } from "../engine/cpu/optim/optimizer.ts";
import { WasmGemm } from "../engine/cpu/wasm_gemm.ts";
import { Rng } from "../engine/random.ts";
import type { AdamSpec } from "../engine/spec.ts";

const BATCH = 128;
const SIZES = [784, 512, 256, 10];
const ADAM: AdamSpec = {
  type: "adam",
  lr: 1e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0,
  amsgrad: false,
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

function random(count: number, rng: Rng): Float32Array {
  return Float32Array.from({ length: count }, () => rng.uniform() - 0.5);
}

/** Every product of a training step, named as linear_gemm.ts computes it. */
function products(): [string, GemmShape][] {
  const shapes: [string, GemmShape][] = [];
  for (let l = 0; l + 1 < SIZES.length; l++) {
    const [inF, outF] = [SIZES[l], SIZES[l + 1]];
    shapes.push([`forward ${inF}→${outF}`, {
      m: BATCH,
      n: outF,
      k: inF,
      transA: false,
      transB: true,
    }]);
    shapes.push([`dW ${outF}×${inF}`, { m: outF, n: inF, k: BATCH, transA: true, transB: false }]);
    if (l > 0) {
      shapes.push([`dX ${inF}←${outF}`, {
        m: BATCH,
        n: inF,
        k: outF,
        transA: false,
        transB: false,
      }]);
    }
  }
  return shapes;
}

function gemmRates(name: string, gemm: Gemm): void {
  const rng = new Rng(1);
  const cells = products().map(([label, shape]) => {
    const a = random(shape.m * shape.k, rng);
    const b = random(shape.k * shape.n, rng);
    const c = new Float32Array(shape.m * shape.n);
    let best = Infinity;
    for (let round = 0; round < 15; round++) {
      const start = performance.now();
      for (let i = 0; i < 5; i++) gemm.multiply(shape, a, b, c);
      best = Math.min(best, (performance.now() - start) / 5);
    }
    return `${label} ${((2 * shape.m * shape.n * shape.k) / best / 1e6).toFixed(1)}`;
  });
  console.log(`${name} (${gemm.description}), GFLOP/s: ${cells.join(", ")}`);
}

function adamRate(name: string, optimizer: Optimizer, sizes: number[]): void {
  const rng = new Rng(2);
  const params = sizes.map((size) => random(size, rng));
  const grads = sizes.map((size) => random(size, rng));
  const times: number[] = [];
  for (let step = 0; step < 30; step++) {
    const start = performance.now();
    optimizer.step(params, grads);
    times.push(performance.now() - start);
  }
  const total = sizes.reduce((a, b) => a + b, 0);
  console.log(`Adam ${name}: ${((median(times) * 1e6) / total).toFixed(2)} ns a parameter`);
}

/**
 * Medians of a training step's parts; `inPlace`: the model keeps its parameters in WebAssembly
 * Adam's memory (as the fast backend's sessions do), else Adam copies them in and out.
 */
function stepTimes(name: string, gemm: Gemm | null, inPlace = gemm !== null): void {
  const layers = [512, 256].map((units) => ({
    units,
    activation: "relu" as const,
    batchNorm: false,
    dropout: 0.2,
  }));
  const shape = { features: 784, layers, outputs: 10 };
  const sizes = parameterSizes(shape);
  const optimizer = gemm ? fastOptimizer(ADAM, sizes) : createOptimizer(ADAM, sizes);
  const storage = inPlace ? optimizer.storage?.() ?? null : null;
  const model = new Mlp(shape, "default", new Rng(0), gemm, storage);
  const rng = new Rng(3);
  // MNIST-like: four in five inputs are the normalised background, −1.
  const inputs = Float32Array.from({ length: BATCH * 784 }, () => {
    return rng.uniform() < 0.8 ? -1 : rng.uniform();
  });
  const labels = Uint8Array.from({ length: BATCH }, () => rng.int(10));
  const dLogits = new Float32Array(BATCH * 10);
  const params = model.parameters.map((p) => p.data);
  const parts: Record<"forward" | "backward" | "optimizer", number[]> = {
    forward: [],
    backward: [],
    optimizer: [],
  };
  for (let step = 0; step < 60; step++) {
    const t0 = performance.now();
    const logits = model.forward(inputs, BATCH, { training: true, dropout: { seed: 0, step } }, -1);
    lossForward("cross_entropy", logits, labels, BATCH, 10, dLogits);
    const t1 = performance.now();
    model.backward(dLogits);
    const t2 = performance.now();
    optimizer.step(params, model.gradients);
    const t3 = performance.now();
    parts.forward.push(t1 - t0);
    parts.backward.push(t2 - t1);
    parts.optimizer.push(t3 - t2);
  }
  const cells = Object.entries(parts).map(([part, ms]) => `${part} ${median(ms).toFixed(2)}`);
  console.log(`step, ${name}${inPlace ? "" : ", Adam copying"}, ms: ${cells.join(", ")}`);
}

if (import.meta.main) {
  console.log(`load average: ${Deno.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  const wasm = new WasmGemm();
  const gemms: [string, Gemm][] = [["WebAssembly", wasm]];
  for (const threads of [1, 2]) {
    const blas = BlasGemm.open(threads);
    if (!(blas instanceof BlasGemm)) {
      console.log(`OpenBLAS: ${blas.reason}`);
      break;
    }
    gemmRates(`OpenBLAS ${threads}`, blas);
    if (threads === 1) gemms.push(["OpenBLAS 1 thread", blas]);
  }
  gemmRates("WebAssembly", wasm);
  // The default model's parameter tensors: each layer's weight, then its bias.
  const model = SIZES.slice(1).flatMap((out, l) => [out * SIZES[l], out]);
  adamRate("reference", createOptimizer(ADAM, model), model);
  adamRate("WebAssembly", fastOptimizer(ADAM, model), model);
  stepTimes("reference", null);
  for (const [name, gemm] of gemms) {
    // OpenBLAS's threads are process-wide: the step runs on one.
    if (gemm instanceof BlasGemm) BlasGemm.open(1);
    stepTimes(name, gemm, false);
    stepTimes(name, gemm);
  }
}
