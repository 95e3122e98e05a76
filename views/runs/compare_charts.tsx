/**
 * The compare page's curves: every run's train (dashed) and dev (solid) values of one metric in
 * one colour per run, with a picker in the browser for loss, accuracy and learning rate. Without
 * scripts the page shows accuracy and loss, the first choice of each figure.
 *
 * @module
 */

import type { RunWithEpochs } from "../../db/runs.ts";
import { type ChartSpec } from "../charts/chart_embed.ts";
import { ChartFigure } from "../charts/chart_figure.tsx";
import { CURVE_SIZE, lineChartSpec, type LineSeries, PALETTE } from "../charts/charts.ts";

type Epoch = RunWithEpochs["epochs"][number];

export type CompareMetric = "accuracy" | "loss" | "lr";

const METRICS: Record<CompareMetric, {
  title: string;
  percent: boolean;
  train?: (e: Epoch) => number | null;
  dev: (e: Epoch) => number | null;
}> = {
  accuracy: {
    title: "Accuracy",
    percent: true,
    train: (e) => e.trainAccuracy,
    dev: (e) => e.devAccuracy,
  },
  loss: { title: "Loss", percent: false, train: (e) => e.trainLoss, dev: (e) => e.devLoss },
  lr: { title: "Learning rate", percent: false, dev: (e) => e.lr ?? null },
};

/** One metric over the runs: a train and a dev series per run (lr: one), a colour per run. */
export function compareSeries(runs: RunWithEpochs[], metric: CompareMetric): LineSeries[] {
  const { train, dev } = METRICS[metric];
  return runs.flatMap((run, i) => {
    const color = PALETTE[i % PALETTE.length];
    const label = `#${run.id} ${run.name}`;
    const points = (pick: (e: Epoch) => number | null) =>
      run.epochs.map((e): [number, number | null] => [e.epoch, pick(e)]);
    const devSeries = { name: train ? `${label} · dev` : label, points: points(dev), color };
    if (!train) return [devSeries];
    return [{ name: `${label} · train`, points: points(train), color, dashed: true }, devSeries];
  });
}

export function compareChart(runs: RunWithEpochs[], metric: CompareMetric): ChartSpec {
  const xMax = Math.max(...runs.map((run) => run.epochsPlanned));
  return lineChartSpec({
    ...CURVE_SIZE,
    title: METRICS[metric].title,
    xName: "Epoch",
    xMax,
    percent: METRICS[metric].percent,
    series: compareSeries(runs, metric),
    emptyText: "No epochs yet",
    legend: "bottom",
  });
}

/** The figure shows `first`; the browser's picker switches among all three metrics. */
function pickable(runs: RunWithEpochs[], first: CompareMetric): ChartSpec {
  const order = [first, ...(["accuracy", "loss", "lr"] as const).filter((m) => m !== first)];
  const specs = order.map((metric) => compareChart(runs, metric));
  return {
    ...specs[0],
    meta: {
      ...specs[0].meta,
      variants: {
        label: "Metric",
        choices: specs.map((spec, i) => ({
          name: METRICS[order[i]].title,
          option: spec.option,
          meta: spec.meta,
        })),
      },
    },
  };
}

export function CompareCharts(props: { runs: RunWithEpochs[] }) {
  return (
    <div class="charts">
      <ChartFigure
        id="compare-accuracy"
        label="Train and dev accuracy per epoch, one colour per run"
        spec={pickable(props.runs, "accuracy")}
      />
      <ChartFigure
        id="compare-loss"
        label="Train and dev loss per epoch, one colour per run"
        spec={pickable(props.runs, "loss")}
      />
    </div>
  );
}
