/**
 * A chart as its first paint and its interactive self: the server-rendered SVG, followed by the
 * same ECharts option as JSON in a `<script type="application/json" class="chart-data">`, which
 * `chart_client.js` hydrates in the browser (tooltips, zoom, log scale, smoothing, links). The
 * SVG stays for browsers without scripts and until the client takes over.
 *
 * @module
 */

import type { EChartsOption } from "echarts";

/** How the client formats a value it shows: an axis label, a tooltip, a bar's label. */
export type ValueFormat = "percent" | "number" | "time";

/** What the client adds to the option; everything here is plain data, as JSON needs. */
export interface ChartMeta {
  /** Formats for the y axis (and axis tooltips), the x axis, and series labels. */
  yFormat?: ValueFormat;
  xFormat?: ValueFormat;
  labelFormat?: ValueFormat;
  /** Zoom and pan along the x axis (epochs, trials, wall time). */
  zoomX?: boolean;
  /** Offer a linear/log switch for the y axis (all values positive). */
  logToggle?: boolean;
  /** Offer a smoothing slider for the line series (TensorBoard's debiased EMA). */
  smoothing?: boolean;
  /** The x axis counts (epochs, trials): whole-number ticks when zoomed. */
  integerX?: boolean;
  /**
   * Other options the same figure can show, picked in a select (a contour's parameter pair, a
   * compared metric); the first is the option rendered.
   */
  variants?: {
    label: string;
    choices: { name: string; option: EChartsOption; meta?: ChartMeta }[];
  };
  /** Parallel coordinates: axes the reader may hide, by dimension. */
  axisPicker?: boolean;
  /**
   * Charts of a page in the same group share their crosshair (and zoom): hovering epoch 3 on
   * the loss shows epoch 3 on the accuracy and learning rate too.
   */
  group?: string;
}

/** A chart the page can draw both ways. Data items may carry `tip` lines and an `href`. */
export interface ChartSpec {
  size: { width: number; height: number };
  option: EChartsOption;
  meta?: ChartMeta;
}

/**
 * The JSON a `<script>` can hold: `<` escaped so no text (a run or parameter name) closes the
 * element; functions (formatters) are dropped, which the meta's formats stand in for.
 */
export function chartJson(spec: ChartSpec): string {
  return JSON.stringify({ size: spec.size, option: spec.option, meta: spec.meta ?? {} })
    .replace(/</g, "\\u003c");
}

/** The chart's data element; `id` lets a live stream swap it alone. */
export function chartDataScript(spec: ChartSpec, id?: string): string {
  const idAttribute = id ? ` id="${id}"` : "";
  return `<script type="application/json" class="chart-data"${idAttribute}>${
    chartJson(spec)
  }</script>`;
}
