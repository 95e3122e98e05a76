/**
 * The parts of the run page that change while a run trains: status badge, progress, curves and
 * the epoch table. The page renders them once; the live stream re-renders the same components
 * into the same ids, so a streamed page and a reloaded one look alike.
 *
 * @module
 */

import { raw } from "hono/html";
import { type EpochRow, FINAL_STATUSES, type RunStatus } from "../../db/runs.ts";
import type { TrainProgress } from "../../engine/train.ts";
import {
  accuracyChartSpec,
  chartHtml,
  CURVE_SIZE,
  lossChartSpec,
  lrChartSpec,
} from "../charts/charts.ts";
import { chartDataScript } from "../charts/chart_embed.ts";
import { duration, lossText, percent } from "../shell/format.ts";

/** What the live parts need; a subset of the stored run. */
export interface LiveState {
  id: number;
  status: RunStatus;
  error: string | null;
  epochsPlanned: number;
  epochs: EpochRow[];
  /** Where the engine said it was last (streamed only: a reloaded page has none). */
  progress?: TrainProgress | null;
  /** Seconds before the first epoch (`DeviceRecord.warmupSeconds`), once known. */
  warmupSeconds?: number | null;
}

export const IDS = {
  live: "run-live",
  status: "run-status",
  progress: "run-progress",
  lossChart: "chart-loss",
  accuracyChart: "chart-accuracy",
  lrChart: "chart-lr",
  epochRows: "epoch-rows",
} as const;

/**
 * What a section refreshed by the run's epochs listens to: the live stream names an event
 * `run-epoch` at most once a second while epochs arrive, never for progress messages.
 */
export const LIVE_EPOCH_TRIGGER = `run-epoch from:#${IDS.live}`;

/** The phases before the first epoch, in the order they come, as the page names them. */
export const PHASES = [
  ["loading", "Loading data"],
  ["device", "Choosing the device"],
  ["compiling", "Compiling kernels"],
  ["training", "Training"],
] as const;
type Phase = (typeof PHASES)[number][0];

/**
 * The phase a run is in before its first epoch ends, from its status and the stream's last
 * progress (none on a page loaded meanwhile: it then says less until the stream tells more).
 */
function currentPhase(state: LiveState): Phase | null {
  if (state.status !== "running" || state.epochs.length > 0) return null;
  return state.progress?.phase ?? null;
}

function PhaseList(props: { phase: Phase; backend?: "cpu" | "webgpu" }) {
  const at = PHASES.findIndex(([phase]) => phase === props.phase);
  return (
    <ol class="run-phases" aria-label="Before the first epoch">
      {PHASES.map(([phase, name], i) => (
        <li
          key={phase}
          class={i < at ? "done" : i === at ? "current" : "next"}
          aria-current={i === at ? "step" : undefined}
        >
          {phase === "compiling" && props.backend === "cpu" ? "Setting up the model" : name}
        </li>
      ))}
    </ol>
  );
}

/** Steps of the epoch under way, when the engine reported them (slow epochs only). */
function StepBar(props: { state: LiveState }) {
  const { progress, epochs, status } = props.state;
  if (status !== "running" || progress?.phase !== "training" || progress.steps <= 0) return null;
  if (progress.epoch !== epochs.length + 1) return null;
  return (
    <span class="step-progress">
      <progress
        max={progress.steps}
        value={progress.step}
        aria-label={`Steps of epoch ${progress.epoch}`}
      >
        {progress.step} of {progress.steps}
      </progress>
      <span class="muted">
        Epoch {progress.epoch}: step {progress.step} of {progress.steps}
      </span>
    </span>
  );
}

/** "warm-up 4.2 s": the time before the first epoch, which no epoch's seconds include. */
function warmupText(seconds: number | null | undefined): string {
  return seconds === null || seconds === undefined ? "" : ` · warm-up ${duration(seconds)}`;
}

/** A run's status; `note` (why it did not complete) shows on hovering it. */
export function StatusBadge(props: { status: RunStatus; note?: string | null }) {
  return (
    <span class={`badge status-${props.status}`} title={props.note ?? undefined}>
      {props.status}
    </span>
  );
}

/** Progress with an estimate from the mean epoch time so far. */
export function RunProgress(props: { state: LiveState }) {
  const { epochs, epochsPlanned, status, progress } = props.state;
  const phase = currentPhase(props.state);
  const done = epochs.length;
  const seconds = epochs.reduce((sum, e) => sum + e.seconds, 0);
  const mean = done ? seconds / done : 0;
  let text: string;
  if (status === "queued") text = "Waiting in the queue for a worker to claim it.";
  else if (status === "running" && done === 0 && !phase) {
    text = "Loading data and starting the first epoch…";
  } else if (phase) {
    text = phase === "training"
      ? `Training epoch 1…${warmupText(props.state.warmupSeconds)}`
      : `${PHASES.find(([p]) => p === phase)![1]}…`;
    if (phase === "compiling" && progress?.phase === "compiling") {
      text = progress.backend === "webgpu"
        ? "Compiling the GPU's kernels and copying the data to it…"
        : "Setting up the model and its data on the CPU…";
    }
  } else if (status === "running") {
    const left = mean * (epochsPlanned - done);
    // After the last epoch only the test set is left to score: no estimate to give.
    const estimate = left <= 0
      ? ""
      : left < 1
      ? " · under 1 s left"
      : ` · about ${duration(left)} left`;
    text = `Epoch ${done} of ${epochsPlanned} · ${duration(mean)} per epoch${estimate}${
      warmupText(props.state.warmupSeconds)
    }`;
  } else if (done === 0) {
    // "0 of 20 epochs in 0.00 s" said nothing: say how it ended (the reason shows above).
    text = `Ended ${status} before its first epoch.`;
  } else {
    const ended = status === "completed" ? "" : `; ${status} after epoch ${done}`;
    text = `${done} of ${epochsPlanned} ${epochsPlanned === 1 ? "epoch" : "epochs"} in ${
      duration(seconds)
    }${ended}${warmupText(props.state.warmupSeconds)}`;
  }
  return (
    <div id={IDS.progress} class="progress" data-phase={phase ?? status}>
      <progress max={epochsPlanned} value={done} aria-label="Epochs done">
        {done} of {epochsPlanned}
      </progress>
      <span class="muted">{text}</span>
      {phase && (
        <PhaseList
          phase={phase}
          backend={progress?.phase === "compiling" ? progress.backend : undefined}
        />
      )}
      <StepBar state={props.state} />
    </div>
  );
}

/** A run that ended before its first epoch says so rather than waiting for one. */
function curveOptions(state: LiveState) {
  return { ended: FINAL_STATUSES.includes(state.status) };
}

const CURVES = {
  [IDS.lossChart]: lossChartSpec,
  [IDS.accuracyChart]: accuracyChartSpec,
  [IDS.lrChart]: lrChartSpec,
};
type CurveId = keyof typeof CURVES;

/** The id of a curve's JSON data, which the live stream replaces alone. */
export const curveDataId = (id: CurveId) => `${id}-data`;

function curveSpec(state: LiveState, id: CurveId) {
  return CURVES[id](state.epochs, state.epochsPlanned, curveOptions(state));
}

/** A curve's SVG and its data for the browser's interactive chart. */
export function Curve(props: { state: LiveState; id: CurveId }) {
  return <>{raw(chartHtml(curveSpec(props.state, props.id), curveDataId(props.id)))}</>;
}

/** A curve's data alone: the browser's chart takes up the new points in place. */
export function CurveData(props: { state: LiveState; id: CurveId }) {
  return <>{raw(chartDataScript(curveSpec(props.state, props.id), curveDataId(props.id)))}</>;
}

/** The curves in boxes of fixed size, so redrawing them never moves the page. */
export function RunCharts(props: { state: LiveState }) {
  const style = `aspect-ratio: ${CURVE_SIZE.width} / ${CURVE_SIZE.height}`;
  return (
    <div class="charts">
      <figure class="chart" id={IDS.lossChart} style={style} aria-label="Loss per epoch">
        <Curve state={props.state} id={IDS.lossChart} />
      </figure>
      <figure class="chart" id={IDS.accuracyChart} style={style} aria-label="Accuracy per epoch">
        <Curve state={props.state} id={IDS.accuracyChart} />
      </figure>
      <figure class="chart" id={IDS.lrChart} style={style} aria-label="Learning rate per epoch">
        <Curve state={props.state} id={IDS.lrChart} />
      </figure>
    </div>
  );
}

export function EpochRowView(props: { epoch: EpochRow }) {
  const e = props.epoch;
  return (
    <tr>
      <td class="number">{e.epoch}</td>
      <td class="number">{lossText(e.trainLoss)}</td>
      <td class="number">{percent(e.trainAccuracy)}</td>
      <td class="number">{lossText(e.devLoss)}</td>
      <td class="number">{percent(e.devAccuracy)}</td>
      <td class="number">{e.seconds.toFixed(2)}</td>
    </tr>
  );
}

export function EpochRows(props: { epochs: EpochRow[] }) {
  return <>{props.epochs.map((epoch) => <EpochRowView key={epoch.epoch} epoch={epoch} />)}</>;
}

export function EpochTable(props: { epochs: EpochRow[] }) {
  return (
    <div class="epoch-table table-scroll">
      <table>
        <caption class="visually-hidden">Metrics per epoch</caption>
        <thead>
          <tr>
            <th class="number" scope="col">Epoch</th>
            <th class="number" scope="col">Train loss</th>
            <th class="number" scope="col">Train accuracy</th>
            <th class="number" scope="col">Dev loss</th>
            <th class="number" scope="col">Dev accuracy</th>
            <th class="number" scope="col">Seconds</th>
          </tr>
        </thead>
        <tbody id={IDS.epochRows}>
          <EpochRows epochs={props.epochs} />
        </tbody>
      </table>
    </div>
  );
}
