/**
 * The study plots after optuna-dashboard's that the page adds to history, importances,
 * intermediate values, parallel coordinates and slices: the empirical distribution and the
 * timeline, and the contour and rank plots of two parameters, picked in the browser from every
 * pair (the first pair is drawn on the server).
 *
 * @module
 */

import type { ParamSpec } from "../../../config/study_schema.ts";
import type { StudyDirection } from "../../../tuner/frozen_trial.ts";
import { ChartFigure } from "../../charts/chart_figure.tsx";
import type { ChartSpec } from "../../charts/chart_embed.ts";
import type { ChartTrial } from "../study_charts.ts";
import { contourChart } from "./contour_plot.ts";
import { edfChart } from "./edf_plot.ts";
import { paramPairs } from "./plot_parts.ts";
import { type PairPlotOptions, rankChart } from "./rank_plot.ts";
import { timelineChart, type TimelineTrial } from "./timeline_plot.ts";

export interface MoreStudyPlotsProps {
  trials: readonly ChartTrial[];
  space: Readonly<Record<string, ParamSpec>>;
  metric: string;
  direction: StudyDirection;
  timeline?: TimelineTrial[];
}

/** The plot of the first pair, carrying every pair's option for the figure's picker. */
export function pairPlot(
  props: MoreStudyPlotsProps,
  plot: (options: PairPlotOptions) => ChartSpec,
): ChartSpec | null {
  const pairs = paramPairs(Object.keys(props.space));
  if (pairs.length === 0) return null;
  const specs = pairs.map(([x, y]) =>
    plot({ ...props, x: [x, props.space[x]], y: [y, props.space[y]] })
  );
  return {
    ...specs[0],
    meta: {
      ...specs[0].meta,
      variants: {
        label: "Parameters",
        choices: specs.map((spec, i) => ({ name: pairs[i].join(" × "), option: spec.option })),
      },
    },
  };
}

export function MoreStudyPlots(props: MoreStudyPlotsProps) {
  const contour = pairPlot(props, contourChart);
  const rank = pairPlot(props, rankChart);
  return (
    <>
      <div class="charts">
        <ChartFigure
          id="chart-edf"
          label={`Empirical distribution of ${props.metric}`}
          spec={edfChart(props.trials, props.metric)}
        />
        {contour && (
          <ChartFigure
            id="chart-contour"
            label={`${props.metric} over two parameters, interpolated`}
            spec={contour}
          />
        )}
        {rank && (
          <ChartFigure
            id="chart-rank"
            label={`Two parameters, trials coloured by the rank of ${props.metric}`}
            spec={rank}
          />
        )}
      </div>
      {props.timeline && (
        <div class="chart-scroll">
          <ChartFigure
            id="chart-timeline"
            label="Trials over wall time, one row per worker"
            spec={timelineChart(props.timeline)}
          />
        </div>
      )}
    </>
  );
}
