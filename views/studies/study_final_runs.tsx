/**
 * The study's final models (`config/final_run.ts`): runs retrained from its trials, with their
 * status and, once completed, their test metrics.
 *
 * @module
 */

import type { FinalRunItem } from "../../db/studies.ts";
import { StatusBadge } from "../runs/run_parts.tsx";
import { lossText, percent } from "../shell/format.ts";

export function FinalRuns(props: { runs: FinalRunItem[]; canTrain: boolean }) {
  const { runs } = props;
  return (
    <section class="card" id="study-final-runs">
      <h2>Final models</h2>
      {runs.length === 0
        ? (
          <p class="muted">
            None yet. {props.canTrain
              ? "Train the best retrains the best trial on the whole training pool for more epochs."
              : "One can be trained once a trial completes."}
          </p>
        )
        : (
          <div class="table-scroll">
            <table>
              <caption class="visually-hidden">Final models of the study</caption>
              <thead>
                <tr>
                  <th scope="col">Run</th>
                  <th scope="col">From trial</th>
                  <th scope="col">Status</th>
                  <th scope="col" class="number">Epochs</th>
                  <th scope="col" class="number">Test accuracy</th>
                  <th scope="col" class="number">Test loss</th>
                </tr>
              </thead>
              <tbody>
                {runs.map((run) => (
                  <tr>
                    <td>
                      <a href={`/runs/${run.id}`}>#{run.id} {run.name}</a>
                    </td>
                    <td>#{run.trialNumber}</td>
                    <td>
                      <StatusBadge status={run.status} />
                    </td>
                    <td class="number">{run.epochsPlanned}</td>
                    <td class="number">{percent(run.test?.accuracy)}</td>
                    <td class="number">{lossText(run.test?.loss)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
    </section>
  );
}
