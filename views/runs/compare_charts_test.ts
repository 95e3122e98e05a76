import assert from "node:assert/strict";
import type { RunWithEpochs } from "../../db/runs.ts";
import { PALETTE } from "../charts/charts.ts";
import { compareSeries } from "./compare_charts.tsx";

const run = (id: number, name: string) =>
  ({
    id,
    name,
    epochsPlanned: 2,
    epochs: [1, 2].map((epoch) => ({
      epoch,
      trainLoss: 1 / epoch,
      devLoss: 2 / epoch,
      trainAccuracy: 0.5,
      devAccuracy: 0.4,
      seconds: 1,
      lr: epoch === 1 ? 0.1 : null,
    })),
  }) as unknown as RunWithEpochs;

Deno.test("compareSeries() overlays each run's train (dashed) and dev in the run's colour", () => {
  const series = compareSeries([run(1, "a"), run(2, "b")], "loss");
  assert.deepEqual(series.map((s) => s.name), [
    "#1 a · train",
    "#1 a · dev",
    "#2 b · train",
    "#2 b · dev",
  ]);
  assert.deepEqual(series.map((s) => s.color), [PALETTE[0], PALETTE[0], PALETTE[1], PALETTE[1]]);
  assert.deepEqual(series.map((s) => s.dashed ?? false), [true, false, true, false]);
  assert.deepEqual(series[1].points, [[1, 2], [2, 1]]);
});

Deno.test("compareSeries() gives the learning rate one series per run, gaps where unknown", () => {
  const series = compareSeries([run(1, "a")], "lr");
  assert.deepEqual(series, [{ name: "#1 a", points: [[1, 0.1], [2, null]], color: PALETTE[0] }]);
});
