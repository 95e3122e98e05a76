import assert from "node:assert/strict";
import { chooseBackend, predictEpochSeconds } from "./auto_choice.ts";
import { measureCandidates, SHAPES } from "./calibration.ts";
import { openCpuBackend } from "./cpu/fast_backend.ts";

Deno.test("measureCandidates() times each backend on the three shapes and fits its figures", async () => {
  const cpu = openCpuBackend("wasm");
  const calibration = await measureCandidates(
    [{ backend: cpu, isFallbackAdapter: false }, {
      backend: openCpuBackend("reference"),
      isFallbackAdapter: false,
    }],
    "test key",
  );
  assert.equal(calibration.key, "test key");
  assert.ok(calibration.seconds > 0);
  assert.deepEqual(calibration.candidates.map((c) => c.description), [
    cpu.description,
    "CPU reference",
  ]);
  for (const figures of calibration.candidates) {
    assert.deepEqual(
      figures.timed.map(({ batch, widths }) => ({ batch, widths })),
      SHAPES.map(({ batch, widths }) => ({ batch, widths: [...widths] })),
    );
    for (const timed of figures.timed) assert.ok(timed.stepSeconds > 0);
    assert.ok(figures.flopsPerSecond > 0 && Number.isFinite(figures.flopsPerSecond));
    assert.ok(figures.parametersPerSecond > 0 && Number.isFinite(figures.parametersPerSecond));
    assert.ok(figures.stepSeconds >= 0 && figures.epochSeconds >= 0);
    // The fitted figures predict the largest timed shape within the noise of one timing.
    const large = figures.timed[2];
    const predicted = predictEpochSeconds(figures, { ...large, steps: 1 }) -
      figures.epochSeconds;
    assert.ok(predicted > large.stepSeconds / 3 && predicted < large.stepSeconds * 3);
  }
  // The reference loops' products are several times slower than WebAssembly SIMD's.
  const large = { batch: 128, steps: 100, widths: [784, 512, 256, 10] };
  assert.equal(chooseBackend(calibration.candidates, large).chosen, 0);
});
