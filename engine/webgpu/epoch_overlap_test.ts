import assert from "node:assert/strict";
import { EpochOverlap, OVERLAP_MAX_EPOCH_MS } from "./epoch_overlap.ts";

/** Starts an epoch whose results arrive when `finish` is called; logs when its turn comes. */
function start(overlap: EpochOverlap, name: string, log: string[]) {
  let finish!: () => void;
  const result = overlap.run(async (turn) => {
    await turn();
    log.push(`${name} encodes`);
    await new Promise<void>((resolve) => finish = resolve);
  });
  return { result, finish: () => finish() };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("EpochOverlap off: an epoch encodes only once the one before has its results", async () => {
  const overlap = new EpochOverlap(false);
  const log: string[] = [];
  const a = start(overlap, "a", log);
  await tick();
  const b = start(overlap, "b", log);
  await tick();
  assert.deepEqual(log, ["a encodes"]);
  a.finish();
  await a.result;
  await tick();
  assert.deepEqual(log, ["a encodes", "b encodes"]);
  b.finish();
  await b.result;
});

Deno.test("EpochOverlap on: the next encodes at once, until epochs run slower than the limit", async () => {
  const overlap = new EpochOverlap(true);
  const log: string[] = [];
  const a = start(overlap, "a", log);
  await tick();
  const b = start(overlap, "b", log);
  await tick();
  assert.deepEqual(log, ["a encodes", "b encodes"]);
  a.finish();
  b.finish();
  // A pair of slow epochs: the second came back ~0 ms after the first, yet the slow one counts.
  overlap.finished(0, OVERLAP_MAX_EPOCH_MS + 500);
  overlap.finished(1, OVERLAP_MAX_EPOCH_MS + 501);
  const c = start(overlap, "c", log);
  await tick();
  const d = start(overlap, "d", log);
  await tick();
  assert.deepEqual(log.slice(2), ["c encodes"], "d waits for c's results");
  c.finish();
  await c.result;
  await tick();
  assert.deepEqual(log.slice(2), ["c encodes", "d encodes"]);
  d.finish();
  await Promise.all([a.result, b.result, d.result]);
});
