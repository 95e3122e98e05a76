/**
 * `/runs`: every run in a table, filtered by status and dataset and sorted by date or dev
 * accuracy with a plain GET form (htmx swaps just the table), and check boxes that pick runs to
 * compare.
 *
 * @module
 */

import { RUN_STATUSES, type RunStatus } from "../../db/runs.ts";
import { percent, timestamp } from "../shell/format.ts";
import { Layout } from "../shell/layout.tsx";
import { StatusBadge } from "./run_parts.tsx";

export interface RunListItem {
  id: number;
  name: string;
  status: RunStatus;
  dataset: string;
  epochsPlanned: number;
  epochsDone: number;
  bestDevAccuracy: number | null;
  test: unknown;
  /** Why it did not complete (a pruned trial's run says so), shown on hovering its status. */
  error?: string | null;
  createdAt: Date;
}

export interface RunFilterValues {
  status?: RunStatus;
  dataset?: string;
  sort?: "created" | "devAccuracy";
}

export interface RunsPageProps {
  runs: RunListItem[];
  filter: RunFilterValues;
  datasets: string[];
  /** A compare request that could not be shown: the runs it ticked and why. */
  compare?: CompareProblem;
}

export interface CompareProblem {
  ticked: number[];
  message: string;
}

export const COMPARE_ERROR_ID = "compare-error";

export function RunsPage(props: RunsPageProps) {
  return (
    <Layout title="Runs" current="/runs">
      <h2 class="page-title">Runs</h2>
      <RunFilter {...props} />
      <RunsTable
        runs={props.runs}
        filtered={Boolean(props.filter.status || props.filter.dataset)}
        compare={props.compare}
      />
    </Layout>
  );
}

function RunFilter(props: RunsPageProps) {
  const { filter } = props;
  return (
    <form
      class="card filter"
      method="get"
      action="/runs"
      hx-get="/runs"
      hx-trigger="change"
      hx-select="#runs-table"
      hx-target="#runs-table"
      hx-swap="outerHTML"
      hx-push-url="true"
    >
      <div class="field">
        <label for="filter-status">Status</label>
        <select id="filter-status" name="status">
          <option value="" selected={!filter.status}>any</option>
          {RUN_STATUSES.map((status) => (
            <option value={status} selected={filter.status === status}>{status}</option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="filter-dataset">Dataset</label>
        <select id="filter-dataset" name="dataset">
          <option value="" selected={!filter.dataset}>any</option>
          {props.datasets.map((dataset) => (
            <option value={dataset} selected={filter.dataset === dataset}>{dataset}</option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="filter-sort">Sort by</label>
        <select id="filter-sort" name="sort">
          <option value="created" selected={filter.sort !== "devAccuracy"}>newest first</option>
          <option value="devAccuracy" selected={filter.sort === "devAccuracy"}>
            best dev accuracy
          </option>
        </select>
      </div>
      <noscript>
        <button type="submit">Apply</button>
      </noscript>
    </form>
  );
}

function RunsTable(props: { runs: RunListItem[]; filtered: boolean; compare?: CompareProblem }) {
  const ticked = new Set(props.compare?.ticked);
  if (props.runs.length === 0) {
    return (
      <section id="runs-table" class="card">
        <p>
          {props.filtered ? "No run matches these filters." : "No runs yet."}{" "}
          <a href="/runs/new">Start a new run</a>.
        </p>
      </section>
    );
  }
  return (
    <form id="runs-table" class="card" method="get" action="/runs/compare">
      <div class="table-scroll">
        <table class="runs">
          <thead>
            <tr>
              <th scope="col">
                <span class="visually-hidden">Compare</span>
              </th>
              <th class="number" scope="col">#</th>
              <th scope="col">Name</th>
              <th scope="col">Status</th>
              <th scope="col">Dataset</th>
              <th class="number" scope="col">Epochs</th>
              <th class="number" scope="col">Best dev accuracy</th>
              <th class="number" scope="col">Test accuracy</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {props.runs.map((run) => {
              const test = run.test as { accuracy?: number } | null;
              return (
                <tr>
                  <td>
                    <input
                      type="checkbox"
                      name="ids"
                      value={String(run.id)}
                      id={`compare-${run.id}`}
                      checked={ticked.has(run.id)}
                    />
                    <label for={`compare-${run.id}`} class="visually-hidden">
                      Compare run {run.id}
                    </label>
                  </td>
                  <td class="number">
                    <a href={`/runs/${run.id}`}>{run.id}</a>
                  </td>
                  <td>
                    <a href={`/runs/${run.id}`}>{run.name}</a>
                  </td>
                  <td>
                    <StatusBadge status={run.status} note={run.error} />
                  </td>
                  <td>
                    <code>{run.dataset}</code>
                  </td>
                  <td class="number">{run.epochsDone} / {run.epochsPlanned}</td>
                  <td class="number">{percent(run.bestDevAccuracy)}</td>
                  <td class="number">{percent(test?.accuracy)}</td>
                  <td>{timestamp(run.createdAt)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p class="table-actions">
        <button
          type="submit"
          class="primary"
          aria-describedby={props.compare ? COMPARE_ERROR_ID : undefined}
        >
          Compare selected
        </button>
        {props.compare
          ? (
            <span class="field-error" id={COMPARE_ERROR_ID} role="alert">
              {props.compare.message}
            </span>
          )
          : <span class="muted">Pick two or more runs.</span>}
      </p>
    </form>
  );
}

/** A short table of recent runs for the start page. */
export function RecentRuns(props: { runs: RunListItem[] }) {
  return (
    <section class="card recent-runs">
      <h2>Recent runs</h2>
      {props.runs.length === 0
        ? (
          <p>
            No runs yet. <a href="/runs/new">Configure and launch the first one</a>.
          </p>
        )
        : (
          <>
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
                {props.runs.map((run) => (
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
            <p>
              <a href="/runs">All runs</a> · <a href="/runs/new">New run</a>
            </p>
          </>
        )}
    </section>
  );
}
