import assert from "node:assert/strict";
import { BACKEND_VARIABLE, NATIVE_BACKENDS, requestAdapter, useNativeBackends } from "./adapter.ts";

function fakeEnv(initial: Record<string, string>) {
  const values = new Map(Object.entries(initial));
  return {
    values,
    get: (key: string) => values.get(key),
    set: (key: string, value: string) => void values.set(key, value),
  };
}

Deno.test("useNativeBackends() limits WebGPU to the native backends when nobody chose", () => {
  const env = fakeEnv({});
  useNativeBackends(env);
  assert.equal(env.values.get(BACKEND_VARIABLE), "vulkan,metal,dx12");
  assert.equal(NATIVE_BACKENDS.includes("gl"), false);
});

Deno.test("useNativeBackends() keeps backends the user chose", () => {
  const env = fakeEnv({ [BACKEND_VARIABLE]: "gl" });
  useNativeBackends(env);
  assert.equal(env.values.get(BACKEND_VARIABLE), "gl");
});

Deno.test("useNativeBackends() does nothing without permission to touch the environment", () => {
  const denied = {
    get: () => {
      throw new Deno.errors.NotCapable("Requires env access");
    },
    set: () => assert.fail("set without permission"),
  };
  useNativeBackends(denied);
});

Deno.test("requestAdapter() answers null where the runtime has no WebGPU", async () => {
  assert.equal(await requestAdapter(undefined, null), null);
});

const linux = Deno.build.os === "linux";
const adapter = await requestAdapter();

Deno.test({
  name: "requestAdapter() gives an adapter without loading OpenGL's libEGL into the process",
  ignore: !adapter || !linux,
  fn() {
    const libraries = Deno.readTextFileSync("/proc/self/maps");
    assert.equal(/libEGL/.test(libraries), false, "libEGL is mapped: wgpu enumerated OpenGL");
    assert.equal(Deno.env.get(BACKEND_VARIABLE) !== undefined, true);
  },
});
