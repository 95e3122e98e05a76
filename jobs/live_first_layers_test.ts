import assert from "node:assert/strict";
import { strongestRows } from "../engine/first_layer.ts";
import { LiveFirstLayers } from "./live_first_layers.ts";

Deno.test("a run's latest first-layer snapshot replaces the last, with a newer time even within a millisecond", () => {
  const live = new LiveFirstLayers();
  const snapshot = strongestRows(new Float32Array(784 * 2).fill(0.5), 784);
  live.set(7, 1, snapshot);
  const first = live.get(7)!;
  live.set(7, 2, snapshot);
  const second = live.get(7)!;
  // The page asks after the time on show: the same time would hide epoch 2 behind a 204.
  assert.equal(second.epoch, 2);
  assert.ok(second.at > first.at, `${second.at} after ${first.at}`);
  live.set(8, 1, snapshot);
  assert.equal(live.size, 2);
  live.delete(7);
  assert.equal(live.get(7), undefined);
  assert.equal(live.get(8)?.epoch, 1);
});
