/**
 * A multi-objective study's own card: its Pareto front (a scatter of two objectives with the
 * front highlighted; with three or four, every pair of objectives in the figure's picker), its
 * hypervolume over trials, and its best trials (the front) as a table. Trials outside the study's
 * constraints are marked as on every study plot, and never count as best. The study's other
 * plots show its first objective; the card says so.
 *
 * @module
 */

import type { EChartsOption } from "echarts";
import { METRIC_LABELS, type ObjectiveMetric } from "../../config/objectives_schema.ts";
import type { StudyReport, TrialReport } from "../../jobs/study_report.ts";
import type { StudyDirection } from "../../tuner/frozen_trial.ts";
import { dominatesLoss, toLoss } from "../../tuner/multi_objective/dominance.ts";
import { hypervolume } from "../../tuner/multi_objective/hypervolume.ts";
import type { ChartSpec } from "../charts/chart_embed.ts";
import { ChartFigure } from "../charts/chart_figure.tsx";
import { LINE, MUTED, PALETTE, type Size } from "../charts/charts.ts";
import { metricFormat, metricFormatter, trialPoint } from "./study_charts.ts";
import { emptyNote, paramPairs, plotTitle } from "./study_plots/plot_parts.ts";

/** The card's id, which the live study stream swaps. */
export const PARETO_ID = "study-pareto";

export const PARETO_SIZE: Size = { width: 480, height: 320 };
export const HYPERVOLUME_SIZE: Size = { width: 480, height: 280 };

type Complete = TrialReport & { values: number[] };

function complete(report: StudyReport): Complete[] {
  return report.trials.filter((t): t is Complete =>
    t.state === "COMPLETE" && Array.isArray(t.values) && t.values.length === report.metrics?.length
  );
}

function label(metric: string): string {
  return METRIC_LABELS[metric as ObjectiveMetric] ?? metric;
}

const axisLabel = { color: MUTED, hideOverlap: true };

/** The scatter of objectives `i` and `j`: every complete trial, the front highlighted. */
export function paretoChart(report: StudyReport, i: number, j: number): ChartSpec {
  const metrics = report.metrics!;
  const trials = complete(report);
  const front = new Set(report.bestTrials ?? []);
  const [fx, fy] = [metricFormatter(metrics[i]), metricFormatter(metrics[j])];
  const point = (t: Complete) =>
    trialPoint(t, [t.values[i], t.values[j]], [
      ...metrics.map((m, k) => `${label(m)}: ${metricFormatter(m)(t.values[k])}`),
      ...(front.has(t.number) ? ["on the Pareto front"] : []),
    ]);
  const onFront = trials.filter((t) => front.has(t.number));
  // With two objectives the front is a staircase through its points, drawn in x order.
  const line = metrics.length === 2
    ? [...onFront].sort((a, b) => a.values[i] - b.values[i]).map((t) => [t.values[i], t.values[j]])
    : [];
  const axis = (k: number, name: string) => ({
    type: "value" as const,
    scale: true,
    name: `${label(metrics[k])} (${report.directions![k]})`,
    nameLocation: "middle" as const,
    nameGap: name === "x" ? 26 : 46,
    axisLabel: { ...axisLabel, formatter: k === i ? fx : fy },
    splitLine: { lineStyle: { color: LINE } },
  });
  const option: EChartsOption = {
    color: [PALETTE[5], PALETTE[0]],
    title: plotTitle("Pareto front", `${onFront.length} of ${trials.length} complete trials`),
    legend: { top: 6, right: 8, textStyle: { color: MUTED } },
    grid: { left: 64, right: 24, top: 60, bottom: 48 },
    xAxis: axis(i, "x"),
    yAxis: axis(j, "y"),
    series: [
      {
        name: "dominated",
        type: "scatter",
        symbolSize: 7,
        data: trials.filter((t) => !front.has(t.number)).map(point),
      },
      {
        name: "Pareto front",
        type: "scatter",
        symbolSize: 10,
        data: onFront.map(point),
      },
      ...(line.length > 1
        ? [{
          name: "front line",
          type: "line" as const,
          step: "end" as const,
          silent: true,
          symbol: "none",
          lineStyle: { color: PALETTE[0], width: 1, type: "dashed" as const },
          data: line,
        }]
        : []),
    ],
    graphic: emptyNote(trials.length ? undefined : "No complete trials yet"),
  };
  return {
    size: PARETO_SIZE,
    option,
    meta: { xFormat: metricFormat(metrics[i]), yFormat: metricFormat(metrics[j]) },
  };
}

/** The front of objectives 0 × 1, carrying every pair's option for the figure's picker. */
export function paretoFigure(report: StudyReport): ChartSpec {
  const indices = report.metrics!.map((_, k) => String(k));
  const pairs = paramPairs(indices).map(([a, b]) => [Number(a), Number(b)] as const);
  const specs = pairs.map(([a, b]) => paretoChart(report, a, b));
  if (specs.length === 1) return specs[0];
  return {
    ...specs[0],
    meta: {
      ...specs[0].meta,
      variants: {
        label: "Objectives",
        choices: specs.map((spec, k) => ({
          name: `${label(report.metrics![pairs[k][0]])} × ${label(report.metrics![pairs[k][1]])}`,
          option: spec.option,
          meta: spec.meta,
        })),
      },
    },
  };
}

/**
 * The reference point hypervolumes are measured from: per objective (as a loss), the worst value
 * of the feasible complete trials plus a tenth of their range (1 where they all agree).
 */
export function referencePoint(losses: readonly (readonly number[])[]): number[] {
  return losses[0].map((_, k) => {
    const column = losses.map((l) => l[k]);
    const worst = Math.max(...column), best = Math.min(...column);
    return worst + (worst > best ? 0.1 * (worst - best) : 1);
  });
}

/** The hypervolume of the feasible front after each trial, by trial number. */
export function hypervolumeHistory(
  trials: readonly { number: number; values: readonly number[]; feasible?: boolean | null }[],
  directions: readonly StudyDirection[],
): [number, number][] {
  const counted = trials.filter((t) => t.feasible !== false)
    .sort((a, b) => a.number - b.number);
  if (counted.length === 0) return [];
  const losses = counted.map((t) => directions.map((d, k) => toLoss(t.values[k], d)));
  const reference = referencePoint(losses);
  let front: number[][] = [];
  return counted.map((t, n) => {
    const loss = losses[n];
    if (!front.some((f) => dominatesLoss(f, loss) || f.every((v, k) => v === loss[k]))) {
      front = [...front.filter((f) => !dominatesLoss(loss, f)), loss];
    }
    return [t.number, hypervolume(front, reference)];
  });
}

export function hypervolumeChart(report: StudyReport): ChartSpec {
  const points = hypervolumeHistory(complete(report), report.directions!);
  const option: EChartsOption = {
    color: [PALETTE[0]],
    title: plotTitle(
      "Hypervolume over trials",
      "Volume the feasible front dominates, from the worst values seen plus a tenth of their range",
    ),
    grid: { left: 64, right: 24, top: 60, bottom: 44 },
    xAxis: {
      type: "value",
      name: "Trial",
      nameLocation: "middle",
      nameGap: 26,
      min: 0,
      max: Math.max(report.trialBudget - 1, 1),
      minInterval: 1,
      axisLabel,
      splitLine: { show: false },
    },
    yAxis: {
      type: "value",
      scale: true,
      axisLabel,
      splitLine: { lineStyle: { color: LINE } },
    },
    series: [{
      name: "hypervolume",
      type: "line",
      step: "end",
      symbolSize: 5,
      data: points.map(([number, volume]) => ({
        value: [number, volume],
        tip: [`After trial ${number}`, `hypervolume ${Number(volume.toPrecision(4))}`],
      })),
    }],
    graphic: emptyNote(points.length ? undefined : "No feasible complete trials yet"),
  };
  return { size: HYPERVOLUME_SIZE, option, meta: { integerX: true, zoomX: true } };
}

/** The card: front plot, hypervolume, best trials. */
export function ParetoSection(props: { report: StudyReport }) {
  const { report } = props;
  if (!report.metrics || report.metrics.length < 2) return null;
  const metrics = report.metrics;
  const byNumber = new Map(report.trials.map((t) => [t.number, t]));
  const best = (report.bestTrials ?? []).map((n) => byNumber.get(n)!).filter(Boolean);
  const paths = Object.keys(best[0]?.params ?? {});
  return (
    <section id={PARETO_ID} class="card">
      <h3>Pareto front</h3>
      <p class="muted">
        {metrics.map((m, k) => `${report.directions![k]} ${label(m)}`).join(", ")}. A trial is on
        the front when no other trial is at least as good on every objective and better on one
        {report.trials.some((t) => t.feasible === false)
          ? "; trials outside the constraints (faded triangles) never are"
          : ""}. The other plots below show the first objective,{" "}
        {label(metrics[0])}. There is no single best trial to retrain: open a front trial's run to
        continue training it.
      </p>
      <div class="charts">
        <ChartFigure
          id="chart-pareto"
          label={`Pareto front of ${metrics.map(label).join(" and ")}`}
          spec={paretoFigure(report)}
        />
        <ChartFigure
          id="chart-hypervolume"
          label="Hypervolume of the front after each trial"
          spec={hypervolumeChart(report)}
        />
      </div>
      <h4>Best trials ({best.length})</h4>
      {best.length === 0
        ? <p class="muted">No complete feasible trial yet.</p>
        : (
          <div class="table-scroll">
            <table id="study-best-trials">
              <thead>
                <tr>
                  <th>Trial</th>
                  {metrics.map((m) => <th key={m}>{label(m)}</th>)}
                  {paths.map((p) => <th key={p}>{p}</th>)}
                </tr>
              </thead>
              <tbody>
                {best.map((t) => (
                  <tr key={t.number}>
                    <td>
                      {t.runId ? <a href={`/runs/${t.runId}`}>#{t.number}</a> : `#${t.number}`}
                    </td>
                    {metrics.map((m, k) => <td key={m}>{metricFormatter(m)(t.values![k])}</td>)}
                    {paths.map((p) => <td key={p}>{String(t.params[p])}</td>)}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
    </section>
  );
}
