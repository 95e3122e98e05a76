/**
 * The run page. While the run is queued or training, its body holds an `hx-sse:connect` to
 * `/runs/:id/live`, whose messages re-render the parts in `run_parts.tsx` and, at the end,
 * replace the whole body with the finished one (which has no stream). A finished run renders
 * fully without any stream.
 *
 * @module
 */

import { FINAL_STATUSES, type RunWithEpochs } from "../../db/runs.ts";
import type { DeviceRecord, EarlyStopRecord } from "../../engine/train.ts";
import type { RunConfig } from "../../engine/spec.ts";
import { timestamp } from "../shell/format.ts";
import { Layout } from "../shell/layout.tsx";
import { configSummary } from "../run_editor/config_summary.ts";
import { shareUrl } from "../run_editor/run_form_state.ts";
import {
  EpochTable,
  IDS,
  type LiveState,
  RunCharts,
  RunProgress,
  StatusBadge,
} from "./run_parts.tsx";
import {
  ConfidentlyWrong,
  ConfusionMatrix,
  type RunResults,
  TestImages,
  TestMetrics,
} from "./run_results.tsx";
import { SettingsCard } from "./settings_table.tsx";
import { RunNetworkPlaceholder } from "./run_network_section.tsx";
import { LayerStatsPlaceholder } from "./layer_stats_section.tsx";

/** How often a browser without JavaScript reloads a training run's page. */
const NO_SCRIPT_RELOAD_SECONDS = 5;

export interface RunView {
  run: RunWithEpochs;
  config: RunConfig;
  /** Present once a run completed with test metrics. */
  results?: RunResults;
  /** A study's final model: the study (null once deleted) and trial it retrained. */
  origin?: { studyId: number; studyName: string | null; trialNumber: number };
  /** Whether "Continue training" can take it further (`routes/runs/continue_run.ts`). */
  continuable?: boolean;
}

export function isLive(view: RunView): boolean {
  return !FINAL_STATUSES.includes(view.run.status);
}

export function liveState(run: RunWithEpochs): LiveState {
  return {
    id: run.id,
    status: run.status,
    error: run.error,
    epochsPlanned: run.epochsPlanned,
    epochs: run.epochs,
    warmupSeconds: (run.device as DeviceRecord | null)?.warmupSeconds ?? null,
  };
}

export function RunPage(props: { view: RunView }) {
  const { run } = props.view;
  return (
    <Layout
      title={`Run #${run.id} ${run.name}`}
      current="/runs"
      reloadWithoutScript={isLive(props.view) ? NO_SCRIPT_RELOAD_SECONDS : undefined}
    >
      <RunBody view={props.view} />
    </Layout>
  );
}

function OriginLine(props: { origin: NonNullable<RunView["origin"]> }) {
  const { studyId, studyName, trialNumber } = props.origin;
  return (
    <p class="origin">
      Final model of study{" "}
      <a href={`/studies/${studyId}`}>{studyName ?? `#${studyId} (deleted)`}</a>{" "}
      (trial #{trialNumber})
    </p>
  );
}

/** The Continue training form's starting number of epochs. */
const DEFAULT_MORE_EPOCHS = 5;

/** "Continue training": N more epochs, as a new run that resumes from this one's last state. */
function ContinueForm(props: { id: number }) {
  return (
    <form
      id="continue-run"
      class="continue-run"
      method="post"
      action={`/runs/${props.id}/continue`}
      title="A new run that resumes from this run's weights, optimizer state and schedule"
    >
      <label>
        More epochs{" "}
        <input
          type="number"
          name="epochs"
          min="1"
          max="10000"
          value={DEFAULT_MORE_EPOCHS}
          required
        />
      </label>
      <button type="submit" class="secondary">Continue training</button>
    </form>
  );
}

/** The page's body; the live stream's last message swaps in the finished one. */
export function RunBody(props: { view: RunView }) {
  const { view } = props;
  const { run, config, results } = view;
  const live = isLive(view);
  const state = liveState(run);
  const streamAttributes = live ? { "hx-sse:connect": `/runs/${run.id}/live` } : {};
  return (
    <section id={IDS.live} class="run" {...streamAttributes}>
      <header class="run-header card">
        <div>
          <h2>
            Run #{run.id} · {run.name}
          </h2>
          <p class="muted">{configSummary(config)}</p>
          <p class="muted">
            Created {timestamp(run.createdAt)}
            {run.device ? ` · ${deviceText(run.device as DeviceRecord)}` : ""}
            {run.studyId !== null && (
              <>
                {" · "}
                <a href={`/studies/${run.studyId}`}>
                  trial {run.trialNumber} of study #{run.studyId}
                </a>
              </>
            )}
          </p>
          {view.origin && <OriginLine origin={view.origin} />}
          {run.continuedFrom !== null && (
            <p class="origin">
              Continues <a href={`/runs/${run.continuedFrom}`}>run #{run.continuedFrom}</a>{" "}
              from its last epoch, with its optimizer state and schedule
            </p>
          )}
        </div>
        <div class="run-actions">
          <span id={IDS.status}>
            <StatusBadge status={run.status} />
          </span>
          {live && (
            <form
              id="cancel-run"
              method="post"
              action={`/runs/${run.id}/cancel`}
              hx-post={`/runs/${run.id}/cancel`}
              hx-swap="outerHTML"
              hx-confirm={`Cancel run #${run.id}? Its epochs so far are kept; it trains no more.`}
            >
              <button type="submit" class="danger">Cancel run</button>
            </form>
          )}
          {run.status === "completed" && (
            <a class="button secondary" href={`/api/runs/${run.id}/model`} download>
              Download weights
            </a>
          )}
          {run.status === "completed" && (
            <a
              class="button secondary"
              href={`/api/runs/${run.id}/model.onnx`}
              download
              title="The trained model in evaluation mode, raw features in, for ONNX Runtime"
            >
              Download ONNX
            </a>
          )}
          <a
            class="button secondary"
            href={`/api/runs/${run.id}/pytorch.py`}
            download
            title="A PyTorch script that trains this config; --weights tests the downloaded weights"
          >
            As PyTorch code
          </a>
          {view.continuable && <ContinueForm id={run.id} />}
          <a class="button secondary" href={shareUrl(config)}>Clone and edit</a>
          <a
            class="button secondary"
            href={`/studies/new?run=${run.id}`}
            title="A new study with this run as its base"
          >
            Tune from this run
          </a>
        </div>
      </header>
      {run.error && (
        // A pruned or cancelled run's note says why (the pruner's verdict, a study's Stop), a
        // queued one's why it is queued again (its trainer died): news, not a failure.
        <p
          class={["failed", "diverged", "interrupted"].includes(run.status)
            ? "error card"
            : "card muted"}
        >
          {run.error}
        </p>
      )}
      {run.earlyStop !== null && (
        <EarlyStopNote
          earlyStop={run.earlyStop as EarlyStopRecord}
          restoreBest={config.earlyStopping?.restoreBest ?? false}
        />
      )}
      <RunProgress state={state} />
      <RunCharts state={state} />
      <LayerStatsPlaceholder id={run.id} />
      <section class="card">
        <h2>Epochs</h2>
        <EpochTable epochs={run.epochs} />
      </section>
      {results && (
        <>
          <section class="card">
            <h2>Test set</h2>
            <TestMetrics results={results} />
          </section>
          <div class="results-grid">
            <ConfusionMatrix results={results} />
            <ConfidentlyWrong results={results} />
          </div>
          <TestImages results={results} />
        </>
      )}
      <RunNetworkPlaceholder id={run.id} />
      <SettingsCard config={config} />
    </section>
  );
}

function deviceText(device: DeviceRecord): string {
  return device.backend === "webgpu"
    ? `trained on WebGPU${device.description ? ` (${device.description})` : ""}`
    : `trained on ${device.description || "the CPU"}`;
}

/** Where early stopping ended the run, and whose weights its test metrics and download are. */
function EarlyStopNote(props: { earlyStop: EarlyStopRecord; restoreBest: boolean }) {
  const { message, bestEpoch } = props.earlyStop;
  const kept = props.restoreBest && bestEpoch !== null
    ? `: its test metrics and weights are epoch ${bestEpoch}'s`
    : "";
  return <p class="card muted" data-early-stop>{message}{kept}</p>;
}
