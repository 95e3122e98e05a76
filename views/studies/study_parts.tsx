/**
 * The parts of the study page that change as trials arrive: status, summary and plots. The page
 * renders them once; the live stream re-renders the same components into the same ids, so a
 * streamed page and a reloaded one look alike.
 *
 * @module
 */

import { spaceParams, type StudySpec } from "../../config/study_schema.ts";
import type { FinalRunItem } from "../../db/studies.ts";
import type { StudyReport } from "../../jobs/study_report.ts";
import type { ParamValue, TrialState } from "../../tuner/frozen_trial.ts";
import type { ParamImportance } from "../../tuner/importance.ts";
import { ChartFigure as Chart } from "../charts/chart_figure.tsx";
import { lossText, percent } from "../shell/format.ts";
import {
  historyChart,
  importanceChart,
  intermediateChart,
  parallelChart,
  sliceChart,
} from "./study_charts.ts";
import { MoreStudyPlots } from "./study_plots/more_study_plots.tsx";
import type { TimelineTrial } from "./study_plots/timeline_plot.ts";

/**
 * How a study stands: trials still to come; all of them in, with a complete one ("completed")
 * or without ("ended": every trial failed or was pruned); or left unfinished until resumed.
 */
export type StudyStatus = "running" | "completed" | "ended" | "stopped";

/** Everything the study page shows. */
export interface StudyView {
  report: StudyReport;
  spec: StudySpec;
  createdAt: Date;
  status: StudyStatus;
  /** Whether a worker in this server works on it (it can be stopped here). */
  /** Started and not stopped: workers are (or will be) on it. */
  active: boolean;
  /** Trials that failed and were queued again (stopped, or lost their worker): not counted. */
  requeued: number;
  /** fANOVA importances, or why there are none yet. */
  importances: { ok: true; list: ParamImportance[] } | { ok: false; reason: string };
  /** The most epochs a trial trains: the x axis of the intermediate values. */
  maxEpochs: number;
  /** Runs retrained from its trials as final models, newest first. */
  finalRuns: FinalRunItem[];
  /** When and on which worker each trial ran, for the timeline. */
  timeline?: TimelineTrial[];
  /** How many trials this server trains at once, and why, while it works on the study. */
  atOnce?: { trials: number; why: string } | null;
}

export const STUDY_IDS = {
  live: "study-live",
  status: "study-status",
  summary: "study-summary",
  charts: "study-charts",
  trials: "study-trials",
} as const;

const STATUS: Record<StudyStatus, { label: string; class: string }> = {
  running: { label: "running", class: "status-running" },
  completed: { label: "completed", class: "status-completed" },
  ended: { label: "ended: no trial completed", class: "status-failed" },
  stopped: { label: "stopped", class: "status-interrupted" },
};

export function StudyStatusBadge(props: { status: StudyStatus }) {
  const status = STATUS[props.status];
  return <span class={`badge ${status.class}`}>{status.label}</span>;
}

const TRIAL_STATE: Record<TrialState, { label: string; class: string }> = {
  WAITING: { label: "waiting", class: "status-queued" },
  RUNNING: { label: "running", class: "status-running" },
  COMPLETE: { label: "complete", class: "status-completed" },
  PRUNED: { label: "pruned", class: "status-pruned" },
  FAIL: { label: "failed", class: "status-failed" },
};

export function trialStateLabel(state: TrialState): string {
  return TRIAL_STATE[state].label;
}

export function TrialStateBadge(props: { state: TrialState }) {
  const state = TRIAL_STATE[props.state];
  return <span class={`badge ${state.class}`}>{state.label}</span>;
}

/** An accuracy as a percentage, a loss to four places; "—" when there is none. */
export function metricText(metric: string, value: number | null | undefined): string {
  return metric.endsWith("Accuracy") ? percent(value) : lossText(value);
}

/** 0.000123 → "1.23e-4", 0.0312345 → "0.03123", 128 → "128", "adam" → "adam". */
export function paramText(value: ParamValue | undefined): string {
  if (value === undefined) return "—";
  if (typeof value !== "number") return String(value);
  if (Number.isInteger(value)) return String(value);
  if (value !== 0 && Math.abs(value) < 1e-3) return value.toExponential(2);
  return String(Number(value.toPrecision(4)));
}

/** Trials that ended, out of the budget. */
export function finishedCount(report: StudyReport): number {
  const { counts } = report;
  return (counts.COMPLETE ?? 0) + (counts.PRUNED ?? 0) + (counts.FAIL ?? 0);
}

/** Best value, counts against the budget, the best parameters and the link that trains them. */
export function StudySummary(props: { view: StudyView }) {
  const { report, status } = props.view;
  const finished = finishedCount(report) - props.view.requeued;
  const count = (state: TrialState) => report.counts[state] ?? 0;
  const running = count("RUNNING") + count("WAITING");
  // Several objectives: a front of best trials (listed in the Pareto card), no single best.
  const front = report.metrics && report.metrics.length > 1 ? report.bestTrials ?? [] : null;
  return (
    <section id={STUDY_IDS.summary} class="card study-summary">
      <dl class="metrics">
        {front
          ? (
            <div>
              <dt>Pareto front</dt>
              <dd>{front.length} {front.length === 1 ? "trial" : "trials"}</dd>
            </div>
          )
          : (
            <>
              <div>
                <dt>Best {report.metric}</dt>
                <dd>{metricText(report.metric, report.bestValue)}</dd>
              </div>
              <div>
                <dt>Best trial</dt>
                <dd>{report.bestTrial === null ? "—" : `#${report.bestTrial}`}</dd>
              </div>
            </>
          )}
        <div>
          <dt>Complete</dt>
          <dd>{count("COMPLETE")}</dd>
        </div>
        <div>
          <dt>Pruned</dt>
          <dd>{count("PRUNED")}</dd>
        </div>
        <div>
          <dt>Failed</dt>
          <dd>{count("FAIL")}</dd>
        </div>
        <div>
          <dt>Running</dt>
          <dd>{running}</dd>
        </div>
      </dl>
      <div class="progress">
        <progress max={report.trialBudget} value={finished} aria-label="Trials finished">
          {finished} of {report.trialBudget}
        </progress>
        <span class="muted">{progressText(props.view, finished)}</span>
      </div>
      <div class="best-params" hidden={front !== null ? true : undefined}>
        <h3>Best parameters</h3>
        {report.bestParams
          ? (
            <>
              <dl class="params">
                {Object.entries(report.bestParams).map(([name, value]) => (
                  <div>
                    <dt>
                      <code>{name}</code>
                    </dt>
                    <dd>{paramText(value)}</dd>
                  </div>
                ))}
              </dl>
              <a
                class="button primary"
                href={`/runs/new?study=${report.id}`}
                title="Retrain the best trial as the final model: whole pool, more epochs"
              >
                Train the best
              </a>
            </>
          )
          : (
            <p class="muted">
              {status === "running"
                ? "They appear when the first trial completes."
                : noCompleteText(props.view)}
            </p>
          )}
      </div>
    </section>
  );
}

/** Why there are no best parameters in a study that is not running. */
function noCompleteText(view: StudyView): string {
  if (view.status !== "ended") return "No trial completed.";
  const pruned = view.report.counts.PRUNED ?? 0;
  return pruned
    ? "No trial completed: each one failed or was pruned (see the trials below)."
    : "No trial completed: each one failed (the trials below say why).";
}

function progressText(view: StudyView, finished: number): string {
  const { trialBudget } = view.report;
  const of = `${finished} of ${trialBudget} trials finished`;
  if (view.status === "completed") return `${of}.`;
  if (view.status === "ended") return `${of}; none completed: see why in the trials below.`;
  if (view.status === "stopped") {
    const queued = view.report.trials.filter((t) => t.state === "WAITING").length;
    const waiting = queued ? ` (${queued} queued)` : "";
    return `${of}; stopped${waiting}: no worker is running it. Resume to go on.`;
  }
  const running = view.report.trials.filter((t) => t.state === "RUNNING").length;
  if (finished === 0 && running === 0) return "Starting the first trial…";
  return running ? `${of} · ${running} running` : `${of}…`;
}

/** A slice plot's figure id, from its parameter's path. */
const sliceId = (name: string) => `chart-slice-${name.replace(/[^\w-]+/g, "-")}`;

/** The plots, each in a box of fixed size: two side by side, two across, then the slices. */
export function StudyCharts(props: { view: StudyView }) {
  const { report, spec, importances, maxEpochs } = props.view;
  const trials = report.trials;
  const space = spaceParams(spec.space);
  const metric = report.metric;
  const noComplete = props.view.status === "running" ? undefined : "No trial completed";
  return (
    <div id={STUDY_IDS.charts} class="study-charts">
      <div class="charts">
        <Chart
          id="chart-history"
          label={`${metric} per trial and the best so far`}
          spec={historyChart({
            trials,
            direction: report.direction,
            metric,
            budget: report.trialBudget,
            emptyText: noComplete,
          })}
        />
        <Chart
          id="chart-importance"
          label="Parameter importances"
          spec={importanceChart(
            importances.ok ? importances.list : [],
            importances.ok ? undefined : importances.reason,
          )}
        />
      </div>
      <div class="chart-scroll">
        <Chart
          id="chart-intermediate"
          label={`${metric} per epoch of each trial`}
          spec={intermediateChart({ trials, metric, xMax: maxEpochs })}
        />
      </div>
      <div class="chart-scroll">
        <Chart
          id="chart-parallel"
          label="Parallel coordinates of the parameters and the value"
          spec={parallelChart({
            trials,
            space,
            metric,
            direction: report.direction,
            emptyText: noComplete,
          })}
        />
      </div>
      <MoreStudyPlots
        trials={trials}
        space={space}
        metric={metric}
        direction={report.direction}
        timeline={props.view.timeline}
      />
      <section class="card slices">
        <h2>Slices</h2>
        {Object.keys(space).length > 1 && (
          // Which parameters' slices show (the browser keeps the choice across live redraws).
          <fieldset class="slice-picker">
            <legend>Parameters</legend>
            {Object.keys(space).map((name) => (
              <label>
                <input type="checkbox" checked data-toggles={sliceId(name)} /> {name}
              </label>
            ))}
          </fieldset>
        )}
        <div class="slice-grid">
          {Object.entries(space).map(([name, param]) => (
            <Chart
              id={sliceId(name)}
              label={`${metric} against ${name}`}
              spec={sliceChart({ trials, name, param, metric })}
            />
          ))}
        </div>
      </section>
    </div>
  );
}
