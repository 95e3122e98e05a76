/**
 * `/runs`: runs in a table, 50 a page, filtered by status and dataset, sorted by date or dev
 * accuracy, with study trials' runs hidden unless asked for, through a plain GET form (htmx swaps
 * just the table and pushes the address, so reloading or sharing it keeps the filters), and check
 * boxes that pick runs to compare.
 *
 * @module
 */

import { RUN_STATUSES, type RunStatus, type TrialFilter } from "../../db/runs.ts";
import { percent, timestamp } from "../shell/format.ts";
import { Layout } from "../shell/layout.tsx";
import { StatusBadge } from "./run_parts.tsx";

/** Runs on one page of the list. */
export const RUNS_PAGE_SIZE = 50;

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
  /** A study trial's run: its study, the study's name (null once deleted) and trial. */
  studyId?: number | null;
  studyName?: string | null;
  trialNumber?: number | null;
  createdAt: Date;
}

export interface RunFilterValues {
  status?: RunStatus;
  dataset?: string;
  sort: "created" | "devAccuracy";
  /** Runs of study trials: hidden unless asked for (a study's trials would bury the rest). */
  trials: TrialFilter;
  /** From 1. */
  page: number;
}

export const DEFAULT_RUN_FILTER: RunFilterValues = { sort: "created", trials: "exclude", page: 1 };

export interface RunsPageProps {
  /** This page's runs. */
  runs: RunListItem[];
  filter: RunFilterValues;
  /** Runs the filter matches, over all pages. */
  total: number;
  /** While trial runs are hidden: how many the other filters would show. */
  hiddenTrialRuns: number;
  datasets: string[];
  /** A compare request that could not be shown: the runs it ticked and why. */
  compare?: CompareProblem;
}

export interface CompareProblem {
  ticked: number[];
  message: string;
}

export const COMPARE_ERROR_ID = "compare-error";

/** The list's address for `filter`: only what differs from the defaults, so links stay short. */
export function runsHref(filter: RunFilterValues): string {
  const query = new URLSearchParams();
  if (filter.status) query.set("status", filter.status);
  if (filter.dataset) query.set("dataset", filter.dataset);
  if (filter.sort !== "created") query.set("sort", filter.sort);
  if (filter.trials !== "exclude") query.set("trials", filter.trials);
  if (filter.page > 1) query.set("page", String(filter.page));
  const text = query.toString();
  return text ? `/runs?${text}` : "/runs";
}

export function RunsPage(props: RunsPageProps) {
  return (
    <Layout title="Runs" current="/runs">
      <h2 class="page-title">Runs</h2>
      <RunFilter {...props} />
      <RunsTable {...props} />
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
      <div class="field checkbox">
        <input
          id="filter-trials"
          name="trials"
          type="checkbox"
          value="include"
          checked={filter.trials !== "exclude"}
        />
        <label for="filter-trials">Show trial runs</label>
      </div>
      <noscript>
        <button type="submit">Apply</button>
      </noscript>
    </form>
  );
}

function RunsTable(props: RunsPageProps) {
  const { filter, runs, total } = props;
  const ticked = new Set(props.compare?.ticked);
  const withStudies = filter.trials !== "exclude";
  if (runs.length === 0) {
    const lastPage = Math.ceil(total / RUNS_PAGE_SIZE);
    const filtered = Boolean(filter.status || filter.dataset) || filter.trials === "only";
    return (
      <section id="runs-table" class="card">
        {total > 0
          ? (
            <p>
              No runs on page {filter.page}: these filters match {total}{" "}
              {total === 1 ? "run" : "runs"}, on {lastPage} {lastPage === 1 ? "page" : "pages"}.
              {" "}
              <a href={runsHref({ ...filter, page: lastPage })}>Go to page {lastPage}</a>.
            </p>
          )
          : (
            <p>
              {filtered
                ? "No run matches these filters."
                : props.hiddenTrialRuns > 0
                ? "No runs outside studies."
                : "No runs yet."} <a href="/runs/new">Start a new run</a>.
              <HiddenTrialRuns {...props} />
            </p>
          )}
      </section>
    );
  }
  return (
    <form id="runs-table" class="card" method="get" action="/runs/compare">
      <p class="runs-count">
        {rangeText(filter.page, runs.length, total)}
        <HiddenTrialRuns {...props} />
      </p>
      <div class="table-scroll">
        <table class="runs">
          <thead>
            <tr>
              <th scope="col">
                <span class="visually-hidden">Compare</span>
              </th>
              <th class="number" scope="col">#</th>
              <th scope="col">Name</th>
              {withStudies && <th scope="col">Study</th>}
              <th scope="col">Status</th>
              <th scope="col">Dataset</th>
              <th class="number" scope="col">Epochs</th>
              <th class="number" scope="col">Best dev accuracy</th>
              <th class="number" scope="col">Test accuracy</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((run) => {
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
                  {withStudies && (
                    <td>
                      <TrialLink run={run} />
                    </td>
                  )}
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
      <Pager filter={filter} total={total} />
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

/** "Runs 51–100 of 230". */
function rangeText(page: number, shown: number, total: number): string {
  const first = (page - 1) * RUNS_PAGE_SIZE + 1;
  const last = first + shown - 1;
  return first === last ? `Run ${first} of ${total}` : `Runs ${first}–${last} of ${total}`;
}

/** While trial runs are hidden, how many match, and a link that shows them. */
function HiddenTrialRuns(props: RunsPageProps) {
  const hidden = props.hiddenTrialRuns;
  if (props.filter.trials !== "exclude" || hidden === 0) return null;
  return (
    <span class="muted">
      {" · "}
      {hidden} trial {hidden === 1 ? "run" : "runs"} of studies hidden:{" "}
      <a href={runsHref({ ...props.filter, trials: "include", page: 1 })}>show them</a>
    </span>
  );
}

/** A trial's run: its study's name and trial number, linking to the study. */
function TrialLink(props: { run: RunListItem }) {
  const { studyId, studyName, trialNumber } = props.run;
  if (studyId === null || studyId === undefined) return <span class="muted">—</span>;
  return <a href={`/studies/${studyId}`}>{studyName ?? `study #${studyId}`} #{trialNumber}</a>;
}

/** Previous and next pages, when the runs fill more than one. */
function Pager(props: { filter: RunFilterValues; total: number }) {
  const { filter, total } = props;
  const lastPage = Math.ceil(total / RUNS_PAGE_SIZE);
  if (lastPage <= 1) return null;
  const link = (page: number, rel: "prev" | "next", label: string) =>
    page >= 1 && page <= lastPage
      ? <a href={runsHref({ ...filter, page })} rel={rel}>{label}</a>
      : <span class="muted">{label}</span>;
  return (
    <nav class="pager" aria-label="Pages of runs">
      {link(filter.page - 1, "prev", "← Previous")}
      <span>Page {filter.page} of {lastPage}</span>
      {link(filter.page + 1, "next", "Next →")}
    </nav>
  );
}
