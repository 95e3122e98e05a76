import assert from "node:assert/strict";
import { Rng } from "../random.ts";
import { gatherInputs } from "./gather.ts";
import { WasmGather } from "./wasm_gather.ts";

const FEATURES = 7;

function byteExamples(count: number, rng: Rng) {
  const inputs = Uint8Array.from({ length: count * FEATURES }, () => rng.int(256));
  return { count, inputs, labels: new Uint8Array(count) };
}

Deno.test("WasmGather gathers byte rows through the reference's table, bit for bit", () => {
  const rng = new Rng(4);
  const examples = byteExamples(50, rng);
  const gather = new WasmGather(9 * FEATURES);
  // Transforms whose products are not f32: MNIST's normalisation and an odd one, then back.
  for (
    const transform of [
      { scale: 2 / 255, shift: -1 },
      { scale: 1 / 0.3081 / 255, shift: -0.4242 },
      { scale: 2 / 255, shift: -1 },
    ]
  ) {
    for (const batch of [9, 3, 1]) {
      const rows = Uint32Array.from({ length: batch }, () => rng.int(examples.count));
      const out = gather.inputs.subarray(0, batch * FEATURES);
      gather.gather(examples, FEATURES, rows, transform, out);
      const expected = new Float32Array(batch * FEATURES);
      gatherInputs(examples, FEATURES, rows, transform, expected);
      assert.deepEqual(out, expected, `${JSON.stringify(transform)}, batch ${batch}`);
    }
  }
});

Deno.test("WasmGather takes the reference's loop for float inputs", () => {
  const rng = new Rng(5);
  const inputs = Float32Array.from({ length: 10 * FEATURES }, () => rng.normal());
  const examples = { count: 10, inputs, labels: new Uint8Array(10) };
  const gather = new WasmGather(4 * FEATURES);
  const rows = Uint32Array.of(9, 0, 4, 4);
  const transform = { scale: 0.5, shift: 1 };
  gather.gather(examples, FEATURES, rows, transform, gather.inputs);
  const expected = new Float32Array(4 * FEATURES);
  gatherInputs(examples, FEATURES, rows, transform, expected);
  assert.deepEqual(gather.inputs, expected);
});

Deno.test("WasmGather refuses a batch past its capacity and a buffer not its own", () => {
  const examples = byteExamples(10, new Rng(6));
  const gather = new WasmGather(2 * FEATURES);
  const transform = { scale: 1, shift: 0 };
  assert.throws(
    () => gather.gather(examples, FEATURES, Uint32Array.of(0, 1, 2), transform, gather.inputs),
    /A batch of 21 inputs exceeds the gather's 14/,
  );
  assert.throws(
    () => gather.gather(examples, FEATURES, Uint32Array.of(0), transform, new Float32Array(7)),
    /its own inputs buffer only/,
  );
});
