import assert from "node:assert/strict";
import { transformInput } from "../data/dataset.ts";
import { gatherInputs, gatherLabels } from "./gather.ts";

const transform = { scale: 1 / 255 / 0.5, shift: -1 };

Deno.test("gatherInputs() picks rows in order and applies transformInput bit for bit to u8 pixels", () => {
  const examples = {
    count: 3,
    inputs: Uint8Array.of(0, 255, 1, 2, 3, 128),
    labels: Uint8Array.of(7, 8, 9),
  };
  const out = new Float32Array(4);
  gatherInputs(examples, 2, Uint32Array.of(2, 0), transform, out);
  const expected = [3, 128, 0, 255].map((v) => Math.fround(transformInput(v, transform)));
  assert.deepEqual([...out], expected);
  const labels = new Uint8Array(2);
  gatherLabels(examples, Uint32Array.of(2, 0), labels);
  assert.deepEqual([...labels], [9, 7]);
});

Deno.test("gatherInputs() transforms f32 inputs the same way", () => {
  const examples = {
    count: 2,
    inputs: Float32Array.of(0.25, -3, 1e3, 7),
    labels: Uint8Array.of(0, 1),
  };
  const out = new Float32Array(2);
  gatherInputs(examples, 2, Uint32Array.of(1), { scale: 2, shift: 0.5 }, out);
  assert.deepEqual([...out], [2000.5, 14.5]);
});
