/**
 * When each trial ran, one lane per worker, coloured by state, after Optuna's `plot_timeline`
 * (https://optuna.readthedocs.io/en/v3.1.0/reference/visualization/generated/optuna.visualization.plot_timeline.html),
 * which draws a bar per trial from its start to its end; lanes by worker show how busy each was
 * and where trials waited.
 *
 * @module
 */

import type { EChartsOption } from "echarts";
import type { TrialState } from "../../../tuner/frozen_trial.ts";
import type { ChartSpec } from "../../charts/chart_embed.ts";
import { INK, LINE, MUTED, PALETTE, type Size } from "../../charts/charts.ts";
import { emptyNote, plotTitle } from "./plot_parts.ts";

export const TIMELINE_SIZE: Size = { width: 980, height: 260 };

/** A trial's place in time: started and, unless still running, finished (epoch ms). */
export interface TimelineTrial {
  number: number;
  state: TrialState;
  /** The worker that claimed it ("host:pid:token"), or null for one that ran in process. */
  worker: string | null;
  start: number;
  end: number | null;
  runId: number | null;
}

const STATE_COLOURS: Record<TrialState, [string, string]> = {
  COMPLETE: ["complete", PALETTE[0]],
  PRUNED: ["pruned", PALETTE[5]],
  RUNNING: ["running", PALETTE[2]],
  FAIL: ["failed", "#7f7f7f"],
  WAITING: ["waiting", "#7f7f7f"],
};

/** A worker's lane name: its host and process, without the claim's token. */
export function workerLabel(worker: string | null): string {
  if (!worker) return "this server";
  return worker.split(":").slice(0, 2).join(":");
}

/** The lanes in the order their first trial started, and each trial's lane index. */
export function timelineLanes(trials: readonly TimelineTrial[]): {
  lanes: string[];
  laneOf: number[];
} {
  const lanes: string[] = [];
  const byStart = [...trials].sort((a, b) => a.start - b.start);
  for (const trial of byStart) {
    const lane = workerLabel(trial.worker);
    if (!lanes.includes(lane)) lanes.push(lane);
  }
  return { lanes, laneOf: trials.map((t) => lanes.indexOf(workerLabel(t.worker))) };
}

/** A bar per trial from start to end (to `now` while running), in its worker's lane. */
export function timelineChart(trials: readonly TimelineTrial[], now = Date.now()): ChartSpec {
  const { lanes, laneOf } = timelineLanes(trials);
  const seconds = (t: TimelineTrial) => ((t.end ?? now) - t.start) / 1000;
  const option: EChartsOption = {
    title: plotTitle("Timeline", "Each trial from start to end, one row per worker"),
    legend: {
      top: 6,
      right: 8,
      textStyle: { color: MUTED },
      data: [...new Set(trials.map((t) => STATE_COLOURS[t.state][0]))],
    },
    grid: { left: 110, right: 24, top: 60, bottom: 44 },
    xAxis: {
      type: "time",
      name: "Wall time",
      nameLocation: "middle",
      nameGap: 26,
      axisLabel: { color: MUTED, hideOverlap: true },
      splitLine: { lineStyle: { color: LINE } },
    },
    yAxis: {
      type: "category",
      data: lanes,
      inverse: true,
      axisLabel: { color: INK },
      axisTick: { show: false },
    },
    series: trials.map((trial, i) => {
      const [label, color] = STATE_COLOURS[trial.state];
      const tip = [
        `Trial ${trial.number} (${label})`,
        `on ${lanes[laneOf[i]]}`,
        `${seconds(trial).toFixed(1)} s`,
      ];
      const href = trial.runId != null ? `/runs/${trial.runId}` : undefined;
      const point = (x: number) => ({ value: [x, lanes[laneOf[i]]], tip, href });
      return {
        name: label,
        type: "line" as const,
        color,
        symbol: "rect",
        symbolSize: [2, 14],
        lineStyle: { width: 12, color, opacity: 0.85 },
        data: [point(trial.start), point(trial.end ?? now)],
      };
    }),
    graphic: emptyNote(trials.length ? undefined : "No trial has started"),
  };
  return { size: TIMELINE_SIZE, option, meta: { xFormat: "time", zoomX: true } };
}
