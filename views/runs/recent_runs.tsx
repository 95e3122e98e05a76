/**
 * The start page's latest runs. Study trials' runs are left out, as on `/runs` by default: one
 * study of fifty trials would push every run a person started off the list. A line says how many
 * there are, and links to them; the studies have their own card beside this one.
 *
 * @module
 */

import { percent } from "../shell/format.ts";
import { StatusBadge } from "./run_parts.tsx";
import type { RunListItem } from "./runs_page.tsx";

export interface RecentRunsProps {
  /** The latest runs outside studies. */
  runs: RunListItem[];
  /** Runs of study trials, and how many studies they belong to. */
  trialRuns: { runs: number; studies: number };
}

export function RecentRuns(props: RecentRunsProps) {
  const { runs, trialRuns } = props;
  return (
    <section class="card recent-runs">
      <h2>Recent runs</h2>
      {runs.length === 0
        ? (
          <p>
            {trialRuns.runs > 0 ? "No runs outside studies yet." : "No runs yet."}{" "}
            <a href="/runs/new">Configure and launch the first one</a>.
          </p>
        )
        : (
          <div class="table-scroll">
            <table>
              <thead>
                <tr>
                  <th class="number" scope="col">#</th>
                  <th scope="col">Name</th>
                  <th scope="col">Status</th>
                  <th scope="col">Dataset</th>
                  <th class="number" scope="col">Best dev accuracy</th>
                </tr>
              </thead>
              <tbody>
                {runs.map((run) => (
                  <tr>
                    <td class="number">{run.id}</td>
                    <td>
                      <a href={`/runs/${run.id}`}>{run.name}</a>
                    </td>
                    <td>
                      <StatusBadge status={run.status} note={run.error} />
                    </td>
                    <td>
                      <code>{run.dataset}</code>
                    </td>
                    <td class="number">{percent(run.bestDevAccuracy)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      {trialRuns.runs > 0 && (
        <p class="muted">
          Not listed: {trialRuns.runs} trial {trialRuns.runs === 1 ? "run" : "runs"} of{" "}
          {trialRuns.studies} {trialRuns.studies === 1 ? "study" : "studies"}{" "}
          (<a href="/runs?trials=include">show them with the others</a>).
        </p>
      )}
      {(runs.length > 0 || trialRuns.runs > 0) && (
        <p>
          <a href="/runs">All runs</a> · <a href="/runs/new">New run</a>
        </p>
      )}
    </section>
  );
}
