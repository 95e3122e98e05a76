import assert from "node:assert/strict";
import type { BackendFigures } from "./auto_choice.ts";
import { decideAuto, EXAMPLE_SHAPES, parseAutoMode } from "./auto_device.ts";
import type { Calibration } from "./calibration.ts";

const lavapipe = { description: "llvmpipe (LLVM 15.0.6, 256 bits)", isFallbackAdapter: true };
const hardware = { description: "NVIDIA H100", isFallbackAdapter: false };
const defaultRun = EXAMPLE_SHAPES.find((shape) => shape.batch === 128)!;

function figures(backend: "cpu" | "webgpu", stepSeconds: number): BackendFigures {
  return {
    backend,
    description: backend === "cpu" ? "CPU, OpenBLAS" : "llvmpipe",
    isFallbackAdapter: backend === "webgpu",
    stepSeconds,
    parametersPerSecond: 3e8,
    flopsPerSecond: 5e10,
    epochSeconds: 0,
    timed: [],
  };
}

const measured = (cpu: number, gpu: number): Calibration => ({
  key: "k",
  measuredAt: "2026-12-07T21:00:00.000Z",
  seconds: 1,
  candidates: [figures("cpu", cpu), figures("webgpu", gpu)],
});

Deno.test("parseAutoMode() takes measure (the default) and rule, and names them otherwise", () => {
  assert.equal(parseAutoMode(undefined), "measure");
  assert.equal(parseAutoMode(""), "measure");
  assert.equal(parseAutoMode("rule"), "rule");
  assert.throws(
    () => parseAutoMode("gpu"),
    /AJUSTE_AUTO_DEVICE must be one of measure, rule, got "gpu"/,
  );
});

Deno.test("decideAuto() follows the measured figures, saying when they were measured", () => {
  const slowGpu = decideAuto(lavapipe, measured(1e-3, 20e-3), defaultRun);
  assert.equal(slowGpu.backend, "cpu");
  assert.match(slowGpu.why, /^measured 2026-12-07T21:00:00\.000Z: CPU, OpenBLAS: predicted/);
  assert.equal(slowGpu.epochSeconds?.length, 2);
  assert.ok(slowGpu.epochSeconds![0] < slowGpu.epochSeconds![1]);
  // The same adapter, had it measured faster, would be chosen: the rule is the measurement.
  assert.equal(decideAuto(lavapipe, measured(20e-3, 1e-3), defaultRun).backend, "webgpu");
});

Deno.test("decideAuto() without figures: the CPU, or a hardware GPU by rule, never lavapipe", () => {
  assert.deepEqual(decideAuto(null, null, defaultRun), {
    backend: "cpu",
    why: "no WebGPU adapter: the CPU backend",
  });
  const software = decideAuto(lavapipe, null, defaultRun);
  assert.equal(software.backend, "cpu");
  assert.match(software.why, /^by rule: the CPU backend rather than the software adapter llvmpipe/);
  assert.equal(decideAuto(hardware, null, defaultRun).backend, "webgpu");
});
