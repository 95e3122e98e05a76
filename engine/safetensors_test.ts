import assert from "node:assert/strict";
import { decodeSafetensors, encodeSafetensors } from "./safetensors.ts";

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

Deno.test("decodeSafetensors() rejects a truncated file", () => {
  const bytes = encodeSafetensors(state);
  assert.throws(() => decodeSafetensors(bytes.subarray(0, 20)), /header claims/);
});
