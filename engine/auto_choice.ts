/**
 * How `device: "auto"` picks a backend for a run: from figures measured on this machine
 * (`calibration.ts`), not from a rule derived on another one. Each candidate — the fast CPU
 * backend, the WebGPU adapter — was timed training three shapes, which gives it three numbers:
 * what a step costs whatever its size (dispatches, host work), how fast it gets through the
 * per-parameter work (the optimizer) and how fast it does the products. With what an epoch costs
 * on top (the GPU's one readback), they predict a run's epoch from its shape, and the run trains
 * where that prediction is smallest.
 *
 * Pure functions over the figures, so the choice is tested without timing anything.
 *
 * @module
 */

/** What a run's epoch costs depends on: its steps, the examples in each, its layer widths. */
export interface RunShape {
  /** Examples per step (`effectiveBatch`). */
  batch: number;
  /** Optimizer steps per epoch. */
  steps: number;
  /** Input features, then each layer's units, the output layer's last. */
  widths: number[];
}

/** One timed shape: seconds a training step took on a backend. */
export interface TimedShape {
  batch: number;
  widths: number[];
  stepSeconds: number;
}

/** A candidate backend's measured figures. */
export interface BackendFigures {
  backend: "cpu" | "webgpu";
  /** "CPU, OpenBLAS 0.3.21 (Zen, 1 thread)", "llvmpipe (LLVM 15.0.6, 256 bits)". */
  description: string;
  /** A software adapter such as lavapipe (false for the CPU backend and hardware GPUs). */
  isFallbackAdapter: boolean;
  /** Seconds every step costs whatever its size (dispatches, host work). */
  stepSeconds: number;
  /** Parameters a second the per-parameter work of a step gets through (the optimizer's). */
  parametersPerSecond: number;
  /** Floating-point operations a second in the steps' products. */
  flopsPerSecond: number;
  /** Seconds an epoch costs on top of its steps (the GPU's readback of its results). */
  epochSeconds: number;
  /** The shapes timed, from which the figures above come. */
  timed: TimedShape[];
}

/** Floating-point operations of one training step's products: forward, dW, dX (not the input's). */
export function stepFlops(batch: number, widths: readonly number[]): number {
  let macs = 0;
  for (let layer = 1; layer < widths.length; layer++) {
    const product = widths[layer - 1] * widths[layer];
    macs += layer === 1 ? 2 * product : 3 * product;
  }
  return 2 * batch * macs;
}

/** Weights and biases of the layers `widths` describes. */
export function parameterCount(widths: readonly number[]): number {
  let count = 0;
  for (let layer = 1; layer < widths.length; layer++) {
    count += (widths[layer - 1] + 1) * widths[layer];
  }
  return count;
}

/**
 * A backend's three figures from its three timed shapes (`calibration.ts`): a tiny one (`fixed`),
 * a model one example at a time (`perParameter`), the same model in a large batch (`products`).
 * Each step's seconds are cost + parameters / parameter rate + FLOPs / product rate; the last two
 * shapes share their parameters, so their difference gives the product rate, then the first two
 * give the parameter rate, then the first the cost. Timing noise can tilt this: no rate is taken
 * as infinite or negative, nor a cost below zero.
 */
export function fitFigures(
  fixed: TimedShape,
  perParameter: TimedShape,
  products: TimedShape,
): Pick<BackendFigures, "stepSeconds" | "parametersPerSecond" | "flopsPerSecond"> {
  const flops = (shape: TimedShape) => stepFlops(shape.batch, shape.widths);
  const parameters = (shape: TimedShape) => parameterCount(shape.widths);
  // Seconds per FLOP, then per parameter, each bounded by the shape that shows it most alone.
  let perFlop = (products.stepSeconds - perParameter.stepSeconds) /
    (flops(products) - flops(perParameter));
  if (!(perFlop > 0)) perFlop = Math.max(products.stepSeconds, 1e-12) / flops(products);
  let perParam = (perParameter.stepSeconds - fixed.stepSeconds -
    perFlop * (flops(perParameter) - flops(fixed))) /
    (parameters(perParameter) - parameters(fixed));
  if (!(perParam > 0)) {
    perParam = Math.max(perParameter.stepSeconds, 1e-12) / parameters(perParameter);
  }
  const stepSeconds = Math.max(
    0,
    fixed.stepSeconds - perParam * parameters(fixed) - perFlop * flops(fixed),
  );
  return { stepSeconds, parametersPerSecond: 1 / perParam, flopsPerSecond: 1 / perFlop };
}

/** Predicted seconds of one epoch of `shape` on `figures`' backend. */
export function predictEpochSeconds(figures: BackendFigures, shape: RunShape): number {
  const step = figures.stepSeconds +
    parameterCount(shape.widths) / figures.parametersPerSecond +
    stepFlops(shape.batch, shape.widths) / figures.flopsPerSecond;
  return figures.epochSeconds + shape.steps * step;
}

export interface AutoChoice {
  /** Index of the chosen candidate. */
  chosen: number;
  /** Predicted seconds an epoch, per candidate, in the calibration's order. */
  epochSeconds: number[];
  /** One sentence: the choice and the predictions it came from. */
  reason: string;
}

/** The candidate predicted to train an epoch of `shape` fastest; the first of equals. */
export function chooseBackend(candidates: readonly BackendFigures[], shape: RunShape): AutoChoice {
  if (candidates.length === 0) throw new RangeError("chooseBackend() needs at least one candidate");
  const epochSeconds = candidates.map((figures) => predictEpochSeconds(figures, shape));
  let chosen = 0;
  for (let i = 1; i < candidates.length; i++) {
    if (epochSeconds[i] < epochSeconds[chosen]) chosen = i;
  }
  const predicted = candidates
    .map((figures, i) => `${figures.description} ${formatSeconds(epochSeconds[i])}`)
    .join(", ");
  const reason = candidates.length === 1
    ? `${candidates[0].description}, the only candidate`
    : `${candidates[chosen].description}: predicted an epoch of ${shape.steps} ` +
      `step${shape.steps === 1 ? "" : "s"} of ${shape.batch} (${shape.widths.join("-")}) ` +
      `in ${predicted}`;
  return { chosen, epochSeconds, reason };
}

function formatSeconds(seconds: number): string {
  if (seconds >= 10) return `${seconds.toFixed(0)} s`;
  if (seconds >= 0.1) return `${seconds.toFixed(2)} s`;
  return `${(seconds * 1000).toPrecision(2)} ms`;
}
