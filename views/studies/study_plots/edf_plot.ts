/**
 * The empirical distribution function of the objective, after Optuna's `plot_edf`
 * (https://optuna.readthedocs.io/en/v3.1.0/reference/visualization/generated/optuna.visualization.plot_edf.html):
 * for each value, the share of complete trials whose value is at most it. A steep curve near the
 * good end means the search finds good values often.
 *
 * @module
 */

import type { EChartsOption } from "echarts";
import type { ChartSpec } from "../../charts/chart_embed.ts";
import { LINE, MUTED, PALETTE, type Size } from "../../charts/charts.ts";
import { type ChartTrial, metricFormat, metricFormatter } from "../study_charts.ts";
import { emptyNote, plotTitle } from "./plot_parts.ts";

export const EDF_SIZE: Size = { width: 480, height: 280 };

/** [value, share of values ≤ value] at each distinct value, ascending; ties share one step. */
export function edfPoints(values: readonly number[]): [number, number][] {
  const sorted = [...values].sort((a, b) => a - b);
  const points: [number, number][] = [];
  sorted.forEach((value, i) => {
    const share = (i + 1) / sorted.length;
    if (points.at(-1)?.[0] === value) points[points.length - 1][1] = share;
    else points.push([value, share]);
  });
  return points;
}

export function edfChart(trials: readonly ChartTrial[], metric: string): ChartSpec {
  const values = trials.filter((t) => t.state === "COMPLETE" && t.value !== null)
    .map((t) => t.value as number);
  const format = metricFormatter(metric);
  const option: EChartsOption = {
    color: [PALETTE[0]],
    title: plotTitle("Empirical distribution", "Share of complete trials at or below a value"),
    grid: { left: 56, right: 24, top: 56, bottom: 44 },
    xAxis: {
      type: "value",
      scale: true,
      name: metric,
      nameLocation: "middle",
      nameGap: 26,
      axisLabel: { color: MUTED, hideOverlap: true, formatter: format },
      splitLine: { show: false },
    },
    yAxis: {
      type: "value",
      min: 0,
      max: 1,
      axisLabel: { color: MUTED, formatter: (v: number) => `${Math.round(v * 100)}%` },
      splitLine: { lineStyle: { color: LINE } },
    },
    series: [{
      name: "trials",
      type: "line",
      step: "end",
      symbolSize: 5,
      data: edfPoints(values).map(([value, share]) => ({
        value: [value, share],
        tip: [`${metric} ≤ ${format(value)}`, `${Math.round(share * 1000) / 10}% of trials`],
      })),
    }],
    graphic: emptyNote(values.length ? undefined : "No complete trials yet"),
  };
  return { size: EDF_SIZE, option, meta: { xFormat: metricFormat(metric), yFormat: "percent" } };
}
