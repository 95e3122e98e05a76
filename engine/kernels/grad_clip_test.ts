/**
 * The clipping kernels (grad_norm + grad_scale, grad_clamp) against their CPU twin
 * (engine/cpu/grad_clip.ts) with the L1/L2 penalty's gradient added first, as a session does.
 * 70 000 gradients: more than the 256 partials of 256 lanes, so every lane strides.
 *
 * Tolerance: 1e-5·|cpu| + 1e-8 per element. The GPU sums the norm in f32 in another order than
 * the CPU's f64, which moves the coefficient by a few 1e-7 relative.
 *
 * @module
 */

import assert from "node:assert/strict";
import { adapter, toleranceRatio } from "../../tests/gpu_fixtures.ts";
import { KernelHarness, randomFloats } from "../../tests/gpu_harness.ts";
import { clipGradients, totalGradNorm } from "../cpu/grad_clip.ts";
import { addPenaltyGradient } from "../cpu/penalties.ts";
import type { GradientClipping, Regularization } from "../spec.ts";
import { gradClipDispatches, gradClipKernels, NO_PENALTY } from "./grad_clip.ts";

const PARAMS = 70_000;
const RTOL = 1e-5;
const ATOL = 1e-8;

async function clipOnGpu(
  harness: KernelHarness,
  clipping: GradientClipping,
  regularization: Regularization,
  params: Float32Array,
  grads: Float32Array,
): Promise<Float32Array> {
  const { context } = harness;
  const kernels = await gradClipKernels(context, clipping, regularization, PARAMS);
  const buffers = {
    params: harness.buffer(params),
    grads: harness.buffer(grads),
    partials: harness.buffer(Math.max(1, kernels.partialWords) * 4),
  };
  const [out] = await harness.runFloats(
    [[gradClipDispatches(context, kernels, buffers), {}]],
    [buffers.grads],
  );
  return out;
}

function clipOnCpu(
  clipping: GradientClipping,
  { l1, l2 }: Regularization,
  params: Float32Array,
  grads: Float32Array,
): Float32Array {
  const out = grads.slice();
  addPenaltyGradient([params], [out], l1, l2);
  clipGradients(clipping, [out]);
  return out;
}

Deno.test({
  name: "grad_norm + grad_scale and grad_clamp clip the penalised gradient like the CPU twin",
  ignore: !adapter,
  async fn(t) {
    const harness = await KernelHarness.open();
    const params = randomFloats(PARAMS, 1, 0.5);
    const grads = randomFloats(PARAMS, 2, 0.01);
    const penalty = { l1: 1e-3, l2: 1e-2 };
    const check = async (clipping: GradientClipping, regularization = penalty) => {
      const gpu = await clipOnGpu(harness, clipping, regularization, params, grads);
      const cpu = clipOnCpu(clipping, regularization, params, grads);
      const ratio = toleranceRatio(gpu, cpu, RTOL, ATOL);
      assert.ok(ratio <= 1, `${JSON.stringify(clipping)}: ${ratio.toFixed(2)}× the tolerance`);
      return { gpu, cpu };
    };
    try {
      await t.step("by the 2-norm, scaled down to maxNorm", async () => {
        const { gpu } = await check({ type: "norm", maxNorm: 0.1, normType: 2 });
        assert.ok(Math.abs(totalGradNorm([gpu], 2) - 0.1) < 1e-6);
      });
      await t.step("by the inf, 1 and 3 norms", async () => {
        await check({ type: "norm", maxNorm: 1e-3, normType: "inf" });
        await check({ type: "norm", maxNorm: 1, normType: 1 });
        await check({ type: "norm", maxNorm: 0.01, normType: 3 }, NO_PENALTY);
      });
      await t.step("a norm under maxNorm leaves the gradient bit for bit as it is", async () => {
        const { gpu } = await check({ type: "norm", maxNorm: 1e6, normType: 2 }, NO_PENALTY);
        assert.ok(gpu.every((g, i) => g === grads[i]));
      });
      await t.step("by value, clamped to ±clipValue", async () => {
        const { gpu } = await check({ type: "value", clipValue: 0.004 });
        assert.ok(gpu.some((g) => g === Math.fround(0.004)));
        assert.ok(gpu.every((g) => Math.abs(g) <= Math.fround(0.004)));
      });
    } finally {
      harness.destroy();
    }
  },
});
