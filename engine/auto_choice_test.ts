import assert from "node:assert/strict";
import {
  type BackendFigures,
  chooseBackend,
  fitFigures,
  parameterCount,
  predictEpochSeconds,
  type RunShape,
  stepFlops,
  type TimedShape,
} from "./auto_choice.ts";

const DEFAULT_MODEL = [784, 512, 256, 10];
const mnist = (batch: number): RunShape => ({
  batch,
  steps: Math.ceil(54000 / batch),
  widths: DEFAULT_MODEL,
});

function figures(overrides: Partial<BackendFigures>): BackendFigures {
  return {
    backend: "cpu",
    description: "CPU, OpenBLAS",
    isFallbackAdapter: false,
    stepSeconds: 50e-6,
    parametersPerSecond: 300e6,
    flopsPerSecond: 50e9,
    epochSeconds: 0,
    timed: [],
    ...overrides,
  };
}

// Figures of the kind measured on a 2-core EPYC with lavapipe (bench/README.md): the software
// adapter pays ~15 ms a step in dispatches and does its products at under a GFLOP/s.
const cpu = figures({});
const lavapipe = figures({
  backend: "webgpu",
  description: "llvmpipe (LLVM 15.0.6, 256 bits)",
  isFallbackAdapter: true,
  stepSeconds: 15e-3,
  parametersPerSecond: 1.5e6,
  flopsPerSecond: 0.6e9,
  epochSeconds: 12e-3,
});
// A hardware GPU: tens of µs a step in dispatches, tens of TFLOP/s, a 10 ms readback.
const gpu = figures({
  backend: "webgpu",
  description: "NVIDIA H100",
  stepSeconds: 40e-6,
  parametersPerSecond: 50e9,
  flopsPerSecond: 20e12,
  epochSeconds: 10e-3,
});

Deno.test("stepFlops() counts forward, dW and dX, without the input's gradient", () => {
  // 784-512-256-10 at batch 1: first layer 2·784·512 multiply-adds (forward, dW), the others 3
  // each (dX too); two FLOPs a multiply-add.
  const macs = 2 * 784 * 512 + 3 * 512 * 256 + 3 * 256 * 10;
  assert.equal(stepFlops(1, DEFAULT_MODEL), 2 * macs);
  assert.equal(stepFlops(128, DEFAULT_MODEL), 256 * macs);
  assert.equal(parameterCount(DEFAULT_MODEL), 785 * 512 + 513 * 256 + 257 * 10);
});

Deno.test("fitFigures() recovers a backend's step cost, parameter rate and product rate", () => {
  const truth = { stepSeconds: 30e-6, parametersPerSecond: 200e6, flopsPerSecond: 40e9 };
  const time = (batch: number, widths: number[]): TimedShape => ({
    batch,
    widths,
    stepSeconds: truth.stepSeconds + parameterCount(widths) / truth.parametersPerSecond +
      stepFlops(batch, widths) / truth.flopsPerSecond,
  });
  const fitted = fitFigures(
    time(4, [16, 16, 4]),
    time(1, [784, 128, 10]),
    time(128, [784, 128, 10]),
  );
  assert.ok(Math.abs(fitted.stepSeconds / truth.stepSeconds - 1) < 1e-9, `${fitted.stepSeconds}`);
  assert.ok(Math.abs(fitted.parametersPerSecond / truth.parametersPerSecond - 1) < 1e-9);
  assert.ok(Math.abs(fitted.flopsPerSecond / truth.flopsPerSecond - 1) < 1e-9);
});

Deno.test("fitFigures() keeps rates finite and costs non-negative when noise inverts timings", () => {
  // The large batch timed faster than one example, and the tiny shape slower than both.
  const fitted = fitFigures(
    { batch: 4, widths: [16, 16, 4], stepSeconds: 5e-3 },
    { batch: 1, widths: [784, 128, 10], stepSeconds: 2e-3 },
    { batch: 128, widths: [784, 128, 10], stepSeconds: 1e-3 },
  );
  for (const value of Object.values(fitted)) assert.ok(Number.isFinite(value) && value >= 0);
  assert.ok(fitted.flopsPerSecond > 0 && fitted.parametersPerSecond > 0);
});

Deno.test("predictEpochSeconds() adds the epoch's cost to its steps'", () => {
  const shape = { batch: 2, steps: 10, widths: [3, 4, 2] };
  const step = lavapipe.stepSeconds + parameterCount(shape.widths) / lavapipe.parametersPerSecond +
    stepFlops(2, shape.widths) / lavapipe.flopsPerSecond;
  assert.equal(predictEpochSeconds(lavapipe, shape), lavapipe.epochSeconds + 10 * step);
});

Deno.test("chooseBackend() keeps runs off a software adapter slower than the CPU at every batch", () => {
  for (const batch of [1, 32, 128, 1024, 54000]) {
    const choice = chooseBackend([cpu, lavapipe], mnist(batch));
    assert.equal(choice.chosen, 0, `batch ${batch}: ${choice.reason}`);
    assert.ok(choice.epochSeconds[1] > choice.epochSeconds[0]);
  }
});

Deno.test("chooseBackend() sends large batches to a hardware GPU and tiny models to the CPU", () => {
  assert.equal(chooseBackend([cpu, gpu], mnist(128)).chosen, 1);
  assert.equal(chooseBackend([cpu, gpu], mnist(1024)).chosen, 1);
  // 10-16-2 one example at a time, 100 steps: 50 µs a step on the CPU beats a 10 ms readback.
  const tiny = { batch: 1, steps: 100, widths: [10, 16, 2] };
  const choice = chooseBackend([cpu, gpu], tiny);
  assert.equal(choice.chosen, 0, choice.reason);
});

Deno.test("chooseBackend() says what it chose and the predictions it chose from", () => {
  const choice = chooseBackend([cpu, lavapipe], mnist(128));
  assert.match(
    choice.reason,
    /^CPU, OpenBLAS: predicted an epoch of 422 steps of 128 \(784-512-256-10\) in CPU, OpenBLAS [\d.]+ s, llvmpipe \(LLVM 15\.0\.6, 256 bits\) [\d.]+ s$/,
  );
  assert.equal(chooseBackend([cpu], mnist(128)).reason, "CPU, OpenBLAS, the only candidate");
  assert.throws(() => chooseBackend([], mnist(128)), /at least one candidate/);
});

Deno.test("chooseBackend() takes the first of equal predictions", () => {
  const twin = figures({ backend: "webgpu", description: "twin" });
  assert.equal(chooseBackend([cpu, twin], mnist(128)).chosen, 0);
  assert.equal(chooseBackend([twin, cpu], mnist(128)).chosen, 0);
});
