/**
 * The compare page's layer statistics: pick a statistic and a hidden layer, see it over epochs
 * with a line per run (layer 2's activation std for default, Xavier and He init, say). The picker
 * asks `/runs/compare/layers` for the card again; htmx swaps it in, and without JavaScript the
 * same form opens it as a page.
 *
 * @module
 */

import { raw } from "hono/html";
import type { RunWithEpochs } from "../../db/runs.ts";
import type { RunConfig } from "../../engine/spec.ts";
import { chartHtml, CURVE_SIZE, PALETTE } from "../charts/charts.ts";
import { COMPARE_STATISTICS, smallChartSpec, statisticPoints } from "./layer_stats_charts.ts";

export const LAYER_COMPARE_ID = "compare-layer-stats";
export const LAYER_COMPARE_HREF = "/runs/compare/layers";

export interface LayerCompareChoice {
  /** A key of COMPARE_STATISTICS. */
  statistic: string;
  /** 0-based hidden layer. */
  layer: number;
}

function hiddenLayers(run: RunWithEpochs): number {
  return (run.config as RunConfig).model.layers.length;
}

/**
 * The choice a query asks for, or the default: activation std of the deepest layer every run
 * has. Unknown statistics and layers out of range fall back to it.
 */
export function layerCompareChoice(
  runs: RunWithEpochs[],
  query: { statistic?: string; layer?: string },
): LayerCompareChoice {
  const common = Math.max(1, Math.min(...runs.map(hiddenLayers)));
  const statistic = COMPARE_STATISTICS.some((s) => s.key === query.statistic)
    ? query.statistic!
    : "activationStd";
  const asked = Number(query.layer);
  const deepest = Math.max(1, ...runs.map(hiddenLayers));
  const layer = Number.isInteger(asked) && asked >= 1 && asked <= deepest ? asked - 1 : common - 1;
  return { statistic, layer };
}

export function LayerStatsCompare(props: { runs: RunWithEpochs[]; choice: LayerCompareChoice }) {
  const { runs, choice } = props;
  const statistic = COMPARE_STATISTICS.find((s) => s.key === choice.statistic)!;
  const deepest = Math.max(0, ...runs.map(hiddenLayers));
  const having = runs.filter((run) => hiddenLayers(run) > choice.layer);
  const lacking = runs.filter((run) => hiddenLayers(run) <= choice.layer);
  const xMax = Math.max(1, ...runs.map((run) => run.epochsPlanned));
  const style = `aspect-ratio: ${CURVE_SIZE.width} / ${CURVE_SIZE.height}`;
  const title = `${statistic.title}, layer ${choice.layer + 1}`;
  const layerNumbers = Array.from({ length: deepest }, (_, l) => String(l + 1));
  const picked = String(choice.layer + 1);
  return (
    <section id={LAYER_COMPARE_ID} class="card layer-stats">
      <h2>Inside the layers</h2>
      <form
        class="layer-picker"
        method="get"
        action={LAYER_COMPARE_HREF}
        hx-get={LAYER_COMPARE_HREF}
        hx-trigger="change"
        hx-target={`#${LAYER_COMPARE_ID}`}
        hx-swap="outerHTML"
      >
        {
          // deno-lint-ignore jsx-key -- server-rendered once; hono would print a key attribute
          runs.map((run) => <input type="hidden" name="ids" value={String(run.id)} />)
        }
        <label>
          Statistic{" "}
          <select name="statistic">
            {COMPARE_STATISTICS.map((s) => (
              <option value={s.key} selected={s.key === statistic.key}>{s.title}</option>
            ))}
          </select>
        </label>
        <label>
          Layer{" "}
          <select name="layer">
            {
              // deno-lint-ignore jsx-key -- server-rendered once; hono would print a key attribute
              layerNumbers.map((n) => <option value={n} selected={n === picked}>{n}</option>)
            }
          </select>
        </label>
        <noscript>
          <button type="submit" class="secondary">Show</button>
        </noscript>
      </form>
      <figure
        class="chart"
        style={style}
        aria-label={`${title} per epoch, one line per run`}
        data-statistic={statistic.key}
      >
        {raw(chartHtml(smallChartSpec({
          title,
          axis: statistic.axis,
          xMax,
          emptyText: "No run recorded this statistic",
          size: CURVE_SIZE,
          series: having.map((run) => ({
            name: `#${run.id} ${run.name}`,
            points: statisticPoints(run.epochs, statistic, choice.layer),
            color: PALETTE[runs.indexOf(run) % PALETTE.length],
          })),
        })))}
      </figure>
      {lacking.length > 0 && (
        <p class="muted">
          No layer {choice.layer + 1} in {lacking.map((run) => `#${run.id}`).join(", ")}.
        </p>
      )}
    </section>
  );
}
