/**
 * A chart's `<figure>`: the server's SVG in a box of the chart's proportions (so redrawing never
 * moves the page) with its data for the browser's interactive chart.
 *
 * @module
 */

import { raw } from "hono/html";
import { chartHtml } from "./charts.ts";
import type { ChartSpec } from "./chart_embed.ts";

export function ChartFigure(
  props: { id?: string; label: string; spec: ChartSpec; class?: string; dataId?: string },
) {
  const { size } = props.spec;
  return (
    <figure
      class={`chart${props.class ? ` ${props.class}` : ""}`}
      id={props.id}
      style={`aspect-ratio: ${size.width} / ${size.height}`}
      aria-label={props.label}
    >
      {raw(chartHtml(props.spec, props.dataId))}
    </figure>
  );
}
