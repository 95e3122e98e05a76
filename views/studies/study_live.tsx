/**
 * Messages of the study page's live stream: HTML holding only `<hx-partial>`s, each naming the
 * id it re-renders, so htmx's SSE extension swaps them in place and leaves the rest of the page.
 *
 * @module
 */

import type { Child } from "hono/jsx";
import { StudyBody } from "./study_page.tsx";
import { PARETO_ID, ParetoSection } from "./pareto_plots.tsx";
import {
  STUDY_IDS,
  StudyCharts,
  StudyStatusBadge,
  StudySummary,
  type StudyView,
} from "./study_parts.tsx";
import { type TrialQuery, TrialsTable } from "./study_trials_table.tsx";

function Partial(props: { id: string; swap: string; children: Child }) {
  return (
    <hx-partial hx-target={`#${props.id}`} hx-swap={props.swap}>
      {props.children}
    </hx-partial>
  );
}

/** Everything that changes while trials run: sent on connect and whenever a trial changes. */
export function StudyLiveUpdate(props: { view: StudyView; query: TrialQuery }) {
  return (
    <>
      <Partial id={STUDY_IDS.status} swap="innerHTML">
        <StudyStatusBadge status={props.view.status} />
      </Partial>
      <Partial id={STUDY_IDS.summary} swap="outerHTML">
        <StudySummary view={props.view} />
      </Partial>
      {(props.view.report.metrics?.length ?? 0) > 1 && (
        <Partial id={PARETO_ID} swap="outerHTML">
          <ParetoSection report={props.view.report} />
        </Partial>
      )}
      <Partial id={STUDY_IDS.charts} swap="outerHTML">
        <StudyCharts view={props.view} />
      </Partial>
      <Partial id={STUDY_IDS.trials} swap="outerHTML">
        <TrialsTable view={props.view} query={props.query} />
      </Partial>
    </>
  );
}

/** The finished page body, replacing the streaming one (and so ending the stream). */
export function StudyLiveFinished(props: { view: StudyView; query: TrialQuery }) {
  return (
    <Partial id={STUDY_IDS.live} swap="outerHTML">
      <StudyBody view={props.view} query={props.query} />
    </Partial>
  );
}
