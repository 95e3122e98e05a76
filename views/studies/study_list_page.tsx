/**
 * `/studies`: every study with its objective, progress against the trial budget and best value;
 * and the start page's short list of recent ones.
 *
 * @module
 */

import { timestamp } from "../shell/format.ts";
import { Layout } from "../shell/layout.tsx";
import { metricText, type StudyStatus, StudyStatusBadge } from "./study_parts.tsx";

/** A study as `listStudies` returns it. */
export interface StudyListItem {
  id: number;
  name: string;
  direction: "minimize" | "maximize";
  spec: {
    metric: string;
    trials: number;
    sampler: { type: string };
    metrics?: string[];
    directions?: string[];
  };
  createdAt: Date;
  complete: number;
  pruned: number;
  failed: number;
  running: number;
  bestValue: number | null;
  status: StudyStatus;
}

export function StudiesPage(props: { studies: StudyListItem[] }) {
  return (
    <Layout title="Studies" current="/studies">
      <div class="page-heading">
        <h2 class="page-title">Studies</h2>
        <a class="button primary" href="/studies/new">New study</a>
      </div>
      {props.studies.length === 0
        ? (
          <section class="card">
            <p>
              No studies yet. <a href="/studies/new">Define a search space and start one</a>, or run
              {" "}
              <code>deno task tune study.json</code> in a terminal.
            </p>
          </section>
        )
        : (
          <section class="card">
            <div class="table-scroll">
              <table class="studies">
                <thead>
                  <tr>
                    <th class="number" scope="col">#</th>
                    <th scope="col">Name</th>
                    <th scope="col">Objective</th>
                    <th scope="col">Status</th>
                    <th scope="col">Progress</th>
                    <th class="number" scope="col">Best value</th>
                    <th scope="col">Sampler</th>
                    <th scope="col">Created</th>
                  </tr>
                </thead>
                <tbody>
                  {props.studies.map((study) => (
                    <tr>
                      <td class="number">
                        <a href={`/studies/${study.id}`}>{study.id}</a>
                      </td>
                      <td>
                        <a href={`/studies/${study.id}`}>{study.name}</a>
                      </td>
                      <td>
                        {objectives(study)}
                      </td>
                      <td>
                        <StudyStatusBadge status={study.status} />
                      </td>
                      <td>
                        <StudyProgress study={study} />
                      </td>
                      <td class="number">{metricText(study.spec.metric, study.bestValue)}</td>
                      <td>{study.spec.sampler.type}</td>
                      <td>{timestamp(study.createdAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        )}
    </Layout>
  );
}

/** A bar of finished trials against the budget, with the counts behind it. */
function StudyProgress(props: { study: StudyListItem }) {
  const { study } = props;
  const finished = study.complete + study.pruned + study.failed;
  const parts = [
    `${study.complete} complete`,
    study.pruned ? `${study.pruned} pruned` : "",
    study.failed ? `${study.failed} failed` : "",
    study.running ? `${study.running} running` : "",
  ].filter(Boolean);
  return (
    <div class="study-progress">
      <progress max={study.spec.trials} value={finished} aria-label={`Trials of ${study.name}`}>
        {finished} of {study.spec.trials}
      </progress>
      <span class="muted">
        {finished} / {study.spec.trials} · {parts.join(", ")}
      </span>
    </div>
  );
}

/** A short table of recent studies for the start page. */
export function RecentStudies(props: { studies: StudyListItem[] }) {
  return (
    <section class="card recent-runs">
      <h2>Recent studies</h2>
      {props.studies.length === 0
        ? (
          <p>
            No studies yet. <a href="/studies/new">Tune hyperparameters with a study</a>.
          </p>
        )
        : (
          <>
            <div class="table-scroll">
              <table>
                <thead>
                  <tr>
                    <th class="number" scope="col">#</th>
                    <th scope="col">Name</th>
                    <th scope="col">Progress</th>
                    <th class="number" scope="col">Best value</th>
                  </tr>
                </thead>
                <tbody>
                  {props.studies.map((study) => (
                    <tr>
                      <td class="number">{study.id}</td>
                      <td>
                        <a href={`/studies/${study.id}`}>{study.name}</a>
                      </td>
                      <td>
                        <StudyProgress study={study} />
                      </td>
                      <td class="number">{metricText(study.spec.metric, study.bestValue)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <p>
              <a href="/studies">All studies</a> · <a href="/studies/new">New study</a>
            </p>
          </>
        )}
    </section>
  );
}

/** "maximize devAccuracy", or each direction and metric of a multi-objective study. */
function objectives(study: { direction: string; spec: StudyListItem["spec"] }) {
  const metrics = study.spec.metrics && study.spec.metrics.length > 1
    ? study.spec.metrics
    : [study.spec.metric];
  const directions = study.spec.directions ?? [study.direction];
  return metrics.map((m, k) => (
    <span key={m}>
      {k > 0 && ", "}
      {directions[k]} <code>{m}</code>
    </span>
  ));
}
