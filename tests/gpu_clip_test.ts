/**
 * Gradient clipping in WebGpuSession against the CPU reference (which tests/torch_parity_test.ts
 * checks against torch's clip_grad_norm_ and clip_grad_value_): two epochs on the tiny dataset,
 * comparing each epoch's loss and the final state. Same tolerances as gpu_session_test.ts:
 * parameters within 1e-4·|cpu| + 2e-5, losses within 1e-4 relative. Each case first checks on
 * the CPU that its clipping changes the run, so a GPU that ignored it would fail.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { NamedTensor } from "../engine/backend.ts";
import { CpuBackend } from "../engine/cpu/session.ts";
import type { RunConfig } from "../engine/spec.ts";
import { WebGpuBackend } from "../engine/webgpu/backend.ts";
import { adapter, assertStateClose, tinyConfig, tinyData, toleranceRatio } from "./gpu_fixtures.ts";
import { gpuTestOptions } from "./gpu_options.ts";

const STATE_RTOL = 1e-4;
const STATE_ATOL = 2e-5;
const LOSS_RTOL = 1e-4;
const EPOCHS = 2;

async function trainCpu(config: RunConfig): Promise<NamedTensor[]> {
  const session = await new CpuBackend().createSession(config, tinyData());
  for (let epoch = 0; epoch < EPOCHS; epoch++) await session.trainEpoch(epoch);
  return await session.getState();
}

async function assertClipsLikeCpu(backend: WebGpuBackend, config: RunConfig): Promise<void> {
  const unclipped = await trainCpu({ ...config, gradientClipping: null });
  const data = tinyData();
  const gpu = await backend.createSession(config, data);
  const cpu = await new CpuBackend().createSession(config, data);
  try {
    for (let epoch = 0; epoch < EPOCHS; epoch++) {
      const [g, c] = [await gpu.trainEpoch(epoch), await cpu.trainEpoch(epoch)];
      const ratio = toleranceRatio([g.loss], [c.loss], LOSS_RTOL, 1e-7);
      assert.ok(ratio <= 1, `epoch ${epoch} loss: GPU ${g.loss}, CPU ${c.loss}`);
    }
    const expected = await cpu.getState();
    assert.throws(
      () => assertStateClose(unclipped, expected, STATE_RTOL, STATE_ATOL),
      "clipping should change this run",
    );
    assertStateClose(await gpu.getState(), expected, STATE_RTOL, STATE_ATOL);
  } finally {
    gpu.dispose();
  }
}

Deno.test({
  name: "WebGpuSession clips gradients like the CPU reference, by norm and by value",
  ignore: !adapter,
  async fn(t) {
    const backend = await WebGpuBackend.create(gpuTestOptions());
    const sgd = {
      type: "sgd" as const,
      lr: 0.1,
      momentum: 0.9,
      dampening: 0,
      weightDecay: 1e-3,
      nesterov: false,
    };
    try {
      await t.step("by the 2-norm, with an L2 penalty and weight decay", () =>
        assertClipsLikeCpu(
          backend,
          tinyConfig({
            optimizer: sgd,
            regularization: { l1: 0, l2: 1e-3 },
            gradientClipping: { type: "norm", maxNorm: 0.05, normType: 2 },
          }),
        ));
      await t.step("by the inf norm under Adam with an L1 penalty", () =>
        assertClipsLikeCpu(
          backend,
          tinyConfig({
            regularization: { l1: 1e-4, l2: 0 },
            gradientClipping: { type: "norm", maxNorm: 0.01, normType: "inf" },
          }),
        ));
      await t.step("by value", () =>
        assertClipsLikeCpu(
          backend,
          tinyConfig({
            optimizer: sgd,
            gradientClipping: { type: "value", clipValue: 0.005 },
          }),
        ));
    } finally {
      backend.destroy();
    }
  },
});
