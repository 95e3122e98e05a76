/**
 * The run page's look at each hidden layer (`engine/layer_stats.ts`): small multiples of its
 * statistics over epochs, a line per layer, and the last epoch's weight histograms. The page
 * holds a placeholder that fetches the section (`/runs/:id/layers`) once loaded; while the run
 * trains, the section fetches itself again when the page's live stream says epochs came (at most
 * once a second: `LIVE_EPOCH_TRIGGER`).
 *
 * @module
 */

import { raw } from "hono/html";
import type { EpochRow } from "../../db/runs.ts";
import type { LayerSpec } from "../../engine/spec.ts";
import { chartHtml, PALETTE, specSvg } from "../charts/charts.ts";
import {
  RUN_STATISTICS,
  SMALL_SIZE,
  smallChartSpec,
  statisticPoints,
  weightHistogramSvg,
} from "./layer_stats_charts.ts";
import { LIVE_EPOCH_TRIGGER } from "./run_parts.tsx";

export const LAYER_STATS_ID = "run-layer-stats";

const layerStatsHref = (id: number) => `/runs/${id}/layers`;

export function LayerStatsPlaceholder(props: { id: number }) {
  const href = layerStatsHref(props.id);
  return (
    <div id={LAYER_STATS_ID} hx-get={href} hx-trigger="load" hx-swap="outerHTML">
      <p class="card muted">
        <a href={href}>Inside the layers: activations, gradients and weights per epoch</a>
      </p>
    </div>
  );
}

export interface LayerStatsProps {
  id: number;
  layers: LayerSpec[];
  epochs: EpochRow[];
  epochsPlanned: number;
  /** Whether the run is still queued or training (the section then refreshes itself). */
  live: boolean;
  /** The run's config says `layerStats: false`. */
  off: boolean;
}

/** "Layer 2 (relu, 256)": how a layer is named in legends and titles. */
export function layerName(spec: LayerSpec, l: number): string {
  return `Layer ${l + 1} (${spec.activation}, ${spec.units})`;
}

export function LayerStatsSection(props: LayerStatsProps) {
  const refresh = props.live
    ? {
      "hx-get": layerStatsHref(props.id),
      "hx-trigger": LIVE_EPOCH_TRIGGER,
      "hx-swap": "outerHTML",
    }
    : {};
  const recorded = props.epochs.filter((epoch) => epoch.layers?.length);
  return (
    <section id={LAYER_STATS_ID} class="card layer-stats" {...refresh}>
      <h2>Inside the layers</h2>
      {props.layers.length === 0
        ? <p class="muted">This model has no hidden layer.</p>
        : props.off
        ? <p class="muted">This run did not record layer statistics (layerStats is false).</p>
        : (
          <>
            <LayerStatsHelp />
            <SmallMultiples {...props} />
            {recorded.length > 0 && (
              <WeightHistograms layers={props.layers} epoch={recorded.at(-1)!} />
            )}
          </>
        )}
    </section>
  );
}

function LayerStatsHelp() {
  return (
    <p class="help">
      Measured at each epoch's end on the first 256 training rows in evaluation mode. A healthy
      network keeps activation stds of similar size from layer to layer (what Xavier, He and LeCun
      initialisation aim at, and what batch norm restores); dead units (ReLU never positive) and
      saturated ones (sigmoid past ±4, tanh past ±2, where the slope is under 7% of its peak) pass
      almost no gradient. The update ratio ‖ΔW‖/‖W‖ says how far an epoch moved the weights.
    </p>
  );
}

function SmallMultiples(props: LayerStatsProps) {
  const style = `aspect-ratio: ${SMALL_SIZE.width} / ${SMALL_SIZE.height}`;
  const emptyText = props.live ? "Waiting for the first epoch" : "No statistics recorded";
  return (
    <div class="small-multiples">
      {RUN_STATISTICS.map((statistic) => (
        <figure
          class="chart"
          style={style}
          aria-label={`${statistic.title} per epoch, one line per hidden layer`}
          data-statistic={statistic.key}
        >
          {
            /* A finished run's charts read out exact values on hover; a training run's stay
            pictures, redrawn whole at each refresh rather than made live again each time. */
          }
          {raw((props.live ? specSvg : chartHtml)(smallChartSpec({
            title: statistic.title,
            axis: statistic.axis,
            xMax: props.epochsPlanned,
            emptyText,
            series: props.layers.map((_, l) => ({
              name: `Layer ${l + 1}`,
              points: statisticPoints(props.epochs, statistic, l),
              color: PALETTE[l % PALETTE.length],
            })),
          })))}
        </figure>
      ))}
    </div>
  );
}

function WeightHistograms(props: { layers: LayerSpec[]; epoch: EpochRow }) {
  const style = `aspect-ratio: ${SMALL_SIZE.width} / ${SMALL_SIZE.height}`;
  return (
    <>
      <h3>Weights after epoch {props.epoch.epoch}</h3>
      <p class="help">
        Each layer's weights in 32 bins over ±4/√fan-in (four times PyTorch's default init range);
        the end bins also hold what lies beyond. L1 piles weights at 0, L2 shrinks the spread.
      </p>
      <div class="small-multiples">
        {props.layers.map((spec, l) => {
          const stats = props.epoch.layers?.[l];
          if (!stats) return null;
          return (
            <figure
              class="chart"
              style={style}
              aria-label={`${layerName(spec, l)} weight histogram`}
            >
              {raw(
                weightHistogramSvg(
                  layerName(spec, l),
                  stats.weightHistogram,
                  PALETTE[l % PALETTE.length],
                ),
              )}
            </figure>
          );
        })}
      </div>
    </>
  );
}
