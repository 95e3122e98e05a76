import assert from "node:assert/strict";
import {
  closeWebGpu,
  effectiveBatch,
  selectBackend,
  SOFTWARE_ADAPTER_MIN_BATCH,
} from "./select_backend.ts";
import { requestAdapter } from "./webgpu/adapter.ts";

const adapter = await requestAdapter();
const software = adapter?.info.isFallbackAdapter === true ||
  /llvmpipe|lavapipe|swiftshader/i.test(`${adapter?.info.description} ${adapter?.info.device}`);

Deno.test("effectiveBatch() is 1, the minibatch size capped by the rows, or every row", () => {
  assert.equal(effectiveBatch({ mode: "stochastic", size: 64, shuffle: true }, 900), 1);
  assert.equal(effectiveBatch({ mode: "minibatch", size: 128, shuffle: true }, 900), 128);
  assert.equal(effectiveBatch({ mode: "minibatch", size: 4096, shuffle: true }, 900), 900);
  assert.equal(effectiveBatch({ mode: "full", size: 1, shuffle: false }, 900), 900);
});

Deno.test("device cpu is the reference backend, with or without an adapter", async () => {
  assert.equal((await selectBackend("cpu")).kind, "cpu");
});

Deno.test({
  name: "auto on a software adapter: WebGPU for large batches, the CPU reference one at a time",
  ignore: !adapter || !software,
  async fn() {
    try {
      const large = { mode: "minibatch" as const, size: SOFTWARE_ADAPTER_MIN_BATCH, shuffle: true };
      assert.equal((await selectBackend("auto", large, 54000)).kind, "webgpu");
      const single = { mode: "stochastic" as const, size: 1, shuffle: true };
      assert.equal((await selectBackend("auto", single, 54000)).kind, "cpu");
      const few = { mode: "full" as const, size: 1, shuffle: false };
      assert.equal((await selectBackend("auto", few, 100)).kind, "cpu", "a full batch of 100 rows");
      assert.equal((await selectBackend("gpu", single, 54000)).kind, "webgpu", "gpu forces it");
    } finally {
      await closeWebGpu();
    }
  },
});
