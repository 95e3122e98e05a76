/**
 * `GET /runs/:id/layers`: the run page's layer statistics (`views/runs/layer_stats_section.tsx`),
 * as a fragment for the page's placeholder and its live refreshes or, without htmx, as a page of
 * its own.
 *
 * @module
 */

import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { FINAL_STATUSES, getRun } from "../../db/runs.ts";
import type { RunConfig } from "../../engine/spec.ts";
import { LayerStatsSection } from "../../views/runs/layer_stats_section.tsx";
import { Layout } from "../../views/shell/layout.tsx";
import type { AppContext } from "../context.ts";
import { parseRunId } from "../shell/params.ts";

export function runLayerStatsRoutes(ctx: AppContext): Hono {
  return new Hono().get("/:id/layers", async (c) => {
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
