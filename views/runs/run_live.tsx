/**
 * Messages of the run page's live stream: HTML holding only `<hx-partial>`s, each naming the id
 * it re-renders, so htmx's SSE extension swaps them in place and leaves the rest of the page.
 *
 * @module
 */

import type { Child } from "hono/jsx";
import type { EpochRow } from "../../db/runs.ts";
import { RunBody, type RunView } from "./run_page.tsx";
import {
  CurveData,
  curveDataId,
  EpochRows,
  EpochRowView,
  IDS,
  type LiveState,
  RunProgress,
  StatusBadge,
} from "./run_parts.tsx";

function Partial(props: { id: string; swap: string; children: Child }) {
  return (
    <hx-partial hx-target={`#${props.id}`} hx-swap={props.swap}>
      {props.children}
    </hx-partial>
  );
}

function Progress(props: { state: LiveState }) {
  return (
    <>
      <Partial id={IDS.status} swap="innerHTML">
        <StatusBadge status={props.state.status} />
      </Partial>
      <Partial id={IDS.progress} swap="outerHTML">
        <RunProgress state={props.state} />
      </Partial>
    </>
  );
}

/** The curves' data only, so the browser's charts add the points and keep zoom and scale. */
function Charts(props: { state: LiveState }) {
  return (
    <>
      {[IDS.lossChart, IDS.accuracyChart, IDS.lrChart].map((id) => (
        <Partial id={curveDataId(id)} swap="outerHTML">
          <CurveData state={props.state} id={id} />
        </Partial>
      ))}
    </>
  );
}

/** Everything that may have changed since the page was rendered (sent first on each connect). */
export function LiveSnapshot(props: { state: LiveState }) {
  return (
    <>
      <Progress state={props.state} />
      <Charts state={props.state} />
      <Partial id={IDS.epochRows} swap="innerHTML">
        <EpochRows epochs={props.state.epochs} />
      </Partial>
    </>
  );
}

/** Epochs since the last message: their table rows, the curves' data, progress. */
export function LiveEpochs(props: { state: LiveState; epochs: EpochRow[] }) {
  return (
    <>
      <Progress state={props.state} />
      <Charts state={props.state} />
      <Partial id={IDS.epochRows} swap="beforeend">
        {props.epochs.map((epoch) => <EpochRowView key={epoch.epoch} epoch={epoch} />)}
      </Partial>
    </>
  );
}

export function LiveStatus(props: { state: LiveState }) {
  return <Progress state={props.state} />;
}

/** The finished page body, replacing the streaming one (and so ending the stream). */
export function LiveFinished(props: { view: RunView }) {
  return (
    <Partial id={IDS.live} swap="outerHTML">
      <RunBody view={props.view} />
    </Partial>
  );
}
