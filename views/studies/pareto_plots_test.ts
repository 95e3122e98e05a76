import assert from "node:assert/strict";
import type { StudyReport, TrialReport } from "../../jobs/study_report.ts";
import { hypervolumeHistory, paretoFigure, ParetoSection } from "./pareto_plots.tsx";

function trial(number: number, values: number[], feasible?: boolean): TrialReport {
  return {
    number,
    state: "COMPLETE",
    params: { "optimizer.lr": 0.01 * (number + 1) },
    value: values[0],
    values,
    ...(feasible === undefined ? {} : { feasible, constraints: [feasible ? -1 : 1] }),
    intermediateValues: [],
    runId: 100 + number,
    durationSeconds: 1,
    failReason: null,
  };
}

function report(trials: TrialReport[], metrics: string[], bestTrials: number[]): StudyReport {
  return {
    study: "mo",
    id: 1,
    direction: "maximize",
    metric: metrics[0],
    metrics,
    directions: metrics.map((m) => m.endsWith("Accuracy") ? "maximize" : "minimize"),
    bestTrials,
    trialBudget: 10,
    bestParams: null,
    bestValue: null,
    bestTrial: null,
    counts: { COMPLETE: trials.length },
    trials,
  };
}

Deno.test("hypervolumeHistory grows with each trial that improves the front, by hand", () => {
  // Losses (minimize both): (1, 3) then (3, 1) then (2, 2), dominated (3, 3), infeasible (0, 0).
  const trials = [
    { number: 0, values: [1, 3] },
    { number: 1, values: [3, 1] },
    { number: 2, values: [3, 3] },
    { number: 3, values: [2, 2] },
    { number: 4, values: [0, 0], feasible: false },
  ];
  const history = hypervolumeHistory(trials, ["minimize", "minimize"]);
  // Reference: worst 3 + a tenth of the range 2 = 3.2 on both axes.
  const r = 3.2;
  const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} vs ${b}`);
  assert.deepEqual(history.map(([n]) => n), [0, 1, 2, 3]);
  close(history[0][1], (r - 1) * (r - 3));
  close(history[1][1], (r - 1) * (r - 3) + (r - 3) * (r - 1) - (r - 3) * (r - 3));
  close(history[2][1], history[1][1]);
  close(history[3][1], history[1][1] + 1);
});

Deno.test("The Pareto figure offers every pair of three objectives; the card lists the front", () => {
  const r = report(
    [trial(0, [0.9, 500, 1]), trial(1, [0.8, 100, 2], true), trial(2, [0.95, 900, 3], false)],
    ["devAccuracy", "parameterCount", "epochSeconds"],
    [0, 1],
  );
  const figure = paretoFigure(r);
  assert.deepEqual(figure.meta?.variants?.choices.map((c) => c.name), [
    "dev accuracy × parameter count",
    "dev accuracy × seconds per epoch",
    "parameter count × seconds per epoch",
  ]);
  const html = String(ParetoSection({ report: r }));
  const table = html.slice(html.indexOf('id="study-best-trials"'));
  assert.match(table, /href="\/runs\/100">#0</);
  assert.match(table, /href="\/runs\/101">#1</);
  assert.doesNotMatch(table, /#2</, "the infeasible trial is not among the best");
  assert.match(html, /faded triangles/);
  // The infeasible trial is drawn, as a triangle, and says why.
  const data = html.match(/<script type="application\/json" class="chart-data">(.*?)<\/script>/)!;
  const option = JSON.parse(data[1]).option;
  const dominated = option.series[0].data;
  assert.equal(dominated.length, 1);
  assert.equal(dominated[0].symbol, "triangle");
  assert.ok(dominated[0].tip.includes("infeasible: outside the constraints"));
});
