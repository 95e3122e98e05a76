/**
 * `GET /runs/:id/layers`: the run page's layer statistics (`views/runs/layer_stats_section.tsx`),
 * as a fragment for the page's placeholder and its live refreshes; `GET /runs/compare/layers`:
 * the compare page's picker and overlay (`views/runs/layer_stats_compare.tsx`). Without htmx,
 * each is a page of its own.
 *
 * @module
 */

import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { FINAL_STATUSES, getRun, type RunWithEpochs } from "../../db/runs.ts";
import type { RunConfig } from "../../engine/spec.ts";
import { LayerStatsSection } from "../../views/runs/layer_stats_section.tsx";
import { layerCompareChoice, LayerStatsCompare } from "../../views/runs/layer_stats_compare.tsx";
import { Layout } from "../../views/shell/layout.tsx";
import type { AppContext } from "../context.ts";
import { parseRunId } from "../shell/params.ts";

/** As many runs as the compare page takes. */
const MAX_COMPARED = 8;

export function runLayerStatsRoutes(ctx: AppContext): Hono {
  // Before `/:id/layers`, which would take "compare" for an id.
  return new Hono().get("/compare/layers", async (c) => {
    const ids = [
      ...new Set(
        (c.req.queries("ids") ?? []).flatMap((value) => value.split(","))
          .map((part) => part.trim()).filter(Boolean).map((part) => parseRunId(part)),
      ),
    ];
    if (ids.length === 0 || ids.length > MAX_COMPARED) {
      throw new HTTPException(400, {
        message: `ids must name 1 to ${MAX_COMPARED} runs, got ${ids.length}`,
      });
    }
    const runs: RunWithEpochs[] = [];
    for (const id of ids) {
      const run = await getRun(ctx.db, id);
      if (!run) throw new HTTPException(404, { message: `Run ${id} does not exist` });
      runs.push(run);
    }
    const choice = layerCompareChoice(runs, {
      statistic: c.req.query("statistic"),
      layer: c.req.query("layer"),
    });
    const card = <LayerStatsCompare runs={runs} choice={choice} />;
    if (c.req.header("HX-Request")) return c.html(card);
    return c.html(
      <Layout title="Compare runs: inside the layers" current="/runs">
        <p>
          <a href={`/runs/compare?ids=${ids.join(",")}`}>← Compare {ids.length} runs</a>
        </p>
        {card}
      </Layout>,
    );
  }).get("/:id/layers", async (c) => {
    const id = parseRunId(c.req.param("id"));
    const run = await getRun(ctx.db, id);
    if (!run) throw new HTTPException(404, { message: `Run ${id} does not exist` });
    const config = run.config as RunConfig;
    const section = (
      <LayerStatsSection
        id={id}
        layers={config.model.layers}
        epochs={run.epochs}
        epochsPlanned={run.epochsPlanned}
        live={!FINAL_STATUSES.includes(run.status)}
        off={config.layerStats === false}
      />
    );
    if (c.req.header("HX-Request")) return c.html(section);
    return c.html(
      <Layout title={`Layers of run #${id}`} current="/runs">
        <p>
          <a href={`/runs/${id}`}>← Run #{id} · {run.name}</a>
        </p>
        {section}
      </Layout>,
    );
  });
}
