/**
 * Charts of per-layer statistics (`engine/layer_stats.ts`): small line charts of one statistic
 * over epochs, a line per layer (the run page's small multiples) or per run (the compare page's
 * overlay), and a bar chart of one layer's weight histogram. Drawn with the run charts' theme
 * (`views/charts/charts.ts`), on a compact grid with a forced log axis where a statistic's scale
 * is what matters (gradient norm, update ratio).
 *
 * @module
 */

import type { EpochRow } from "../../db/runs.ts";
import type { LayerStats } from "../../engine/layer_stats.ts";
import {
  axisNumber,
  epochTicks,
  FONT,
  INK,
  LINE,
  type LineSeries,
  MUTED,
  PALETTE,
  renderSvg,
  type Size,
  specSvg,
} from "../charts/charts.ts";
import type { ChartSpec } from "../charts/chart_embed.ts";
import type { EChartsOption } from "echarts";

/** One of the small multiples: 300 × 190 px, three across a wide page, one on a phone. */
export const SMALL_SIZE: Size = { width: 300, height: 190 };

export type StatisticAxis = "linear" | "log" | "percent";

export interface LayerStatistic {
  /** Stable name for a form's value: the LayerStats field, or `inactiveShare`. */
  key: string;
  title: string;
  axis: StatisticAxis;
  pick: (layer: LayerStats) => number | null;
}

/**
 * Dead units (ReLU family, GELU) or saturated values (sigmoid, tanh), whichever the layer's
 * activation counts: the share of the layer that passes (almost) no gradient.
 */
const INACTIVE_SHARE: LayerStatistic = {
  key: "inactiveShare",
  title: "Dead or saturated share",
  axis: "percent",
  pick: (layer) => layer.deadShare ?? layer.saturatedShare,
};

/** The run page's small multiples, in reading order. */
export const RUN_STATISTICS: readonly LayerStatistic[] = [
  { key: "activationStd", title: "Activation std", axis: "linear", pick: (l) => l.activationStd },
  {
    key: "preActivationStd",
    title: "Pre-activation std",
    axis: "linear",
    pick: (l) => l.preActivationStd,
  },
  INACTIVE_SHARE,
  { key: "gradientNorm", title: "Gradient norm ‖∂L/∂W‖", axis: "log", pick: (l) => l.gradientNorm },
  { key: "updateRatio", title: "Update ratio ‖ΔW‖/‖W‖", axis: "log", pick: (l) => l.updateRatio },
  { key: "weightNorm", title: "Weight norm ‖W‖", axis: "linear", pick: (l) => l.weightNorm },
];

/** What the compare page can overlay: every statistic of one layer. */
export const COMPARE_STATISTICS: readonly LayerStatistic[] = [
  ...RUN_STATISTICS,
  {
    key: "activationMean",
    title: "Activation mean",
    axis: "linear",
    pick: (l) => l.activationMean,
  },
  {
    key: "preActivationMean",
    title: "Pre-activation mean",
    axis: "linear",
    pick: (l) => l.preActivationMean,
  },
];

/** `statistic` of hidden layer `layer` (0-based) per epoch; null where an epoch has none. */
export function statisticPoints(
  epochs: EpochRow[],
  statistic: LayerStatistic,
  layer: number,
): [number, number | null][] {
  return sampleEpochs(epochs).map((epoch) => {
    const stats = epoch.layers?.[layer];
    const value = stats ? statistic.pick(stats) : null;
    // A figure stored as null (not finite), or ≤ 0 on a log axis, leaves a gap.
    const shown = value !== null && Number.isFinite(value) &&
        !(statistic.axis === "log" && value <= 0)
      ? value
      : null;
    return [epoch.epoch, shown];
  });
}

/** More points than a small multiple has pixels across show nothing more. */
export const MAX_SMALL_POINTS = 300;

/**
 * Every `k`-th epoch (and the last) once there are more than {@linkcode MAX_SMALL_POINTS}: a
 * run of thousands of epochs draws (and redraws while it trains) in the time of a few hundred.
 */
export function sampleEpochs(epochs: EpochRow[]): EpochRow[] {
  if (epochs.length <= MAX_SMALL_POINTS) return epochs;
  const every = Math.ceil(epochs.length / MAX_SMALL_POINTS);
  return epochs.filter((_, i) => i % every === 0 || i === epochs.length - 1);
}

export interface SmallChartOptions {
  title: string;
  axis: StatisticAxis;
  series: LineSeries[];
  /** The epoch axis runs to this (the run's planned epochs), so lines grow into place. */
  xMax: number;
  emptyText: string;
  size?: Size;
}

/** A compact line chart over epochs with its legend below, one series per layer or run. */
export function smallChartSvg(options: SmallChartOptions): string {
  return specSvg(smallChartSpec(options));
}

/**
 * The same chart as the browser can take over (`chartHtml`): exact values of each line on hover.
 * Its y labels' formatter goes as the meta's format.
 */
export function smallChartSpec(options: SmallChartOptions): ChartSpec {
  const size = options.size ?? SMALL_SIZE;
  const xMax = Math.max(1, options.xMax);
  const ticks = epochTicks(xMax).filter((_, i, all) => all.length <= 6 || i % 2 === 0);
  const values = options.series.flatMap((s) => s.points.map(([, y]) => y))
    .filter((y): y is number => y !== null);
  const log = options.axis === "log" && values.length > 0;
  const format = options.axis === "percent"
    ? (value: number) => `${Number((value * 100).toPrecision(3))}%`
    : axisNumber;
  // About 6 px a character at the legend's 12 px, and 30 px of marker and gap per item.
  const legendWidth = options.series.reduce((sum, s) => sum + s.name.length * 6 + 30, 0);
  const legendRows = options.series.length > 1 ? Math.ceil(legendWidth / (size.width - 16)) : 0;
  const option: EChartsOption = {
    color: PALETTE,
    title: { text: options.title, left: 6, top: 4, textStyle: { fontSize: 12, color: INK } },
    legend: legendRows
      ? { bottom: 2, left: 8, right: 8, itemGap: 16, itemWidth: 14, textStyle: { color: MUTED } }
      : { show: false },
    grid: { left: 46, right: 12, top: 30, bottom: 24 + legendRows * 18 },
    xAxis: {
      type: "value",
      min: xMax === 1 ? 0.5 : 1,
      max: xMax === 1 ? 1.5 : xMax,
      axisTick: { customValues: ticks },
      axisLabel: { color: MUTED, customValues: ticks, fontSize: 10 },
      splitLine: { show: false },
    },
    yAxis: {
      // A log axis from the decade below the smallest value to the one above the largest.
      ...(log
        ? {
          type: "log",
          logBase: 10,
          min: 10 ** Math.floor(Math.log10(Math.min(...values))),
          max: 10 ** Math.ceil(Math.log10(Math.max(...values))),
        }
        : { type: "value", ...(options.axis === "percent" ? { min: 0 } : { scale: true }) }),
      axisLabel: { color: MUTED, formatter: format, fontSize: 10 },
      splitLine: { lineStyle: { color: LINE } },
    },
    series: options.series.map((series) => ({
      name: series.name,
      type: "line",
      data: series.points,
      ...(series.color ? { color: series.color } : {}),
      showSymbol: series.points.length <= 30,
      symbolSize: 4,
      connectNulls: false,
      lineStyle: { width: 1.5 },
    })),
    graphic: values.length === 0
      ? [{
        type: "text",
        left: "center",
        top: "middle",
        style: { text: options.emptyText, fill: MUTED, fontSize: 12, fontFamily: FONT },
      }]
      : [],
  };
  return { size, option, meta: { yFormat: options.axis === "percent" ? "percent" : "number" } };
}

/** One layer's weight histogram: 32 bars over [−R, R], the end bins holding what lies past R. */
export function weightHistogramSvg(
  title: string,
  histogram: LayerStats["weightHistogram"],
  color: string,
  size: Size = SMALL_SIZE,
): string {
  const { limit, counts } = histogram;
  const width = (2 * limit) / counts.length;
  const centres = counts.map((_, bin) => -limit + (bin + 0.5) * width);
  return renderSvg(size, {
    title: { text: title, left: 6, top: 4, textStyle: { fontSize: 12, color: INK } },
    grid: { left: 46, right: 12, top: 30, bottom: 24 },
    xAxis: {
      type: "value",
      min: -limit,
      max: limit,
      axisTick: { customValues: [-limit, 0, limit] },
      axisLabel: {
        color: MUTED,
        customValues: [-limit, 0, limit],
        formatter: axisNumber,
        fontSize: 10,
      },
      splitLine: { show: false },
    },
    yAxis: {
      type: "value",
      axisLabel: { color: MUTED, formatter: axisNumber, fontSize: 10 },
      splitLine: { lineStyle: { color: LINE } },
    },
    series: [{
      type: "bar",
      data: centres.map((x, bin) => [x, counts[bin]]),
      barWidth: "90%",
      barCategoryGap: 0,
      itemStyle: { color },
    }],
  });
}
