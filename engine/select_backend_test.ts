import assert from "node:assert/strict";
import { autoCalibration, decideAuto, EXAMPLE_SHAPES } from "./auto_device.ts";
import { openCpuBackend } from "./cpu/fast_backend.ts";
import { closeWebGpu, effectiveBatch, runShape, selectBackend } from "./select_backend.ts";
import { requestAdapter } from "./webgpu/adapter.ts";

const adapter = await requestAdapter();

Deno.test("effectiveBatch() is 1, the minibatch size capped by the rows, or every row", () => {
  assert.equal(effectiveBatch({ mode: "stochastic", size: 64, shuffle: true }, 900), 1);
  assert.equal(effectiveBatch({ mode: "minibatch", size: 128, shuffle: true }, 900), 128);
  assert.equal(effectiveBatch({ mode: "minibatch", size: 4096, shuffle: true }, 900), 900);
  assert.equal(effectiveBatch({ mode: "full", size: 1, shuffle: false }, 900), 900);
});

Deno.test("runShape() gives auto a run's examples per step, steps per epoch and widths", () => {
  const layers = [{ units: 512, activation: "relu" as const, batchNorm: false, dropout: 0.2 }];
  assert.deepEqual(
    runShape({ mode: "minibatch", size: 128, shuffle: true }, 54000, 784, layers, 10),
    { batch: 128, steps: 422, widths: [784, 512, 10] },
  );
  assert.deepEqual(
    runShape({ mode: "full", size: 1, shuffle: false }, 900, 10, [], 1),
    { batch: 900, steps: 1, widths: [10, 1] },
  );
});

Deno.test("device cpu is the fast CPU backend, with or without an adapter", async () => {
  const selected = await selectBackend("cpu");
  assert.equal(selected.backend.kind, "cpu");
  assert.equal(selected.backend.description, openCpuBackend().description);
  assert.equal(selected.why, undefined);
});

Deno.test({
  name: "auto trains each shape where this machine's calibration predicts it fastest",
  ignore: !adapter,
  async fn() {
    try {
      const gpu = (await selectBackend("gpu")).backend;
      assert.equal(gpu.kind, "webgpu", "gpu forces the adapter");
      const summary = {
        description: gpu.description,
        isFallbackAdapter: adapter!.info.isFallbackAdapter ?? false,
      };
      const calibration = await autoCalibration(
        openCpuBackend(),
        summary,
        () => Promise.resolve({ backend: gpu, release() {} }),
      );
      for (const shape of EXAMPLE_SHAPES) {
        const expected = decideAuto(summary, calibration, shape);
        const selected = await selectBackend("auto", shape);
        assert.equal(selected.backend.kind, expected.backend, expected.why);
        assert.equal(selected.why, expected.why);
        assert.match(selected.why!, /^measured .*: .* predicted an epoch of \d+ steps? of \d+/);
      }
    } finally {
      await closeWebGpu();
    }
  },
});
