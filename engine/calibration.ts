/**
 * The measurement `device: "auto"` chooses from (`auto_choice.ts`): each candidate backend — the
 * fast CPU backend and the WebGPU adapter, hardware or software — trains three shapes
 * ({@linkcode SHAPES}) for a few steps each, and a 1-row evaluation gives what an epoch costs on
 * top (the GPU's readback). On a shared 2-core machine with lavapipe that took 9–10 s under a
 * load of 12–14 (bench/auto_calibration_bench.ts), most of it lavapipe compiling and running its
 * kernels; it runs outside any training loop, once per process at most, and is kept per machine
 * (`calibration_cache.ts`), so later processes read it instead.
 *
 * @module
 */

import { type BackendFigures, fitFigures, type TimedShape } from "./auto_choice.ts";
import type { Backend } from "./backend.ts";
import type { Examples, PreparedData } from "./data/dataset.ts";
import type { RunConfig } from "./spec.ts";

/** What was measured, and where. */
export interface Calibration {
  /** Identifies the machine, adapter, CPU kernels and engine version measured. */
  key: string;
  /** ISO time of the measurement. */
  measuredAt: string;
  /** Seconds the measurement took. */
  seconds: number;
  /** The CPU backend first, then the WebGPU adapter if there is one. */
  candidates: BackendFigures[];
}

/** A candidate to time: the backend, and whether it is a software adapter. */
export interface Candidate {
  backend: Backend;
  isFallbackAdapter: boolean;
}

/**
 * The shapes timed: one whose step costs little but its dispatches and host work, one with a
 * small MNIST model's parameters one example at a time (the optimizer's share), and the same
 * model 128 examples at a time, where the products dominate.
 */
export const SHAPES = [
  { batch: 4, widths: [16, 16, 4] },
  { batch: 1, widths: [784, 128, 10] },
  { batch: 128, widths: [784, 128, 10] },
] as const;

/**
 * Steps per timed epoch for each shape, warm-up epochs (pipelines, allocations, the JIT) and
 * timed epochs (the fastest counts: other processes only ever slow one down). A software adapter
 * takes 10–200 ms a step, so it gets a few (its figures are rough, but it loses or wins by a wide
 * margin); a hardware GPU takes microseconds, so it gets enough that the epoch's readback (about
 * 10 ms in Deno) does not swamp them.
 */
const PLANS = {
  cpu: { steps: [32, 16, 8], warmUp: 2, epochs: 2 },
  software: { steps: [2, 2, 1], warmUp: 1, epochs: 1 },
  hardware: { steps: [256, 128, 64], warmUp: 1, epochs: 2 },
} as const;

/** Times every candidate, one after the other. */
export async function measureCandidates(
  candidates: readonly Candidate[],
  key: string,
): Promise<Calibration> {
  const began = performance.now();
  const figures: BackendFigures[] = [];
  for (const { backend, isFallbackAdapter } of candidates) {
    const plan =
      PLANS[backend.kind === "cpu" ? "cpu" : isFallbackAdapter ? "software" : "hardware"];
    const timed: TimedShape[] = [];
    let epochSeconds = Infinity;
    for (const [i, shape] of SHAPES.entries()) {
      const result = await timeShape(backend, shape, plan.steps[i], plan);
      timed.push(result.timed);
      epochSeconds = Math.min(epochSeconds, result.epochSeconds);
    }
    figures.push({
      backend: backend.kind,
      description: backend.description,
      isFallbackAdapter,
      ...fitFigures(timed[0], timed[1], timed[2]),
      epochSeconds,
      timed,
    });
  }
  return {
    key,
    measuredAt: new Date().toISOString(),
    seconds: (performance.now() - began) / 1000,
    candidates: figures,
  };
}

/**
 * Warm-up epochs, then the fastest of the timed epochs of `steps` steps, less what an epoch's end
 * costs: a 1-row evaluation's time (a dispatch and a readback), once it too is warm.
 */
async function timeShape(
  backend: Backend,
  shape: { batch: number; widths: readonly number[] },
  steps: number,
  repeats: { warmUp: number; epochs: number },
): Promise<{ timed: TimedShape; epochSeconds: number }> {
  const widths = [...shape.widths];
  const session = await backend.createSession(
    calibrationConfig(shape.batch, widths, repeats.warmUp + repeats.epochs),
    calibrationData(shape.batch * steps, widths),
  );
  const seconds = async (work: () => Promise<unknown>) => {
    const began = performance.now();
    await work();
    return (performance.now() - began) / 1000;
  };
  try {
    let epoch = 0;
    for (; epoch < repeats.warmUp; epoch++) await session.trainEpoch(epoch);
    await session.evaluate("dev");
    let fastest = Infinity;
    for (; epoch < repeats.warmUp + repeats.epochs; epoch++) {
      const index = epoch;
      fastest = Math.min(fastest, await seconds(() => session.trainEpoch(index)));
    }
    // An epoch's end costs at most half its time here: the rest is its steps.
    const epochSeconds = Math.min(await seconds(() => session.evaluate("dev")), fastest / 2);
    const stepSeconds = (fastest - epochSeconds) / steps;
    return { timed: { batch: shape.batch, widths, stepSeconds }, epochSeconds };
  } finally {
    session.dispose();
  }
}

/** The default model's kind of run: ReLU, dropout 0.2, Adam, cross-entropy, in row order. */
function calibrationConfig(batch: number, widths: number[], epochs: number): RunConfig {
  return {
    name: "calibration",
    seed: 0,
    data: { dataset: "calibration", normalize: null, split: { train: 1, dev: 0 } },
    model: {
      init: "default",
      layers: widths.slice(1, -1).map((units) => ({
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
    batch: { mode: "minibatch", size: batch, shuffle: false },
    epochs,
    device: "auto",
    layerStats: false,
  };
}

/** Pixels as MNIST's (u8, normalised in the first layer), labels cycling through the classes. */
function calibrationData(rows: number, widths: number[]): PreparedData {
  const features = widths[0];
  const classes = widths[widths.length - 1];
  const examples = (count: number): Examples => {
    const inputs = new Uint8Array(count * features);
    for (let i = 0; i < inputs.length; i++) inputs[i] = (i * 2654435761) >>> 24;
    const labels = new Uint8Array(count);
    for (let i = 0; i < count; i++) labels[i] = i % classes;
    return { count, inputs, labels };
  };
  return {
    features,
    classes,
    transform: { scale: 1 / 255, shift: 0 },
    train: examples(rows),
    dev: examples(1),
    test: examples(1),
  };
}
