import assert from "node:assert/strict";
import type { EpochRow } from "../../db/runs.ts";
import { MAX_SMALL_POINTS, sampleEpochs } from "./layer_stats_charts.ts";

const epochs = (n: number): EpochRow[] =>
  Array.from({ length: n }, (_, i) => ({
    epoch: i + 1,
    trainLoss: 1,
    trainAccuracy: 0.5,
    devLoss: null,
    devAccuracy: null,
    seconds: 0.01,
  }));

Deno.test("sampleEpochs() keeps a long run's small multiples to about as many points as pixels, first and last epoch included", () => {
  const few = epochs(MAX_SMALL_POINTS);
  assert.equal(sampleEpochs(few), few);
  const sampled = sampleEpochs(epochs(5000));
  assert.ok(sampled.length <= MAX_SMALL_POINTS + 1 && sampled.length >= MAX_SMALL_POINTS / 2);
  assert.equal(sampled[0].epoch, 1);
  assert.equal(sampled.at(-1)!.epoch, 5000);
  // Evenly spread.
  const steps = new Set(sampled.slice(1, -1).map((e, i) => e.epoch - sampled[i].epoch));
  assert.equal(steps.size, 1);
});
