/**
 * Charts rendered on the server as SVG strings with ECharts' SSR mode (no chart code runs in the
 * browser; htmx swaps the SVG). ECharts escapes every text it draws, so series names typed by
 * users (run names) are safe to embed.
 *
 * @module
 */

import * as echarts from "echarts";
import type { EpochRow } from "../../db/runs.ts";
import { chartDataScript, type ChartSpec } from "./chart_embed.ts";

export interface Size {
  width: number;
  height: number;
}

/** The size the run page reserves for each curve, so redrawing never moves the page. */
export const CURVE_SIZE: Size = { width: 480, height: 270 };

export interface LineSeries {
  name: string;
  /** [x, y] points; a null y leaves a gap. */
  points: [number, number | null][];
  /** A colour of its own (a run's train and dev curves share one), else the palette's next. */
  color?: string;
  dashed?: boolean;
}

export interface LineChartOptions extends Size {
  title: string;
  xName: string;
  series: LineSeries[];
  /**
   * Fixes the x axis to [1, xMax], so a curve grows into its place rather than rescaling; the
   * largest x of the points when left out. The x values are counts (epochs) from 1.
   */
  xMax?: number;
  /** Shows y values as percentages (values are fractions). */
  percent?: boolean;
  /** Shown in the middle while no series has a point. */
  emptyText?: string;
  /** Top right suits two short names; many runs' names need the rows below the chart. */
  legend?: "top" | "bottom";
}

/*
 * Text, axis and grid colours name the page's CSS custom properties (views/shell/style.css), so a
 * chart drawn once on the server reads on the light and the dark scheme alike; the fallback is
 * the light scheme's. ECharts writes these strings into the SVG untouched. Colours it must blend
 * (a visualMap's range) stay plain hex, picked to read on both backgrounds.
 */
export const INK = "var(--ink, #1d232b)";
export const MUTED = "var(--muted, #5b6673)";
export const LINE = "var(--line, #dde2e8)";
/** The card behind a chart, for what must hide what is drawn under it. */
export const PAPER = "var(--paper, #ffffff)";
/** Axis lines and ticks, between the text and the grid lines in weight. */
const AXIS = "var(--chart-axis, #54555a)";
/**
 * Colour-blind-safe order (Okabe–Ito), starting with the two the run page uses; its black is the
 * page's ink, so the seventh run's line stays visible on dark paper.
 */
export const PALETTE = [
  "#0072b2",
  "#e69f00",
  "#009e73",
  "#cc79a7",
  "#56b4e9",
  "#d55e00",
  INK,
];
/**
 * Without a canvas, ECharts lays text out with Arial's character widths; drawing it in Arial or a
 * metric twin (Liberation Sans) keeps legends and labels from overlapping.
 */
export const FONT = "Helvetica, Arial, 'Liberation Sans', sans-serif"; // inside a style="…" attribute
/** Rough width of one legend entry (marker, gap, text) for the estimate of legend rows. */
const LEGEND_CHAR_PX = 7;
const LEGEND_ITEM_PX = 45;
/** More points than this and markers only add clutter. */
const MAX_MARKED_POINTS = 30;

const axisColours = {
  axisLine: { lineStyle: { color: AXIS } },
  axisLabel: { color: MUTED },
  splitLine: { lineStyle: { color: LINE } },
};

/**
 * ECharts' defaults for what a chart leaves unset, in the colours above. Markers are filled:
 * ECharts fills its hollow ones with a fixed white, which glares on dark paper.
 */
echarts.registerTheme("ajuste", {
  textStyle: { color: INK },
  title: { textStyle: { color: INK }, subtextStyle: { color: MUTED } },
  legend: { textStyle: { color: MUTED } },
  categoryAxis: axisColours,
  valueAxis: axisColours,
  logAxis: axisColours,
  line: { symbol: "circle" },
});

/** Renders an option to an SVG string and frees the chart. */
export function renderSvg(size: Size, option: echarts.EChartsOption): string {
  const chart = echarts.init(null, "ajuste", { renderer: "svg", ssr: true, ...size });
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: FONT }, ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/**
 * The chart's SVG followed by its option as JSON for the browser to make interactive
 * (views/charts/chart_client.js); `dataId` names the data element a live stream replaces.
 */
export function chartHtml(spec: ChartSpec, dataId?: string): string {
  return renderSvg(spec.size, spec.option) + chartDataScript(spec, dataId);
}

/** A chart's first paint alone, without the data the browser needs to take it over. */
export function specSvg(spec: ChartSpec): string {
  return renderSvg(spec.size, spec.option);
}

/** At most this many labelled ticks on an epoch axis. */
const MAX_X_TICKS = 10;

/**
 * Integer ticks from 1 to at most `xMax`, evenly spaced by 1, 2, 5, 10, 20, 50… so that no more
 * than {@linkcode MAX_X_TICKS} are drawn: 1–10 for 10 epochs, 1, 3, … 19 for 20.
 */
export function epochTicks(xMax: number): number[] {
  const last = Math.max(1, Math.floor(xMax));
  const count = (step: number) => Math.floor((last - 1) / step) + 1;
  for (let scale = 1;; scale *= 10) {
    for (const step of [scale, 2 * scale, 5 * scale]) {
      if (count(step) <= MAX_X_TICKS) {
        return Array.from({ length: count(step) }, (_, i) => 1 + i * step);
      }
    }
  }
}

/** Values at least this many times apart put the y axis on a log scale. */
const LOG_SCALE_SPAN = 1e3;

/**
 * Whether the plotted values are all positive and span three decades or more, as a runaway
 * loss does (0.7 to 3e14): on a linear axis every value but the largest would sit on zero.
 */
export function spansDecades(series: LineSeries[]): boolean {
  const values = series.flatMap((s) => s.points.map(([, y]) => y))
    .filter((y): y is number => y !== null);
  if (values.length === 0 || values.some((y) => !(y > 0) || !Number.isFinite(y))) return false;
  return Math.max(...values) / Math.min(...values) >= LOG_SCALE_SPAN;
}

/**
 * An axis label short enough for the axis' margin: 0.693, 12.5, 1200, then 3e14 or 2.5e-5
 * rather than 300000000000000 or 0.000025.
 */
export function axisNumber(value: number): string {
  const size = Math.abs(value);
  if (size !== 0 && (size >= 1e5 || size < 1e-3)) {
    const [mantissa, exponent] = value.toExponential(1).split("e");
    return `${mantissa.replace(/\.0$/, "")}e${Number(exponent)}`;
  }
  return String(Number(value.toPrecision(3)));
}

export function lineChartSvg(options: LineChartOptions): string {
  const spec = lineChartSpec(options);
  return renderSvg(spec.size, spec.option);
}

/** A line chart's option, with the client's zoom, log switch and smoothing where they fit. */
export function lineChartSpec(options: LineChartOptions): ChartSpec {
  const pointCount = Math.max(0, ...options.series.map((s) => s.points.length));
  const xMax = options.xMax ??
    Math.max(1, ...options.series.flatMap((s) => s.points.map(([x]) => x)));
  const ticks = epochTicks(xMax);
  const empty = options.series.every((s) => s.points.every(([, y]) => y === null));
  const format = options.percent
    ? (value: number) => `${(value * 100).toFixed(value >= 0.999 || value === 0 ? 0 : 1)}%`
    : axisNumber;
  const log = !options.percent && spansDecades(options.series);
  const values = options.series.flatMap((s) => s.points.map(([, y]) => y ?? NaN))
    .filter(Number.isFinite);
  const legendWidth = options.series.reduce(
    (sum, s) => sum + s.name.length * LEGEND_CHAR_PX + LEGEND_ITEM_PX,
    0,
  );
  const legendRows = options.legend === "bottom"
    ? Math.ceil(legendWidth / (options.width - 32))
    : 0;
  const size = { width: options.width, height: options.height };
  const option: echarts.EChartsOption = {
    color: PALETTE,
    title: { text: options.title, left: 8, top: 4, textStyle: { fontSize: 14, color: INK } },
    legend: options.legend === "bottom"
      ? { bottom: 4, left: 16, right: 16, itemGap: 16, textStyle: { color: MUTED } }
      : { top: 6, right: 8, itemGap: 16, textStyle: { color: MUTED } },
    grid: { left: 56, right: 20, top: 44, bottom: 44 + legendRows * 22 },
    xAxis: {
      type: "value",
      name: options.xName,
      nameLocation: "middle",
      nameGap: 26,
      // One epoch sits in the middle of a short axis rather than at the end of [1, 2].
      min: xMax === 1 ? 0.5 : 1,
      max: xMax === 1 ? 1.5 : xMax,
      axisTick: { customValues: ticks },
      axisLabel: { color: MUTED, customValues: ticks },
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
        : { type: "value", scale: true }),
      axisLabel: { color: MUTED, formatter: format },
      splitLine: { lineStyle: { color: LINE } },
    },
    series: options.series.map((series) => ({
      name: series.name,
      type: "line",
      data: series.points,
      showSymbol: pointCount <= MAX_MARKED_POINTS,
      symbolSize: 5,
      connectNulls: false,
      ...(series.color ? { color: series.color } : {}),
      lineStyle: { width: 2, type: series.dashed ? "dashed" as const : "solid" as const },
    })),
    graphic: empty && options.emptyText
      ? [{
        type: "text",
        left: "center",
        top: "middle",
        style: { text: options.emptyText, fill: MUTED, fontSize: 13, fontFamily: FONT },
      }]
      : [],
  };
  return {
    size,
    option,
    meta: {
      yFormat: options.percent ? "percent" : "number",
      zoomX: true,
      integerX: true,
      logToggle: !options.percent,
      smoothing: true,
      group: "epochs",
    },
  };
}

export interface HeatmapOptions extends Size {
  /** counts[trueClass * n + predictedClass] */
  confusion: number[];
  classNames: string[];
}

/**
 * A confusion matrix: true class down, predicted class across, each cell labelled with its count
 * and shaded by the share of its row (per-class recall), so errors stay visible beside a heavy
 * diagonal.
 */
export function confusionHeatmapSvg(options: HeatmapOptions): string {
  return specSvg(confusionHeatmapSpec(options));
}

/**
 * The confusion matrix as a chart the browser can take over: each cell says on hover its true
 * and predicted class, its count and its share of the true class's examples.
 */
export function confusionHeatmapSpec(options: HeatmapOptions): ChartSpec {
  const n = options.classNames.length;
  if (options.confusion.length !== n * n) {
    throw new RangeError(
      `Confusion matrix must hold ${n}×${n} = ${n * n} counts for ${n} classes, ` +
        `got ${options.confusion.length}`,
    );
  }
  const cells: {
    value: [number, number, number, number];
    label: { show: boolean; color: string };
    tip: string[];
  }[] = [];
  for (let actual = 0; actual < n; actual++) {
    const row = options.confusion.slice(actual * n, (actual + 1) * n);
    const total = row.reduce((a, b) => a + b, 0) || 1;
    for (let predicted = 0; predicted < n; predicted++) {
      const share = row[predicted] / total;
      // Dark cells need light numbers, light cells dark ones, whatever the page's scheme.
      const label = { show: row[predicted] > 0, color: share > 0.5 ? "#ffffff" : "#1d232b" };
      const [trueName, predictedName] = [options.classNames[actual], options.classNames[predicted]];
      const tip = [
        `True ${trueName}, predicted ${predictedName}`,
        `${row[predicted]} ${row[predicted] === 1 ? "example" : "examples"} · ` +
        `${(share * 100).toFixed(1)}% of true ${trueName}`,
      ];
      cells.push({ value: [predicted, actual, share, row[predicted]], label, tip });
    }
  }
  const longest = Math.max(...options.classNames.map((name) => name.length));
  const rotate = longest > 3 ? 40 : 0;
  const size = { width: options.width, height: options.height };
  const option: echarts.EChartsOption = {
    grid: { left: 16, right: 16, top: 16, bottom: 48 },
    xAxis: {
      type: "category",
      data: options.classNames,
      name: "Predicted",
      nameLocation: "middle",
      nameGap: rotate ? 58 : 26,
      axisLabel: { color: INK, rotate, interval: 0 },
      axisTick: { show: false },
      splitArea: { show: false },
    },
    yAxis: {
      type: "category",
      data: options.classNames,
      inverse: true,
      name: "True",
      nameLocation: "middle",
      nameGap: Math.min(80, 14 + longest * 7),
      axisLabel: { color: INK, interval: 0 },
      axisTick: { show: false },
    },
    visualMap: {
      show: false,
      min: 0,
      max: 1,
      dimension: 2,
      inRange: { color: ["#f7fbff", "#6baed6", "#08306b"] },
    },
    series: [{
      type: "heatmap",
      data: cells,
      label: {
        show: true,
        fontSize: n > 12 ? 9 : 11,
        // The count (a template, so it survives as JSON); empty cells hide theirs.
        formatter: "{@[3]}",
      },
      itemStyle: { borderColor: PAPER, borderWidth: 1 },
    }],
  };
  return { size, option };
}

export interface CurveOptions {
  size?: Size;
  /** The run has ended: with no epoch, the chart says none finished rather than waiting. */
  ended?: boolean;
}

export const WAITING_TEXT = "Waiting for the first epoch";
export const NO_EPOCH_TEXT = "No epoch finished";

/** Train and dev loss per epoch. */
export function lossChartSpec(
  epochs: EpochRow[],
  plannedEpochs: number,
  options: CurveOptions = {},
): ChartSpec {
  return lineChartSpec({
    ...options.size ?? CURVE_SIZE,
    title: "Loss",
    xName: "Epoch",
    xMax: plannedEpochs,
    emptyText: options.ended ? NO_EPOCH_TEXT : WAITING_TEXT,
    series: [
      { name: "train", points: epochs.map((e) => [e.epoch, e.trainLoss]) },
      { name: "dev", points: epochs.map((e) => [e.epoch, e.devLoss]) },
    ],
  });
}

/** Train and dev accuracy per epoch. */
export function accuracyChartSpec(
  epochs: EpochRow[],
  plannedEpochs: number,
  options: CurveOptions = {},
): ChartSpec {
  return lineChartSpec({
    ...options.size ?? CURVE_SIZE,
    title: "Accuracy",
    xName: "Epoch",
    xMax: plannedEpochs,
    percent: true,
    emptyText: options.ended ? NO_EPOCH_TEXT : WAITING_TEXT,
    series: [
      { name: "train", points: epochs.map((e) => [e.epoch, e.trainAccuracy]) },
      { name: "dev", points: epochs.map((e) => [e.epoch, e.devAccuracy]) },
    ],
  });
}

/**
 * The learning rate each epoch ended with (its last step's: OneCycleLR moves it every step).
 * Epochs stored before the lr was kept have none, and are left out.
 */
export function lrChartSpec(
  epochs: EpochRow[],
  plannedEpochs: number,
  options: CurveOptions = {},
): ChartSpec {
  const points: [number, number][] = [];
  for (const e of epochs) if (e.lr != null) points.push([e.epoch, e.lr]);
  return lineChartSpec({
    ...options.size ?? CURVE_SIZE,
    title: "Learning rate",
    xName: "Epoch",
    xMax: plannedEpochs,
    emptyText: options.ended ? NO_EPOCH_TEXT : WAITING_TEXT,
    series: [{ name: "lr", points }],
  });
}

export function lossChartSvg(epochs: EpochRow[], planned: number, options?: CurveOptions): string {
  const spec = lossChartSpec(epochs, planned, options);
  return renderSvg(spec.size, spec.option);
}

export function accuracyChartSvg(
  epochs: EpochRow[],
  planned: number,
  options?: CurveOptions,
): string {
  const spec = accuracyChartSpec(epochs, planned, options);
  return renderSvg(spec.size, spec.option);
}

export function lrChartSvg(epochs: EpochRow[], planned: number, options?: CurveOptions): string {
  const spec = lrChartSpec(epochs, planned, options);
  return renderSvg(spec.size, spec.option);
}
