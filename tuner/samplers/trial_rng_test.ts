import assert from "node:assert/strict";
import { trialRng } from "./trial_rng.ts";

Deno.test("trialRng() gives one stream per (seed, trial number, purpose), the same every time", () => {
  const first = (seed: number, number: number, purpose: string) =>
    trialRng(seed, number, purpose).nextU32();
  const seen = new Set<number>();
  for (let number = 0; number < 1000; number++) seen.add(first(0, number, "random:lr"));
  assert.equal(seen.size, 1000);
  assert.equal(first(0, 7, "random:lr"), first(0, 7, "random:lr"));
  assert.notEqual(first(0, 7, "random:lr"), first(1, 7, "random:lr"));
  assert.notEqual(first(0, 7, "random:lr"), first(0, 7, "random:units"));
  assert.notEqual(first(0, 7, "random:lr"), first(0, 7, "tpe:lr"));
});
