/**
 * The objective over two parameters as a filled contour, after Optuna's `plot_contour`
 * (https://optuna.readthedocs.io/en/v3.1.0/reference/visualization/generated/optuna.visualization.plot_contour.html),
 * which interpolates the complete trials on a grid. Optuna uses scipy's `griddata`; here the grid
 * is filled by inverse-distance weighting (Shepard, 1968) in the parameters' own scales (log
 * parameters in log10, categories by index, each axis scaled to [0, 1]), which needs no
 * triangulation and is defined everywhere, with the trials drawn on top.
 *
 * @module
 */

import type { EChartsOption } from "echarts";
import type { ParamSpec } from "../../../config/study_schema.ts";
import type { ChartSpec } from "../../charts/chart_embed.ts";
import { INK, MUTED, PALETTE, PAPER, type Size } from "../../charts/charts.ts";
import { metricFormatter, trialPoint } from "../study_charts.ts";
import { emptyNote, plotTitle } from "./plot_parts.ts";
import type { PairPlotOptions } from "./rank_plot.ts";

export const CONTOUR_SIZE: Size = { width: 480, height: 340 };
/** Cells per numeric axis. */
const GRID = 24;
/** Inverse-distance weights fall as distance to this power (Shepard's usual 2). */
const POWER = 2;

/** Where a value sits on a parameter's axis, from 0 (low) to 1 (high). */
export function unitPosition(param: ParamSpec, value: unknown): number {
  if (param.type === "categorical") {
    const index = param.choices.findIndex((choice) => String(choice) === String(value));
    return param.choices.length > 1 ? index / (param.choices.length - 1) : 0;
  }
  const scale = param.log ? Math.log10 : (v: number) => v;
  const [low, high] = [scale(param.low), scale(param.high)];
  return high > low ? (scale(value as number) - low) / (high - low) : 0;
}

/** The values at the grid's cell centres along a parameter's axis, as its labels. */
export function gridValues(param: ParamSpec): string[] {
  if (param.type === "categorical") return param.choices.map(String);
  return Array.from({ length: GRID }, (_, i) => {
    const u = i / (GRID - 1);
    const v = param.log
      ? 10 ** (Math.log10(param.low) + u * (Math.log10(param.high) - Math.log10(param.low)))
      : param.low + u * (param.high - param.low);
    return String(Number(v.toPrecision(param.type === "int" ? 6 : 3)));
  });
}

/**
 * The value at (u, v) in [0, 1]² weighted by 1/d^POWER from each known point; a point exactly
 * there gives its own value.
 */
export function interpolate(points: readonly [number, number, number][], u: number, v: number) {
  let weights = 0;
  let sum = 0;
  for (const [pu, pv, value] of points) {
    const distance = Math.hypot(pu - u, pv - v);
    if (distance < 1e-12) return value;
    const weight = distance ** -POWER;
    weights += weight;
    sum += weight * value;
  }
  return sum / weights;
}

export function contourChart(options: PairPlotOptions): ChartSpec {
  const [xName, xParam] = options.x;
  const [yName, yParam] = options.y;
  const done = options.trials.filter((t) =>
    t.state === "COMPLETE" && t.value !== null && xName in t.params && yName in t.params
  );
  const known = done.map((t): [number, number, number] => [
    unitPosition(xParam, t.params[xName]),
    unitPosition(yParam, t.params[yName]),
    t.value as number,
  ]);
  const xCells = gridValues(xParam);
  const yCells = gridValues(yParam);
  const cells: [number, number, number][] = [];
  if (known.length) {
    xCells.forEach((_, i) =>
      yCells.forEach((_, j) => {
        const u = xCells.length > 1 ? i / (xCells.length - 1) : 0;
        const v = yCells.length > 1 ? j / (yCells.length - 1) : 0;
        cells.push([i, j, interpolate(known, u, v)]);
      })
    );
  }
  const values = known.map(([, , value]) => value);
  const low = Math.min(...values);
  const high = Math.max(...values);
  const format = metricFormatter(options.metric);
  const axis = (name: string, data: string[], nameGap: number) => ({
    type: "category" as const,
    data,
    name,
    nameLocation: "middle" as const,
    nameGap,
    nameTextStyle: { color: INK },
    // Every fifth of the numeric grid's cells is labelled, every category.
    axisLabel: { color: MUTED, hideOverlap: true, interval: data.length === GRID ? 4 : 0 },
    axisTick: { show: false },
  });
  const option: EChartsOption = {
    title: plotTitle("Contour", "Interpolated between complete trials; blue is better"),
    grid: { left: 64, right: 24, top: 60, bottom: 48 },
    xAxis: axis(xName, xCells, 28),
    yAxis: axis(yName, yCells, 48),
    // ECharts refuses a heat map without a visual map, even an empty one.
    visualMap: {
      show: false,
      seriesIndex: 0,
      min: known.length ? low : 0,
      max: known.length && high > low ? high : (known.length ? low : 0) + 1,
      inRange: {
        color: options.direction === "maximize"
          ? [PALETTE[5], "#f0e442", PALETTE[0]]
          : [PALETTE[0], "#f0e442", PALETTE[5]],
      },
    },
    series: [
      { type: "heatmap", data: cells, silent: true, itemStyle: { opacity: 0.85 } },
      {
        type: "scatter",
        symbolSize: 9,
        itemStyle: { color: PAPER, borderColor: INK, borderWidth: 1.5 },
        data: done.map((t, i) =>
          trialPoint(t, [
            known[i][0] * (xCells.length - 1),
            known[i][1] * (yCells.length - 1),
          ], [
            `${xName}: ${t.params[xName]}`,
            `${yName}: ${t.params[yName]}`,
            `${options.metric}: ${format(t.value as number)}`,
          ])
        ),
      },
    ],
    graphic: emptyNote(done.length ? undefined : "No complete trials with both parameters"),
  };
  return { size: CONTOUR_SIZE, option };
}
