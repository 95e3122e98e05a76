import assert from "node:assert/strict";
import { deviceLabel, probeDevice, REPORTED_LIMITS } from "./device.ts";
import { requestAdapter } from "./webgpu/adapter.ts";

const adapter = await requestAdapter();

Deno.test("probeDevice() reports the CPU backend where the runtime has no WebGPU", async () => {
  const device = await probeDevice(null);
  assert.equal(device.backend, "cpu");
  assert.match(device.backend === "cpu" ? device.reason : "", /WebGPU is not available/);
  assert.equal(deviceLabel(device), "CPU");
});

Deno.test("probeDevice() reports the CPU backend when no adapter is found", async () => {
  const device = await probeDevice({ requestAdapter: () => Promise.resolve(null) });
  assert.equal(device.backend, "cpu");
  assert.match(device.backend === "cpu" ? device.reason : "", /No WebGPU adapter found/);
});

Deno.test("probeDevice() turns a failing requestAdapter() into the CPU backend", async () => {
  const device = await probeDevice({
    requestAdapter: () => Promise.reject(new Error("driver crashed")),
  });
  assert.equal(device.backend, "cpu");
  assert.match(device.backend === "cpu" ? device.reason : "", /driver crashed/);
});

Deno.test({
  name: "probeDevice() describes the adapter with its limits and features",
  ignore: !adapter,
  fn: async () => {
    const device = await probeDevice();
    assert.equal(device.backend, "webgpu");
    if (device.backend !== "webgpu" || !adapter) return;
    assert.equal(device.description, adapter.info.description);
    for (const name of REPORTED_LIMITS) {
      assert.equal(device.limits[name], adapter.limits[name], name);
    }
    assert.ok(device.limits.maxStorageBufferBindingSize >= 128 * 1024 * 1024);
    assert.deepEqual(device.features, [...adapter.features].sort());
    assert.equal(typeof device.isFallbackAdapter, "boolean");
    // Deliberately JSON: the API sends this object as is.
    assert.deepEqual(JSON.parse(JSON.stringify(device)), device);
  },
});

Deno.test("deviceLabel() names GPUs, lavapipe and other fallback adapters", () => {
  const base = {
    backend: "webgpu" as const,
    vendor: "",
    architecture: "",
    limits: {} as never,
    features: [],
  };
  assert.equal(
    deviceLabel({ ...base, description: "NVIDIA H100", isFallbackAdapter: false }),
    "GPU",
  );
  assert.equal(
    deviceLabel({
      ...base,
      description: "llvmpipe (LLVM 15.0.6, 256 bits)",
      isFallbackAdapter: true,
    }),
    "CPU adapter (lavapipe)",
  );
  assert.equal(
    deviceLabel({ ...base, description: "SwiftShader", isFallbackAdapter: true }),
    "CPU adapter",
  );
});
