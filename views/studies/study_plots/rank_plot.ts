/**
 * Two parameters against each other, each complete trial coloured by the rank of its value,
 * after Optuna's `plot_rank`
 * (https://optuna.readthedocs.io/en/v3.1.0/reference/visualization/generated/optuna.visualization.plot_rank.html):
 * ranks rather than values, so one outlier does not wash the others into one colour.
 *
 * @module
 */

import type { EChartsOption } from "echarts";
import type { ParamSpec } from "../../../config/study_schema.ts";
import type { StudyDirection } from "../../../tuner/frozen_trial.ts";
import type { ChartSpec } from "../../charts/chart_embed.ts";
import { INK, LINE, MUTED, PALETTE, type Size } from "../../charts/charts.ts";
import { type ChartTrial, metricFormatter, trialPoint } from "../study_charts.ts";
import { emptyNote, plotTitle } from "./plot_parts.ts";

export const RANK_SIZE: Size = { width: 480, height: 340 };

/**
 * Each value's rank as a share from 0 (the best) to 1 (the worst) for the direction; ties share
 * the rank of the first of them, as Optuna's (scipy's "min") ranking does.
 */
export function valueRanks(values: readonly number[], direction: StudyDirection): number[] {
  if (values.length < 2) return values.map(() => 0);
  const better = (a: number, b: number) => direction === "maximize" ? b - a : a - b;
  const sorted = [...values].sort(better);
  return values.map((value) => sorted.indexOf(value) / (values.length - 1));
}

/** A parameter's axis, its values plotted as they are (categories by their text). */
export function paramAxisOf(name: string, param: ParamSpec) {
  const axisLabel = { color: MUTED, hideOverlap: true };
  const named = { name, nameLocation: "middle" as const, nameTextStyle: { color: INK } };
  if (param.type === "categorical") {
    return { ...named, type: "category" as const, data: param.choices.map(String), axisLabel };
  }
  return {
    ...named,
    type: param.log ? "log" as const : "value" as const,
    min: param.low,
    max: param.high,
    axisLabel: { ...axisLabel, formatter: (v: number) => String(Number(v.toPrecision(3))) },
    splitLine: { lineStyle: { color: LINE } },
  };
}

export interface PairPlotOptions {
  trials: readonly ChartTrial[];
  x: [string, ParamSpec];
  y: [string, ParamSpec];
  metric: string;
  direction: StudyDirection;
}

const value = (param: ParamSpec, v: unknown) => param.type === "categorical" ? String(v) : v;

export function rankChart(options: PairPlotOptions): ChartSpec {
  const [xName, xParam] = options.x;
  const [yName, yParam] = options.y;
  const done = options.trials.filter((t) =>
    t.state === "COMPLETE" && t.value !== null && xName in t.params && yName in t.params
  );
  const ranks = valueRanks(done.map((t) => t.value as number), options.direction);
  const format = metricFormatter(options.metric);
  const option: EChartsOption = {
    title: plotTitle("Rank", "Blue is the best value, vermilion the worst"),
    grid: { left: 64, right: 24, top: 60, bottom: 48 },
    xAxis: { ...paramAxisOf(xName, xParam), nameGap: 28 },
    yAxis: { ...paramAxisOf(yName, yParam), nameGap: 48 },
    visualMap: {
      show: false,
      dimension: 2,
      min: 0,
      max: 1,
      inRange: { color: [PALETTE[0], "#f0e442", PALETTE[5]] },
    },
    series: [{
      type: "scatter",
      symbolSize: 10,
      data: done.map((t, i) =>
        trialPoint(
          t,
          [value(xParam, t.params[xName]), value(yParam, t.params[yName]), ranks[i]] as (
            | number
            | string
          )[],
          [
            `${xName}: ${t.params[xName]}`,
            `${yName}: ${t.params[yName]}`,
            `${options.metric}: ${format(t.value as number)} (rank ${
              Math.round(ranks[i] * (done.length - 1)) + 1
            } of ${done.length})`,
          ],
        )
      ),
    }],
    graphic: emptyNote(done.length ? undefined : "No complete trials with both parameters"),
  };
  return { size: RANK_SIZE, option };
}
