import assert from "node:assert/strict";
import { createStudy } from "../create_study.ts";
import { RandomSampler } from "../samplers/random.ts";
import { crc32, HyperbandPruner } from "./hyperband.ts";

Deno.test("crc32() gives the standard check value of CRC-32/ISO-HDLC", () => {
  assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
  assert.equal(crc32(new Uint8Array()), 0);
});

Deno.test("HyperbandPruner with max resource 27 and η = 3 has four brackets sharing 27:12:6:4", () => {
  // ⌊log₃ 27⌋ + 1 = 4 brackets; bracket s gets ⌈4 · 3^(3−s) / (4 − s)⌉ = 27, 12, 6, 4.
  const pruner = new HyperbandPruner({ minResource: 1, maxResource: 27 });
  assert.deepEqual(pruner.budgets, [27, 12, 6, 4]);
  const counts = [0, 0, 0, 0];
  for (let k = 0; k < 4900; k++) counts[pruner.bracketOf("mnist-lr", k)]++;
  // The hash spreads trials in proportion to the shares (49 each over 4900 trials).
  counts.forEach((count, s) => assert.ok(Math.abs(count / 4900 - pruner.budgets[s] / 49) < 0.03));
});

Deno.test("HyperbandPruner with max resource auto prunes nothing before a trial completes", async () => {
  const pruner = new HyperbandPruner({ reductionFactor: 2 });
  const study = await createStudy({ name: "auto", pruner, sampler: new RandomSampler() });
  const trial = await study.ask();
  for (let step = 1; step <= 8; step++) trial.report(1000, step);
  assert.equal(await trial.shouldPrune(), false);
  assert.deepEqual(pruner.budgets, []);
  await study.addTrial({
    state: "COMPLETE",
    value: 0,
    intermediateValues: new Map([[1, 0], [7, 0]]),
  });
  assert.equal(await trial.shouldPrune(), false, "alone in its bracket's rung");
  // Max resource 7 + 1 = 8: ⌊log₂ 8⌋ + 1 = 4 brackets.
  assert.equal(pruner.budgets.length, 4);
});

Deno.test("HyperbandPruner refuses bad settings, naming them", () => {
  assert.throws(
    () => new HyperbandPruner({ minResource: 0 }),
    /minResource must be an integer ≥ 1, got 0/,
  );
  assert.throws(
    () => new HyperbandPruner({ minResource: 5, maxResource: 3 }),
    /maxResource must be an integer ≥ 5, got 3/,
  );
  assert.throws(() => new HyperbandPruner({ reductionFactor: 1 }), /reductionFactor .* got 1/);
  assert.throws(() => new HyperbandPruner({ bootstrapCount: 1 }), /needs a numeric maxResource/);
});
