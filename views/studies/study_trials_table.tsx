/**
 * The study's trials as a table: state, every searched parameter, the value, the time it took
 * and the run it trained. Sorting and the state filter are plain links (`?sort=value&state=…`),
 * so they work without JavaScript and the live stream follows the same query.
 *
 * @module
 */

import { spaceParams } from "../../config/study_schema.ts";
import type { TrialReport } from "../../jobs/study_report.ts";
import { TrialState } from "../../tuner/frozen_trial.ts";
import { duration } from "../shell/format.ts";
import {
  metricText,
  paramText,
  STUDY_IDS,
  type StudyView,
  TrialStateBadge,
  trialStateLabel,
} from "./study_parts.tsx";

export const TRIAL_SORTS = ["number", "value"] as const;
export type TrialSort = typeof TRIAL_SORTS[number];

/** How the table is sorted and filtered, from the page's query. */
export interface TrialQuery {
  sort: TrialSort;
  state?: TrialState;
}

/** The page's query string for `query` ("" for the defaults). */
export function trialQueryString(query: TrialQuery): string {
  const params = new URLSearchParams();
  if (query.sort !== "number") params.set("sort", query.sort);
  if (query.state) params.set("state", query.state);
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** The trials `query` selects, in its order: by number, or best value first (none last). */
export function selectTrials(
  trials: readonly TrialReport[],
  query: TrialQuery,
  direction: "minimize" | "maximize",
): TrialReport[] {
  const kept = trials.filter((trial) => !query.state || trial.state === query.state);
  if (query.sort === "number") return kept.sort((a, b) => a.number - b.number);
  const sign = direction === "maximize" ? -1 : 1;
  return kept.sort((a, b) => {
    if (a.value === null || b.value === null) {
      return a.value === b.value ? a.number - b.number : a.value === null ? 1 : -1;
    }
    return sign * (a.value - b.value) || a.number - b.number;
  });
}

export function TrialsTable(props: { view: StudyView; query: TrialQuery }) {
  const { view, query } = props;
  const { report } = view;
  const names = Object.keys(spaceParams(view.spec.space));
  const trials = selectTrials(report.trials, query, report.direction);
  const href = (change: Partial<TrialQuery>) =>
    `/studies/${report.id}${trialQueryString({ ...query, ...change })}`;
  return (
    <section id={STUDY_IDS.trials} class="card">
      <div class="trials-header">
        <h2>Trials</h2>
        <StateFilter view={view} query={query} href={href} />
      </div>
      {trials.length === 0
        ? (
          <p class="muted">
            {query.state
              ? `No ${trialStateLabel(query.state)} trials.`
              : "No trials yet: the first one starts in a moment."}
          </p>
        )
        : (
          <div class="table-scroll trials-table">
            <table>
              <caption class="visually-hidden">Trials of the study</caption>
              <thead>
                <tr>
                  <SortHeader
                    label="#"
                    sort="number"
                    order="ascending"
                    query={query}
                    href={href}
                  />
                  <th scope="col">State</th>
                  {names.map((name) => (
                    <th scope="col" class="param">
                      <code>{name}</code>
                    </th>
                  ))}
                  <SortHeader
                    label={report.metric}
                    sort="value"
                    order={report.direction === "maximize" ? "descending" : "ascending"}
                    query={query}
                    href={href}
                  />
                  <th scope="col" class="number">Duration</th>
                  <th scope="col">Run</th>
                </tr>
              </thead>
              <tbody>
                {trials.map((trial) => (
                  <TrialRow
                    trial={trial}
                    names={names}
                    metric={report.metric}
                    best={trial.number === report.bestTrial}
                  />
                ))}
              </tbody>
            </table>
          </div>
        )}
    </section>
  );
}

function SortHeader(props: {
  label: string;
  sort: TrialSort;
  /** How this column sorts: the value best first, so descending when maximizing. */
  order: "ascending" | "descending";
  query: TrialQuery;
  href: (change: Partial<TrialQuery>) => string;
}) {
  const active = props.query.sort === props.sort;
  const what = props.sort === "number" ? "number" : "value, best first";
  return (
    <th scope="col" class="number" aria-sort={active ? props.order : undefined}>
      <a href={props.href({ sort: props.sort })} title={`Sort by ${what}`}>
        {props.label}
        {active ? (props.order === "ascending" ? " ↑" : " ↓") : ""}
      </a>
    </th>
  );
}

const FILTER_STATES: TrialState[] = [
  TrialState.COMPLETE,
  TrialState.PRUNED,
  TrialState.FAIL,
  TrialState.RUNNING,
];

function StateFilter(props: {
  view: StudyView;
  query: TrialQuery;
  href: (change: Partial<TrialQuery>) => string;
}) {
  const { counts, trials } = props.view.report;
  const chip = (label: string, state: TrialState | undefined, count: number) => (
    <li>
      <a
        href={props.href({ state })}
        class="chip"
        aria-current={props.query.state === state ? "true" : undefined}
      >
        {label} <span class="count">{count}</span>
      </a>
    </li>
  );
  return (
    <nav aria-label="Filter trials by state">
      <ul class="chips">
        {chip("all", undefined, trials.length)}
        {FILTER_STATES.map((state) => chip(trialStateLabel(state), state, counts[state] ?? 0))}
      </ul>
    </nav>
  );
}

function TrialRow(props: { trial: TrialReport; names: string[]; metric: string; best: boolean }) {
  const { trial } = props;
  return (
    <tr class={props.best ? "selected" : undefined}>
      <td class="number">{trial.number}</td>
      <td>
        <TrialStateBadge state={trial.state} />
        {props.best && <span class="best-mark" title="Best trial">★ best</span>}
        {trial.failReason && <small class="fail-reason">{trial.failReason}</small>}
      </td>
      {props.names.map((name) => (
        <td class="number">
          {paramText(trial.params[name])}
        </td>
      ))}
      <td class="number">
        <TrialValue trial={trial} metric={props.metric} />
      </td>
      <td class="number">
        {trial.durationSeconds === null ? "—" : duration(trial.durationSeconds)}
      </td>
      <td>
        {trial.runId === null ? "—" : <a href={`/runs/${trial.runId}`}>run #{trial.runId}</a>}
      </td>
    </tr>
  );
}

/** The trial's value; while it trains, its last epoch's metric, greyed. */
function TrialValue(props: { trial: TrialReport; metric: string }) {
  const { trial, metric } = props;
  if (trial.value !== null) return <>{metricText(metric, trial.value)}</>;
  const last = trial.intermediateValues.at(-1);
  if (!last) return <>—</>;
  return <span class="muted">{metricText(metric, last[1])} at epoch {last[0]}</span>;
}
