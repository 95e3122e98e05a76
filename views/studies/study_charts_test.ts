import assert from "node:assert/strict";
import type { ParamSpec } from "../../config/study_schema.ts";
import {
  type ChartTrial,
  historyChart,
  importanceChart,
  intermediateChart,
  metricFormatter,
  parallelChart,
  sliceChart,
} from "./study_charts.ts";
import { specSvg } from "../charts/charts.ts";

const space: Record<string, ParamSpec> = {
  "optimizer.lr": { type: "float", low: 1e-4, high: 1e-1, log: true },
  "optimizer.type": { type: "categorical", choices: ["sgd", "adam"] },
  "batch.size": { type: "int", low: 16, high: 256, log: false },
};

const trials: ChartTrial[] = [
  {
    number: 0,
    state: "COMPLETE",
    params: { "optimizer.lr": 0.001, "optimizer.type": "sgd", "batch.size": 32 },
    value: 0.71,
    intermediateValues: [[1, 0.6], [2, 0.71]],
  },
  {
    number: 1,
    state: "PRUNED",
    params: { "optimizer.lr": 0.09, "optimizer.type": "adam", "batch.size": 200 },
    value: 0.3,
    intermediateValues: [[1, 0.3]],
  },
  {
    number: 2,
    state: "COMPLETE",
    params: { "optimizer.lr": 0.01, "optimizer.type": "adam", "batch.size": 64 },
    value: 0.88,
    intermediateValues: [[1, 0.8], [2, 0.88]],
  },
  { number: 3, state: "RUNNING", params: {}, value: null, intermediateValues: [] },
];

/** The text ECharts drew, in document order. */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
}

Deno.test("historyChart() plots complete trials and the best value so far", () => {
  const svg = specSvg(
    historyChart({ trials, direction: "maximize", metric: "devAccuracy", budget: 10 }),
  );
  assert.match(svg, /^<svg[^>]* width="480" height="280"/);
  const labels = texts(svg);
  for (const text of ["Optimization history", "devAccuracy", "best so far", "Trial"]) {
    assert.ok(labels.includes(text), `missing ${text}`);
  }
  assert.ok(labels.some((text) => /%$/.test(text)), "accuracy reads as a percentage");
  assert.ok(!svg.includes("Waiting for the first complete trial"));
  const empty = specSvg(historyChart({
    trials: [],
    direction: "minimize",
    metric: "devLoss",
    budget: 3,
  }));
  assert.ok(empty.includes("Waiting for the first complete trial"));
});

Deno.test("importanceChart() draws the most important parameter first, whatever the input order", () => {
  const svg = specSvg(importanceChart([
    { name: "batch.size", importance: 0.1 },
    { name: "optimizer.lr", importance: 0.7 },
    { name: "optimizer.type", importance: 0.2 },
  ]));
  const names = texts(svg).filter((text) => /^[a-z]+\.[a-z]+$/.test(text));
  assert.deepEqual(names, ["optimizer.lr", "optimizer.type", "batch.size"]);
  assert.ok(texts(svg).includes("70%"), "each bar is labelled with its share");
  const empty = specSvg(importanceChart([], "Needs at least 2 complete trials"));
  assert.ok(empty.includes("Needs at least 2 complete trials"));
});

Deno.test("intermediateChart() draws one line per reporting trial, pruned ones dashed", () => {
  const svg = specSvg(intermediateChart({ trials, metric: "devAccuracy", xMax: 2 }));
  const labels = texts(svg);
  assert.ok(labels.includes("complete") && labels.includes("pruned"));
  assert.ok(!labels.includes("running"), "a trial without epochs draws nothing");
  assert.ok(svg.includes("stroke-dasharray"), "pruned lines are dashed");
  assert.ok(svg.includes("#d55e00"), "pruned lines are vermilion");
});

Deno.test("intermediateChart() marks a trial pruned after its first epoch with a point", () => {
  const once = [{
    ...trials[0],
    number: 7,
    state: "PRUNED" as const,
    intermediateValues: [[1, 0.4]],
  }];
  const svg = specSvg(intermediateChart({
    trials: once as typeof trials,
    metric: "devAccuracy",
    xMax: 3,
  }));
  // A data point (not the legend's icon) carries the series index.
  assert.match(svg, /fill="#d55e00" ecmeta_series_index="0" ecmeta_data_index="0"/);
});

Deno.test("intermediateChart() marks a complete one-epoch trial with a point", () => {
  const once = [{ ...trials[0], intermediateValues: [[1, 0.4]] as [number, number][] }];
  const svg = specSvg(intermediateChart({ trials: once, metric: "devAccuracy", xMax: 1 }));
  assert.match(svg, /fill="#0072b2" ecmeta_series_index="0" ecmeta_data_index="0"/);
});

Deno.test("parallelChart() leaves out a parameter some complete trials lack", () => {
  const mixed: ChartTrial[] = [
    { ...trials[0], params: { ...trials[0].params, "optimizer.momentum": 0.9 } },
    trials[2],
  ];
  const svg = specSvg(parallelChart({
    trials: mixed,
    space: { ...space, "optimizer.momentum": { type: "float", low: 0, high: 0.99, log: false } },
    metric: "devAccuracy",
    direction: "maximize",
  }));
  const labels = texts(svg);
  assert.ok(labels.includes("optimizer.lr") && !labels.includes("optimizer.momentum"));
});

Deno.test("parallelChart() has an axis per parameter, categories by name, and the value", () => {
  const svg = specSvg(
    parallelChart({ trials, space, metric: "devAccuracy", direction: "maximize" }),
  );
  const labels = texts(svg);
  for (
    const text of ["optimizer.lr", "optimizer.type", "batch.size", "devAccuracy", "sgd", "adam"]
  ) {
    assert.ok(labels.includes(text), `missing ${text}`);
  }
  assert.ok(labels.includes("0.0001") && labels.includes("0.1"), "log axis spans the range");
});

Deno.test("sliceChart() plots the value against one parameter", () => {
  const svg = specSvg(sliceChart({
    trials,
    name: "optimizer.type",
    param: space["optimizer.type"],
    metric: "devLoss",
  }));
  const labels = texts(svg);
  assert.ok(labels.includes("optimizer.type") && labels.includes("sgd") && labels.includes("adam"));
  assert.match(svg, /width="320" height="220"/);
});

Deno.test("metricFormatter() shows accuracies as percentages and losses as numbers", () => {
  assert.equal(metricFormatter("devAccuracy")(0.875), "87.5%");
  assert.equal(metricFormatter("devLoss")(0.123456), "0.123");
});
