/**
 * A GPU epoch reports its steps only where the session already waits for the GPU to bound its
 * work in flight (after each submit on lavapipe, every 16 on hardware, where the epoch is made
 * long enough to have such waits): counts that only grow, inside the epoch.
 */

import assert from "node:assert/strict";
import { WebGpuBackend } from "../engine/webgpu/backend.ts";
import { adapter, tinyConfig, tinyData } from "./gpu_fixtures.ts";
import { gpuTestOptions } from "./gpu_options.ts";

Deno.test({
  name: "a WebGPU epoch reports the steps known done between its submits",
  ignore: !adapter,
  async fn() {
    const backend = await WebGpuBackend.create(gpuTestOptions());
    try {
      const config = tinyConfig({
        batch: { mode: "stochastic", size: 1, shuffle: true },
        epochs: 1,
      });
      const rows = backend.isFallbackAdapter ? 300 : 6000;
      const session = await backend.createSession(config, tinyData({ train: rows }));
      try {
        const reports: [number, number][] = [];
        const result = await session.trainEpoch(0, {
          onSteps: (done, steps) => reports.push([done, steps]),
        });
        assert.equal(result.steps, rows);
        assert.ok(reports.length >= 2, `${reports.length} reports`);
        for (const [i, [done, steps]] of reports.entries()) {
          assert.equal(steps, rows);
          assert.ok(done > 0 && done < steps, `report ${i}: ${done}`);
          if (i > 0) assert.ok(done > reports[i - 1][0], "counts only grow");
        }
      } finally {
        session.dispose();
      }
    } finally {
      backend.destroy();
    }
  },
});
