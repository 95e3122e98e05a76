/**
 * `/runs/compare?ids=1,2,3`: the runs' train and dev curves overlaid, a colour per run, a layer
 * statistic overlaid (picked on the page), and a table of their key metrics and settings, the
 * settings that differ highlighted. A lesson's comparison (`&lesson=ID`) says first what to
 * look for, and opens the layer statistic on the one where the lesson's knob shows.
 *
 * @module
 */

import type { Child } from "hono/jsx";
import type { Lesson } from "../../config/lessons.ts";
import type { RunWithEpochs } from "../../db/runs.ts";
import type { RunConfig } from "../../engine/spec.ts";
import type { TestRecord } from "../../engine/train.ts";
import { duration, lossText, percent } from "../shell/format.ts";
import { Layout } from "../shell/layout.tsx";
import { CompareCharts } from "./compare_charts.tsx";
import { layerCompareChoice, LayerStatsCompare } from "./layer_stats_compare.tsx";
import { StatusBadge } from "./run_parts.tsx";
import { ComparedSettingRows } from "./settings_table.tsx";

export function ComparePage(props: { runs: RunWithEpochs[]; lesson?: Lesson }) {
  const { runs, lesson } = props;
  const label = (run: RunWithEpochs) => `#${run.id} ${run.name}`;
  const choice = layerCompareChoice(runs, { statistic: lesson?.statistic });
  return (
    <Layout title={lesson ? `Lesson: ${lesson.title}` : "Compare runs"} current="/runs">
      <h2 class="page-title">Compare {runs.length} runs</h2>
      {lesson && (
        <section class="card lesson-note" aria-labelledby="lesson-note-title">
          <h2 id="lesson-note-title">Lesson: {lesson.title}</h2>
          <p>{lesson.lookFor}</p>
          <p class="help">
            The runs differ only in {lesson.knob.join(" and ")}; they fill in as they train.{" "}
            <a href="/lessons">All lessons</a>
          </p>
        </section>
      )}
      <CompareCharts runs={runs} />
      <LayerStatsCompare runs={runs} choice={choice} />
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
