/**
 * `/runs/compare?ids=1,2,3`: the runs' dev curves overlaid, one series per run, and a table of
 * their key metrics and settings, the settings that differ highlighted.
 *
 * @module
 */

import type { Child } from "hono/jsx";
import { raw } from "hono/html";
import type { RunWithEpochs } from "../../db/runs.ts";
import type { RunConfig } from "../../engine/spec.ts";
import type { TestRecord } from "../../engine/train.ts";
import { CURVE_SIZE, lineChartSvg, type LineSeries } from "../charts/charts.ts";
import { duration, lossText, percent } from "../shell/format.ts";
import { Layout } from "../shell/layout.tsx";
import { StatusBadge } from "./run_parts.tsx";
import { ComparedSettingRows } from "./settings_table.tsx";

export function ComparePage(props: { runs: RunWithEpochs[] }) {
  const { runs } = props;
  const label = (run: RunWithEpochs) => `#${run.id} ${run.name}`;
  const xMax = Math.max(...runs.map((run) => run.epochsPlanned));
  const series = (pick: (e: RunWithEpochs["epochs"][number]) => number | null): LineSeries[] =>
    runs.map((run) => ({
      name: label(run),
      points: run.epochs.map((e): [number, number | null] => [e.epoch, pick(e)]),
    }));
  const anyDev = runs.some((run) => run.epochs.some((e) => e.devLoss !== null));
  const style = `aspect-ratio: ${CURVE_SIZE.width} / ${CURVE_SIZE.height}`;
  const chart = (title: string, data: LineSeries[], percentAxis = false) =>
    raw(lineChartSvg({
      ...CURVE_SIZE,
      title,
      xName: "Epoch",
      xMax,
      percent: percentAxis,
      series: data,
      emptyText: "No epochs yet",
      legend: "bottom",
    }));
  return (
    <Layout title="Compare runs" current="/runs">
      <h2 class="page-title">Compare {runs.length} runs</h2>
      <div class="charts">
        <figure class="chart" style={style} aria-label="Dev accuracy per epoch, one line per run">
          {chart("Dev accuracy", series((e) => e.devAccuracy), true)}
        </figure>
        <figure class="chart" style={style} aria-label="Loss per epoch, one line per run">
          {anyDev
            ? chart("Dev loss", series((e) => e.devLoss))
            : chart("Train loss", series((e) => e.trainLoss))}
        </figure>
      </div>
      <section class="card">
        <h2>Side by side</h2>
        <div class="table-scroll">
          <table class="compare">
            <thead>
              <tr>
                <th scope="col">
                  <span class="visually-hidden">Setting</span>
                </th>
                {runs.map((run) => (
                  <th scope="col">
                    <a href={`/runs/${run.id}`}>{label(run)}</a>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              <MetricRows runs={runs} />
              <ComparedSettingRows configs={runs.map((run) => run.config as RunConfig)} />
            </tbody>
          </table>
        </div>
        <details class="config-details">
          <summary>Configs as JSON</summary>
          {runs.map((run) => (
            <>
              <h3>{label(run)}</h3>
              <pre>{JSON.stringify(run.config, null, 2)}</pre>
            </>
          ))}
        </details>
      </section>
    </Layout>
  );
}

function MetricRows(props: { runs: RunWithEpochs[] }) {
  const rows: [string, (run: RunWithEpochs) => Child][] = [
    ["Status", (run) => <StatusBadge status={run.status} />],
    ["Epochs", (run) => `${run.epochs.length} / ${run.epochsPlanned}`],
    ["Best dev accuracy", (run) => percent(best(run.epochs.map((e) => e.devAccuracy)))],
    ["Last dev accuracy", (run) => percent(run.epochs.at(-1)?.devAccuracy)],
    ["Last dev loss", (run) => lossText(run.epochs.at(-1)?.devLoss)],
    ["Last train loss", (run) => lossText(run.epochs.at(-1)?.trainLoss)],
    ["Test accuracy", (run) => percent((run.test as TestRecord | null)?.accuracy)],
    ["Training time", (run) => duration(run.epochs.reduce((sum, e) => sum + e.seconds, 0))],
  ];
  return (
    <>
      <tr class="group">
        <th scope="rowgroup" colspan={props.runs.length + 1}>Metrics</th>
      </tr>
      {rows.map(([name, cell]) => (
        <tr>
          <th scope="row">{name}</th>
          {
            // deno-lint-ignore jsx-key -- server-rendered once; hono would print a key attribute
            props.runs.map((run) => <td>{cell(run)}</td>)
          }
        </tr>
      ))}
    </>
  );
}

function best(values: (number | null)[]): number | null {
  const present = values.filter((value): value is number => value !== null);
  return present.length ? Math.max(...present) : null;
}
