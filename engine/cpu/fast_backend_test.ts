import assert from "node:assert/strict";
import { BlasGemm } from "./blas_gemm.ts";
import { openCpuBackend, parseCpuKernels } from "./fast_backend.ts";

/** Runs `code` (which may import this folder's modules) in a Deno with only `permissions`. */
async function runWith(permissions: string[], code: string, env: Record<string, string> = {}) {
  const script = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    await Deno.writeTextFile(script, code.replaceAll("./", new URL("./", import.meta.url).href));
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-prompt", ...permissions, script],
      env: { ...env, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes).trim();
    return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
  } finally {
    await Deno.remove(script);
  }
}

const DESCRIBE = `import { openCpuBackend } from "./fast_backend.ts";
console.log(openCpuBackend().description);`;

Deno.test("openCpuBackend() falls back to WebAssembly without --allow-ffi, and never prompts", async () => {
  const run = await runWith(["--allow-read", "--allow-env"], DESCRIBE);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^CPU, WebAssembly SIMD/);
});

Deno.test("openCpuBackend() with AJUSTE_CPU=blas and no FFI permission says why it cannot", async () => {
  const run = await runWith(["--allow-read", "--allow-env"], DESCRIBE, { AJUSTE_CPU: "blas" });
  assert.notEqual(run.code, 0);
  assert.match(
    run.stderr,
    /CPU kernels "blas" need OpenBLAS: FFI is not permitted \(run Deno with --allow-ffi\)/,
  );
});

Deno.test("openCpuBackend() follows AJUSTE_CPU in a process that may read it", async () => {
  const reference = await runWith(["--allow-read", "--allow-env"], DESCRIBE, {
    AJUSTE_CPU: "reference",
  });
  assert.equal(reference.stdout, "CPU reference", reference.stderr);
  const wasm = await runWith(["--allow-read", "--allow-env", "--allow-ffi"], DESCRIBE, {
    AJUSTE_CPU: "wasm",
  });
  assert.match(wasm.stdout, /^CPU, WebAssembly SIMD/, wasm.stderr);
});

Deno.test("openCpuBackend() takes OpenBLAS when it loads, else WebAssembly", () => {
  const fast = openCpuBackend("fast");
  const blas = BlasGemm.open(null);
  if (blas instanceof BlasGemm) assert.match(fast.description, /^CPU, OpenBLAS /);
  else assert.match(fast.description, /^CPU, WebAssembly SIMD/);
  assert.equal(fast.kind, "cpu");
  assert.equal(openCpuBackend("reference").description, "CPU reference");
});

Deno.test("parseCpuKernels() takes the four choices, unset as fast, and names them for anything else", () => {
  assert.equal(parseCpuKernels(undefined), "fast");
  assert.equal(parseCpuKernels(""), "fast");
  for (const choice of ["fast", "blas", "wasm", "reference"]) {
    assert.equal(parseCpuKernels(choice), choice);
  }
  assert.throws(
    () => parseCpuKernels("gpu"),
    /AJUSTE_CPU must be one of fast, blas, wasm, reference, got "gpu"/,
  );
});
