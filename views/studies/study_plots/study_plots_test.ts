import assert from "node:assert/strict";
import type { ParamSpec } from "../../../config/study_schema.ts";
import type { ChartTrial } from "../study_charts.ts";
import { contourChart, gridValues, interpolate, unitPosition } from "./contour_plot.ts";
import { edfChart, edfPoints } from "./edf_plot.ts";
import { paramPairs } from "./plot_parts.ts";
import { rankChart, valueRanks } from "./rank_plot.ts";
import { specSvg } from "../../charts/charts.ts";
import { timelineChart, timelineLanes, type TimelineTrial, workerLabel } from "./timeline_plot.ts";

const lr: ParamSpec = { type: "float", low: 1e-3, high: 1e-1, log: true };
const optimizer: ParamSpec = { type: "categorical", choices: ["sgd", "adam", "rmsprop"] };

Deno.test("edfPoints() steps up by each value's share, ties in one step", () => {
  // Four values, two of them 0.5: ≤ 0.2 is 1/4, ≤ 0.5 is 3/4, ≤ 0.9 is all.
  assert.deepEqual(edfPoints([0.5, 0.9, 0.2, 0.5]), [[0.2, 0.25], [0.5, 0.75], [0.9, 1]]);
  assert.deepEqual(edfPoints([]), []);
});

Deno.test("edfChart() plots complete trials only", () => {
  const trials: ChartTrial[] = [
    { number: 0, state: "COMPLETE", params: {}, value: 0.3, intermediateValues: [] },
    { number: 1, state: "PRUNED", params: {}, value: 0.1, intermediateValues: [] },
    { number: 2, state: "COMPLETE", params: {}, value: 0.6, intermediateValues: [] },
  ];
  const series = edfChart(trials, "devLoss").option.series as { data: { value: number[] }[] }[];
  assert.deepEqual(series[0].data.map((d) => d.value), [[0.3, 0.5], [0.6, 1]]);
});

Deno.test("valueRanks() puts the best value at 0 and the worst at 1 for each direction", () => {
  assert.deepEqual(valueRanks([0.2, 0.9, 0.5], "maximize"), [1, 0, 0.5]);
  assert.deepEqual(valueRanks([0.2, 0.9, 0.5], "minimize"), [0, 1, 0.5]);
  // Ties take the first of their ranks, as scipy's "min" method does.
  assert.deepEqual(valueRanks([1, 1, 3], "minimize"), [0, 0, 1]);
  assert.deepEqual(valueRanks([4], "minimize"), [0]);
});

const trial = (number: number, worker: string | null, start: number): TimelineTrial => ({
  number,
  state: "COMPLETE",
  worker,
  start,
  end: start + 1000,
  runId: number + 10,
});

Deno.test("timelineLanes() gives a lane per worker in the order they first started", () => {
  const trials = [
    trial(0, "b-host:2:x", 2000),
    trial(1, "a-host:1:y", 1000),
    trial(2, "b-host:2:z", 3000),
    trial(3, null, 500),
  ];
  const { lanes, laneOf } = timelineLanes(trials);
  // Two claims by the same process (different tokens) share its lane.
  assert.deepEqual(lanes, ["this server", "a-host:1", "b-host:2"]);
  assert.deepEqual(laneOf, [2, 1, 2, 0]);
  assert.equal(workerLabel("h:9:token"), "h:9");
});

Deno.test("timelineChart() draws a running trial up to now and links each bar to its run", () => {
  const running: TimelineTrial = { ...trial(0, "h:1:t", 1000), state: "RUNNING", end: null };
  const series = timelineChart([running], 4000).option.series as {
    name: string;
    data: { value: [number, string]; href: string; tip: string[] }[];
  }[];
  assert.equal(series[0].name, "running");
  assert.deepEqual(series[0].data.map((d) => d.value), [[1000, "h:1"], [4000, "h:1"]]);
  assert.equal(series[0].data[0].href, "/runs/10");
  assert.ok(series[0].data[0].tip.includes("3.0 s"));
});

Deno.test("unitPosition() places log parameters by decade and categories by index", () => {
  assert.ok(Math.abs(unitPosition(lr, 1e-2) - 0.5) < 1e-12);
  assert.equal(unitPosition(optimizer, "rmsprop"), 1);
  assert.equal(gridValues(optimizer).length, 3);
  assert.deepEqual([gridValues(lr)[0], gridValues(lr).at(-1)], ["0.001", "0.1"]);
});

Deno.test("interpolate() returns a trial's own value at its point and weighs by distance", () => {
  const points: [number, number, number][] = [[0, 0, 1], [1, 0, 3]];
  assert.equal(interpolate(points, 0, 0), 1);
  // Halfway both weigh the same.
  assert.equal(interpolate(points, 0.5, 0), 2);
  // At 0.25 the weights are 1/0.25² and 1/0.75², 9 to 1: (9·1 + 3)/10.
  assert.ok(Math.abs(interpolate(points, 0.25, 0) - 1.2) < 1e-12);
});

Deno.test("contourChart() puts each trial on its cell and fills every cell", () => {
  const trials: ChartTrial[] = [
    {
      number: 0,
      state: "COMPLETE",
      params: { lr: 1e-3, opt: "sgd" },
      value: 0.5,
      intermediateValues: [],
    },
    {
      number: 1,
      state: "COMPLETE",
      params: { lr: 1e-1, opt: "adam" },
      value: 0.8,
      intermediateValues: [],
      runId: 7,
    },
  ];
  const spec = contourChart({
    trials,
    x: ["lr", lr],
    y: ["opt", optimizer],
    metric: "devAccuracy",
    direction: "maximize",
  });
  const [cells, points] = spec.option.series as { data: unknown[] }[];
  assert.equal(cells.data.length, 24 * 3);
  const placed = points.data as { value: number[]; href?: string }[];
  assert.deepEqual(placed.map((p) => p.value), [[0, 0], [23, 0.5 * 2]]);
  assert.equal(placed[1].href, "/runs/7");
});

Deno.test("every new plot of a study without a complete trial renders, saying why it is empty", () => {
  const running: ChartTrial[] = [
    { number: 0, state: "RUNNING", params: { lr: 0.01 }, value: null, intermediateValues: [] },
  ];
  const pair = {
    trials: running,
    x: ["lr", lr] as [string, ParamSpec],
    y: ["opt", optimizer] as [string, ParamSpec],
    metric: "devLoss",
    direction: "minimize" as const,
  };
  for (const spec of [contourChart(pair), rankChart(pair), edfChart(running, "devLoss")]) {
    assert.match(specSvg(spec), /No complete trial/);
  }
  assert.match(specSvg(timelineChart([])), /No trial has started/);
});

Deno.test("paramPairs() lists each unordered pair once", () => {
  assert.deepEqual(paramPairs(["a", "b", "c"]), [["a", "b"], ["a", "c"], ["b", "c"]]);
  assert.deepEqual(paramPairs(["a"]), []);
});
