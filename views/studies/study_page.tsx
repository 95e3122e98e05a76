/**
 * The study page. While trials are still to come, its body holds an `hx-sse:connect` to
 * `/studies/:id/live`, whose messages re-render the parts in `study_parts.tsx` and the trials
 * table and, at the end, replace the whole body with the finished one (which has no stream). A
 * finished or stopped study renders fully without any stream.
 *
 * @module
 */

import { parseRunConfig } from "../../config/schema.ts";
import { timestamp } from "../shell/format.ts";
import { Layout } from "../shell/layout.tsx";
import { configSummary } from "../run_editor/config_summary.ts";
import {
  STUDY_IDS,
  StudyCharts,
  StudyStatusBadge,
  StudySummary,
  type StudyView,
} from "./study_parts.tsx";
import { FinalRuns } from "./study_final_runs.tsx";
import { ParetoSection } from "./pareto_plots.tsx";
import { StudyAdminActions } from "./study_admin_actions.tsx";
import { type TrialQuery, trialQueryString, TrialsTable } from "./study_trials_table.tsx";

/** How often a browser without JavaScript reloads a running study's page. */
const NO_SCRIPT_RELOAD_SECONDS = 5;

const SAMPLER_LABELS: Record<string, string> = {
  tpe: "TPE",
  random: "random",
  grid: "grid",
  nsga2: "NSGA-II",
  gp: "GP",
  cmaes: "CMA-ES",
  qmc: "QMC",
};

export function StudyPage(props: { view: StudyView; query: TrialQuery }) {
  const { report, status } = props.view;
  return (
    <Layout
      title={`Study #${report.id} ${report.study}`}
      current="/studies"
      reloadWithoutScript={status === "running" ? NO_SCRIPT_RELOAD_SECONDS : undefined}
    >
      <StudyBody {...props} />
    </Layout>
  );
}

/**
 * How many trials train at once: here, while this server works on the study; else what its
 * `parallel` asks of each machine that does.
 */
function atOnceText(view: StudyView): string {
  const { atOnce, spec } = view;
  if (atOnce) {
    const how = atOnce.trials === 1 ? "one trial at a time" : `${atOnce.trials} trials at once`;
    return `${how} on this server (${atOnce.why})`;
  }
  const parallel = spec.parallel ?? "auto";
  return parallel === "auto"
    ? "trials at once: auto (from each machine's cores and backend)"
    : `${parallel} at once on each machine`;
}

/** The page's body; the live stream's last message swaps in the finished one. */
export function StudyBody(props: { view: StudyView; query: TrialQuery }) {
  const { view, query } = props;
  const { report, spec, status } = view;
  const stream = status === "running"
    ? { "hx-sse:connect": `/studies/${report.id}/live${trialQueryString(query)}` }
    : {};
  const seed = spec.sampler.seed === undefined ? "" : ` seed ${spec.sampler.seed}`;
  return (
    <section id={STUDY_IDS.live} class="run study" {...stream}>
      <header class="run-header study-header card">
        <div>
          <h2>
            Study #{report.id} · {report.study}
          </h2>
          <p class="muted">
            {objectivesText(report, spec)} · {SAMPLER_LABELS[spec.sampler.type]} sampler{seed} ·
            {" "}
            {spec.pruner.type === "none" ? "no pruner" : `${spec.pruner.type} pruner`} ·{" "}
            {report.trialBudget} trials · {atOnceText(view)}
          </p>
          <p class="muted">Base: {baseText(spec.base)}</p>
          <p class="muted">Created {timestamp(view.createdAt)}</p>
        </div>
        <div class="run-actions">
          <span id={STUDY_IDS.status}>
            <StudyStatusBadge status={status} />
          </span>
          {status === "stopped" && (
            <form method="post" action={`/studies/${report.id}/resume`}>
              <button type="submit">Resume</button>
            </form>
          )}
          {view.active && status === "running" && (
            <form method="post" action={`/studies/${report.id}/stop`}>
              <button
                type="submit"
                class="danger"
                title="Start no more trials; the trial in flight is cancelled and queued again"
              >
                Stop
              </button>
            </form>
          )}
          <a class="button secondary" href={`/studies/new?from=${report.id}`}>Edit as new study</a>
          <StudyAdminActions
            study={{
              id: report.id,
              name: report.study,
              trials: report.trials.length,
              active: view.active,
            }}
          />
          <a
            class="button secondary"
            href={`/api/studies/${report.id}/optuna.py`}
            download
            title="The search space as an Optuna objective that trains in PyTorch"
          >
            As Optuna code
          </a>
        </div>
      </header>
      <StudySummary view={view} />
      <ParetoSection report={report} />
      {
        /* A multi-objective study has a front, not one best trial to retrain (see its card). */
        !report.metrics && <FinalRuns runs={view.finalRuns} canTrain={report.bestTrial !== null} />
      }
      <StudyCharts view={view} />
      <TrialsTable view={view} query={query} />
      <details class="card config-details">
        <summary>Study file</summary>
        <pre>{JSON.stringify(spec, null, 2)}</pre>
      </details>
    </section>
  );
}

/** "maximize devAccuracy", or each objective of a multi-objective study, and its constraints. */
function objectivesText(report: StudyView["report"], spec: StudyView["spec"]): string {
  const metrics = report.metrics ?? [report.metric];
  const directions = report.directions ?? [report.direction];
  const constraints = (spec.constraints ?? []).map((c) =>
    [
      c.min !== undefined ? `${c.metric} ≥ ${c.min}` : "",
      c.max !== undefined ? `${c.metric} ≤ ${c.max}` : "",
    ]
      .filter(Boolean).join(", ")
  );
  return metrics.map((m, k) => `${directions[k]} ${m}`).join(", ") +
    (constraints.length ? ` subject to ${constraints.join(", ")}` : "");
}

/** The base run in a line, as the run page sums up a run. */
function baseText(base: unknown): string {
  const parsed = parseRunConfig(base);
  return parsed.ok ? configSummary(parsed.config) : "invalid base";
}
