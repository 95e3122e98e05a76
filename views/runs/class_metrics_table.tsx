/**
 * Per-class precision, recall, F1 and support of a completed run, with the macro and weighted
 * averages below, as percentages like every other rate on the page.
 *
 * @module
 */

import type { ClassMetrics, ClassScores } from "../../engine/class_metrics.ts";
import { percent } from "../shell/format.ts";

function ScoreCells(props: { scores: ClassScores }) {
  const { precision, recall, f1 } = props.scores;
  return (
    <>
      <td class="number">{percent(precision, 1)}</td>
      <td class="number">{percent(recall, 1)}</td>
      <td class="number">{percent(f1, 1)}</td>
    </>
  );
}

export function ClassMetricsTable(props: { metrics: ClassMetrics }) {
  const { perClass, macro, weighted } = props.metrics;
  const total = perClass.reduce((sum, row) => sum + row.support, 0);
  return (
    <div class="table-scroll">
      <table class="class-metrics">
        <caption>Per class, on the test set</caption>
        <thead>
          <tr>
            <th scope="col">Class</th>
            <th class="number" scope="col">Precision</th>
            <th class="number" scope="col">Recall</th>
            <th class="number" scope="col">F1</th>
            <th class="number" scope="col">Support</th>
          </tr>
        </thead>
        <tbody>
          {perClass.map((row) => (
            <tr>
              <th scope="row">{row.name}</th>
              <ScoreCells scores={row} />
              <td class="number">{row.support.toLocaleString("en-US")}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Macro average</th>
            <ScoreCells scores={macro} />
            <td class="number">{total.toLocaleString("en-US")}</td>
          </tr>
          <tr>
            <th scope="row">Weighted average</th>
            <ScoreCells scores={weighted} />
            <td class="number">{total.toLocaleString("en-US")}</td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
