/**
 * A study's plots as server-rendered ECharts SVG, after Optuna's visualisations
 * (https://optuna.readthedocs.io/en/v3.1.0/reference/visualization/): optimization history,
 * parameter importances, parallel coordinates, slices and intermediate values. Each has a fixed
 * size, so a page that redraws them as trials arrive never moves. Each is a {@linkcode ChartSpec}:
 * the option the server renders to SVG and the browser makes interactive, a trial's points
 * carrying their tooltip lines and a link to the trial's run.
 *
 * @module
 */

import type { EChartsOption } from "echarts";
import type { ParamSpec } from "../../config/study_schema.ts";
import type { TrialReport } from "../../jobs/study_report.ts";
import type { ParamImportance } from "../../tuner/importance.ts";
import type { StudyDirection } from "../../tuner/frozen_trial.ts";
import { FONT, INK, LINE, MUTED, PALETTE, PAPER, type Size } from "../charts/charts.ts";
import type { ChartSpec, ValueFormat } from "../charts/chart_embed.ts";

export const HISTORY_SIZE: Size = { width: 480, height: 280 };
export const IMPORTANCE_SIZE: Size = { width: 480, height: 280 };
export const INTERMEDIATE_SIZE: Size = { width: 980, height: 300 };
export const PARALLEL_SIZE: Size = { width: 980, height: 300 };
export const SLICE_SIZE: Size = { width: 320, height: 220 };

/** The trial fields the plots read. */
export type ChartTrial =
  & Pick<TrialReport, "number" | "state" | "params" | "value" | "intermediateValues">
  & Partial<Pick<TrialReport, "feasible" | "values">>
  & { runId?: number | null };

/** How a trial outside the study's constraints is drawn: a faded triangle. */
export const INFEASIBLE_MARK = {
  symbol: "triangle",
  symbolSize: 9,
  itemStyle: { opacity: 0.45 },
} as const;

/**
 * A trial's point: its value, what hovering it says, and its run's page. A trial outside the
 * study's constraints is drawn as a faded triangle and says so.
 */
export function trialPoint(
  trial: ChartTrial,
  value: (number | string)[],
  tip: string[],
): { value: (number | string)[]; tip: string[]; href?: string } {
  const href = trial.runId != null ? `/runs/${trial.runId}` : undefined;
  const infeasible = trial.feasible === false;
  return {
    value,
    tip: [
      `Trial ${trial.number}`,
      ...tip,
      ...(infeasible ? ["infeasible: outside the constraints"] : []),
    ],
    ...(href ? { href } : {}),
    ...(infeasible ? INFEASIBLE_MARK : {}),
  };
}

/** How the browser formats a metric's values. */
export function metricFormat(metric: string): ValueFormat {
  return metric.endsWith("Accuracy") ? "percent" : "number";
}

const BETTER = PALETTE[0];
const WORSE = PALETTE[5];
/** Trial states as the intermediate-values plot draws them: pruned ones dashed, in vermilion. */
const STATE_STYLE: Record<string, { label: string; color: string; dashed: boolean }> = {
  COMPLETE: { label: "complete", color: PALETTE[0], dashed: false },
  PRUNED: { label: "pruned", color: PALETTE[5], dashed: true },
  RUNNING: { label: "running", color: PALETTE[2], dashed: false },
  FAIL: { label: "failed", color: "#7f7f7f", dashed: true },
  WAITING: { label: "waiting", color: "#7f7f7f", dashed: true },
};

/** Accuracy metrics read as percentages, losses as plain numbers. */
export function metricFormatter(metric: string): (value: number) => string {
  return metric.endsWith("Accuracy")
    ? (value) => `${Number((value * 100).toFixed(1))}%`
    : (value) => String(Number(value.toPrecision(3)));
}

function completed(trials: readonly ChartTrial[]): (ChartTrial & { value: number })[] {
  return trials
    .filter((t): t is ChartTrial & { value: number } => t.state === "COMPLETE" && t.value !== null)
    .sort((a, b) => a.number - b.number);
}

function title(text: string, subtext?: string, fontSize = 14) {
  return {
    text,
    subtext,
    left: 8,
    top: 4,
    itemGap: 2,
    textStyle: { fontSize, color: INK },
    subtextStyle: { fontSize: 11, color: MUTED },
  };
}

/** Centred grey text for a chart with nothing to draw yet. */
function emptyNote(text: string | undefined): EChartsOption["graphic"] {
  if (!text) return [];
  return [{
    type: "text",
    left: "center",
    top: "middle",
    style: {
      text,
      fill: MUTED,
      fontSize: 13,
      fontFamily: FONT,
      // Over the parallel axes the note needs a ground of its own.
      backgroundColor: PAPER,
      padding: [4, 8],
    },
  }];
}

const axisLabel = { color: MUTED, hideOverlap: true };
const plainNumber = (value: number) => String(Number(value.toPrecision(3)));

/** The x axis of a parameter: categories, a log scale, or its range. */
function paramAxis(param: ParamSpec) {
  if (param.type === "categorical") {
    return { type: "category" as const, data: param.choices.map(String), axisLabel };
  }
  return {
    type: param.log ? "log" as const : "value" as const,
    min: param.low,
    max: param.high,
    minInterval: param.type === "int" ? 1 : undefined,
    axisLabel: { ...axisLabel, formatter: plainNumber },
  };
}

/** A parameter's value as its axis reads it: categories by their text. */
function axisValue(param: ParamSpec, value: unknown): number | string {
  return param.type === "categorical" ? String(value) : value as number;
}

const WAITING_FOR_COMPLETE = "Waiting for the first complete trial";

export interface HistoryChartOptions {
  trials: readonly ChartTrial[];
  direction: StudyDirection;
  metric: string;
  /** The study's trial budget: the x axis spans it, so points fill in rather than rescale. */
  budget: number;
  /** Shown while no trial is complete; by default the wait for the first one. */
  emptyText?: string;
  size?: Size;
}

/** Each complete trial's value by trial number, and the best value so far as a step line. */
export function historyChart(options: HistoryChartOptions): ChartSpec {
  const done = completed(options.trials);
  const better = options.direction === "maximize"
    ? (a: number, b: number) => a > b
    : (a: number, b: number) => a < b;
  let best: number | null = null;
  const bestSoFar: [number, number][] = [];
  for (const trial of done) {
    if (best === null || better(trial.value, best)) best = trial.value;
    bestSoFar.push([trial.number, best]);
  }
  const size = options.size ?? HISTORY_SIZE;
  const format = metricFormatter(options.metric);
  const option: EChartsOption = {
    color: [PALETTE[0], PALETTE[1]],
    title: title("Optimization history"),
    legend: { top: 6, right: 8, itemGap: 16, textStyle: { color: MUTED } },
    grid: { left: 56, right: 20, top: 44, bottom: 44 },
    xAxis: {
      type: "value",
      name: "Trial",
      nameLocation: "middle",
      nameGap: 26,
      min: 0,
      max: Math.max(options.budget - 1, 1),
      minInterval: 1,
      axisLabel,
      splitLine: { show: false },
    },
    yAxis: {
      type: "value",
      scale: true,
      axisLabel: { ...axisLabel, formatter: metricFormatter(options.metric) },
      splitLine: { lineStyle: { color: LINE } },
    },
    series: [
      {
        name: options.metric,
        type: "scatter",
        data: done.map((t) =>
          trialPoint(t, [t.number, t.value], [`${options.metric}: ${format(t.value)}`])
        ),
        symbolSize: 7,
      },
      {
        name: "best so far",
        type: "line",
        step: "end",
        data: bestSoFar,
        showSymbol: false,
        // Clicks and hovers go to the trials' points, even where the line runs over one.
        silent: true,
        lineStyle: { width: 2 },
      },
    ],
    graphic: emptyNote(done.length ? undefined : options.emptyText ?? WAITING_FOR_COMPLETE),
  };
  return {
    size,
    option,
    meta: { yFormat: metricFormat(options.metric), zoomX: true, integerX: true },
  };
}

/**
 * Horizontal bars, most important at the top (sorted here whatever the input order), each
 * labelled with its share; `emptyText` explains an empty list.
 */
export function importanceChart(
  importances: readonly ParamImportance[],
  emptyText = "No importances yet",
  size: Size = IMPORTANCE_SIZE,
): ChartSpec {
  const sorted = [...importances].sort((a, b) => b.importance - a.importance);
  const longest = Math.max(0, ...sorted.map((item) => item.name.length));
  const percent = (value: number) => `${(value * 100).toFixed(value < 0.1 ? 1 : 0)}%`;
  const option: EChartsOption = {
    title: title("Parameter importances", "fANOVA over complete trials"),
    grid: { left: Math.min(200, 20 + longest * 6.5), right: 56, top: 56, bottom: 24 },
    xAxis: {
      type: "value",
      min: 0,
      max: 1,
      show: sorted.length > 0,
      axisLabel: { ...axisLabel, formatter: (value: number) => `${Math.round(value * 100)}%` },
      splitLine: { lineStyle: { color: LINE } },
    },
    yAxis: {
      type: "category",
      inverse: true,
      show: sorted.length > 0,
      data: sorted.map((item) => item.name),
      axisLabel: { color: INK },
      axisTick: { show: false },
    },
    series: [{
      type: "bar",
      data: sorted.map((item) => item.importance),
      barMaxWidth: 22,
      itemStyle: { color: PALETTE[0] },
      label: {
        show: true,
        position: "right",
        color: INK,
        formatter: (params: unknown) => percent((params as { value: number }).value),
      },
    }],
    graphic: emptyNote(sorted.length ? undefined : emptyText),
  };
  return { size, option, meta: { xFormat: "percent", labelFormat: "percent" } };
}

export interface IntermediateChartOptions {
  trials: readonly ChartTrial[];
  metric: string;
  /** Epochs a trial trains at most: the x axis spans them. */
  xMax: number;
  size?: Size;
}

/** The metric each trial reported per epoch: one line per trial, pruned ones dashed. */
export function intermediateChart(options: IntermediateChartOptions): ChartSpec {
  const reporting = options.trials.filter((t) => t.intermediateValues.length > 0);
  const states = [...new Set(reporting.map((t) => t.state))];
  const size = options.size ?? INTERMEDIATE_SIZE;
  const format = metricFormatter(options.metric);
  const option: EChartsOption = {
    title: title("Intermediate values"),
    legend: {
      top: 6,
      right: 8,
      itemGap: 16,
      data: states.map((state) => STATE_STYLE[state].label),
      textStyle: { color: MUTED },
    },
    grid: { left: 56, right: 20, top: 44, bottom: 44 },
    xAxis: {
      type: "value",
      name: "Epoch",
      nameLocation: "middle",
      nameGap: 26,
      min: 1,
      max: Math.max(options.xMax, 2),
      minInterval: 1,
      axisLabel,
      splitLine: { show: false },
    },
    yAxis: {
      type: "value",
      scale: true,
      axisLabel: { ...axisLabel, formatter: metricFormatter(options.metric) },
      splitLine: { lineStyle: { color: LINE } },
    },
    series: reporting.map((trial) => {
      const style = STATE_STYLE[trial.state];
      return {
        name: style.label,
        type: "line",
        data: trial.intermediateValues.map(([epoch, value]) =>
          trialPoint(trial, [epoch, value], [
            style.label,
            `epoch ${epoch}: ${options.metric} ${format(value)}`,
          ])
        ),
        // A trial of one epoch (stopped, or trained for one) is a single point, which a line
        // alone never draws.
        showSymbol: trial.state !== "COMPLETE" || trial.intermediateValues.length === 1,
        symbol: "circle",
        symbolSize: 5,
        itemStyle: { color: style.color },
        lineStyle: { width: 1.5, color: style.color, type: style.dashed ? "dashed" : "solid" },
      };
    }),
    graphic: emptyNote(reporting.length ? undefined : "Waiting for the first epoch"),
  };
  return {
    size,
    option,
    meta: { yFormat: metricFormat(options.metric), zoomX: true, integerX: true },
  };
}

export interface ParallelChartOptions {
  trials: readonly ChartTrial[];
  space: Readonly<Record<string, ParamSpec>>;
  metric: string;
  direction: StudyDirection;
  /** Shown while no trial is complete; by default the wait for the first one. */
  emptyText?: string;
  size?: Size;
}

/**
 * One axis per parameter (categories, log or linear as the space defines it) and one for the
 * value; each complete trial is a line coloured from worse (vermilion) to better (blue). A
 * parameter only some trials have (momentum when SGD was chosen, a fourth layer's units) gets
 * no axis, so no trial is dropped: its slice plot shows it.
 */
export function parallelChart(options: ParallelChartOptions): ChartSpec {
  const done = completed(options.trials);
  const names = Object.keys(options.space).filter((name) => done.every((t) => name in t.params));
  const values = done.map((t) => t.value);
  const low = Math.min(...values);
  const high = Math.max(...values);
  const colours = options.direction === "maximize" ? [WORSE, BETTER] : [BETTER, WORSE];
  const size = options.size ?? PARALLEL_SIZE;
  const option: EChartsOption = {
    title: title("Parallel coordinates", "Complete trials; blue is better"),
    parallel: { left: 70, right: 90, top: 78, bottom: 28 },
    parallelAxis: [
      ...names.map((name, dim) => ({
        dim,
        name,
        ...paramAxis(options.space[name]),
        nameTextStyle: { color: INK },
      })),
      {
        dim: names.length,
        name: options.metric,
        type: "value" as const,
        scale: true,
        nameTextStyle: { color: INK, fontWeight: "bold" as const },
        axisLabel: { ...axisLabel, formatter: metricFormatter(options.metric) },
      },
    ],
    visualMap: done.length
      ? {
        show: false,
        type: "continuous",
        dimension: names.length,
        min: low,
        max: high > low ? high : low + 1,
        inRange: { color: colours },
      }
      : undefined,
    series: [{
      type: "parallel",
      lineStyle: { width: 1.5, opacity: 0.8 },
      data: done.map((t) => [
        ...names.map((name) => axisValue(options.space[name], t.params[name])),
        t.value,
      ]),
    }],
    graphic: emptyNote(done.length ? undefined : options.emptyText ?? WAITING_FOR_COMPLETE),
  };
  return { size, option, meta: { yFormat: metricFormat(options.metric), axisPicker: true } };
}

export interface SliceChartOptions {
  trials: readonly ChartTrial[];
  name: string;
  param: ParamSpec;
  metric: string;
  size?: Size;
}

/** The value of each complete trial against one parameter. */
export function sliceChart(options: SliceChartOptions): ChartSpec {
  const done = completed(options.trials).filter((t) => options.name in t.params);
  const size = options.size ?? SLICE_SIZE;
  const format = metricFormatter(options.metric);
  const option: EChartsOption = {
    title: title(options.name, undefined, 13),
    grid: { left: 52, right: 16, top: 36, bottom: 28 },
    xAxis: paramAxis(options.param),
    yAxis: {
      type: "value",
      scale: true,
      axisLabel: { ...axisLabel, formatter: metricFormatter(options.metric) },
      splitLine: { lineStyle: { color: LINE } },
    },
    series: [{
      type: "scatter",
      symbolSize: 7,
      itemStyle: { color: PALETTE[0], opacity: 0.75 },
      data: done.map((t) => {
        const x = axisValue(options.param, t.params[options.name]);
        return trialPoint(t, [x, t.value], [
          `${options.name}: ${x}`,
          `${options.metric}: ${format(t.value)}`,
        ]);
      }),
    }],
    graphic: emptyNote(done.length ? undefined : "No complete trials yet"),
  };
  return { size, option, meta: { yFormat: metricFormat(options.metric) } };
}
