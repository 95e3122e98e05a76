/**
 * What `device: "auto"`'s calibration (`engine/calibration.ts`) costs and measures on this
 * machine: ROUNDS fresh measurements (neither the calibration file nor the process's cache), each
 * timed from opening the adapter to the figures, with each candidate's figures and what `auto` then chooses for the
 * default model on full MNIST at batch 1, 32, 128 and 1024.
 *
 *   deno run --allow-all bench/auto_calibration_bench.ts [ROUNDS]
 *
 * @module
 */

import { decideAuto, EXAMPLE_SHAPES } from "../engine/auto_device.ts";
import { measureCandidates } from "../engine/calibration.ts";
import { openCpuBackend } from "../engine/cpu/fast_backend.ts";
import { probeDevice } from "../engine/device.ts";
import { WebGpuBackend } from "../engine/webgpu/backend.ts";

const rounds = Number(Deno.args[0] ?? 3);
const device = await probeDevice();
if (device.backend !== "webgpu") {
  console.log(`no WebGPU adapter (${device.reason}): auto trains on the CPU, nothing to measure`);
  Deno.exit(0);
}
const adapter = {
  description: device.description || device.vendor || "WebGPU adapter",
  isFallbackAdapter: device.isFallbackAdapter,
};
const load = () => Deno.loadavg()[0].toFixed(1);
for (let round = 1; round <= rounds; round++) {
  const loadBefore = load();
  const began = performance.now();
  const gpu = await WebGpuBackend.create();
  const calibration = await measureCandidates([
    { backend: openCpuBackend(), isFallbackAdapter: false },
    { backend: gpu, isFallbackAdapter: adapter.isFallbackAdapter },
  ], "bench");
  gpu.destroy();
  const seconds = (performance.now() - began) / 1000;
  console.log(`round ${round}: ${seconds.toFixed(2)} s (load ${loadBefore} → ${load()})`);
  for (const figures of calibration.candidates) {
    console.log(
      `  ${figures.description}: step ${(figures.stepSeconds * 1e3).toFixed(3)} ms, ` +
        `${(figures.parametersPerSecond / 1e6).toFixed(0)} M parameters/s, ` +
        `${(figures.flopsPerSecond / 1e9).toFixed(2)} GFLOP/s, epoch end ` +
        `${(figures.epochSeconds * 1e3).toFixed(2)} ms; timed steps ` +
        figures.timed.map((t) => `${(t.stepSeconds * 1e3).toFixed(3)} ms`).join(", "),
    );
  }
  for (const shape of EXAMPLE_SHAPES) {
    const decision = decideAuto(adapter, calibration, shape);
    const [cpu, webgpu] = decision.epochSeconds!;
    console.log(
      `  batch ${shape.batch}: ${decision.backend}, predicted epoch CPU ${cpu.toFixed(2)} s, ` +
        `adapter ${webgpu.toFixed(2)} s (${(webgpu / cpu).toFixed(1)}×)`,
    );
  }
}
