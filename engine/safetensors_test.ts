import assert from "node:assert/strict";
import { decodeSafetensors, encodeSafetensors, runMetadata } from "./safetensors.ts";
import type { RunConfig } from "./spec.ts";

const state = [
  {
    name: "hidden.0.linear.weight",
    shape: [2, 3],
    data: new Float32Array([1, -2, 3.5, 0, 1e-7, -0]),
  },
  { name: "hidden.0.norm.num_batches_tracked", shape: [], data: new Float32Array([42]) },
  { name: "output.bias", shape: [2], data: new Float32Array([0.25, -0.5]) },
];

Deno.test("encodeSafetensors() writes the spec's layout: u64 length, aligned JSON header, data", () => {
  const bytes = encodeSafetensors(state, { format: "pt" });
  const view = new DataView(bytes.buffer);
  const headerLength = Number(view.getBigUint64(0, true));
  assert.equal((8 + headerLength) % 8, 0, "data starts 8-byte aligned");
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  assert.deepEqual(header.__metadata__, { format: "pt" });
  assert.deepEqual(header["hidden.0.linear.weight"], {
    dtype: "F32",
    shape: [2, 3],
    data_offsets: [0, 24],
  });
  assert.deepEqual(header["hidden.0.norm.num_batches_tracked"], {
    dtype: "I64",
    shape: [],
    data_offsets: [24, 32],
  });
  assert.deepEqual(header["output.bias"], { dtype: "F32", shape: [2], data_offsets: [32, 40] });
  assert.equal(bytes.length, 8 + headerLength + 40);
  assert.equal(view.getFloat32(8 + headerLength + 8, true), 3.5);
  assert.equal(view.getBigInt64(8 + headerLength + 24, true), 42n);
});

Deno.test("decodeSafetensors() reads back what encodeSafetensors() wrote", () => {
  const { state: decoded, metadata } = decodeSafetensors(encodeSafetensors(state, { run: "7" }));
  assert.deepEqual(metadata, { run: "7" });
  assert.deepEqual(decoded, state);
});

Deno.test("encodeSafetensors() aligns the data after a header with UTF-8 names", () => {
  // "Étude #3": 8 characters, 9 bytes.
  const bytes = encodeSafetensors(state, { name: "Étude #3" });
  const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal((8 + headerLength) % 8, 0, "data starts 8-byte aligned");
  const { state: decoded, metadata } = decodeSafetensors(bytes);
  assert.deepEqual(metadata, { name: "Étude #3" });
  assert.deepEqual(decoded, state);
});

Deno.test("decodeSafetensors() rejects a truncated file", () => {
  const bytes = encodeSafetensors(state);
  assert.throws(() => decodeSafetensors(bytes.subarray(0, 20)), /header claims/);
});

Deno.test("runMetadata() puts the run config, version and run id where decodeSafetensors() finds them", () => {
  // Only its JSON matters here; the service test stores a whole config and reads it back.
  const config = {
    name: "tiny",
    epochs: 3,
    model: { layers: [{ units: 8 }] },
  } as unknown as RunConfig;
  const metadata = runMetadata({ config, version: "1.2.3", id: 12 });
  const read = decodeSafetensors(encodeSafetensors(state, metadata)).metadata;
  assert.deepEqual(JSON.parse(read["ajuste.config"]), config);
  assert.equal(read["ajuste.version"], "1.2.3");
  assert.equal(read["ajuste.run"], "12");
  // safetensors metadata is string to string: torch's loader refuses anything else.
  assert.ok(Object.values(read).every((value) => typeof value === "string"));
  const unsaved = runMetadata({ config, version: "1.2.3" });
  assert.equal("ajuste.run" in unsaved, false);
});
