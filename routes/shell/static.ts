/**
 * `/static/*`: htmx and its SSE extension and ECharts' browser build straight from `node_modules`,
 * the stylesheets, the run page's drawing script and the interactive charts' script.
 * Only these files are served, so nothing else on disk is reachable through this route.
 *
 * @module
 */

import { Hono } from "hono";
import { serveStatic } from "hono/deno";
import { basename, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const FILES: Record<string, string> = {
  "/htmx.min.js": fileURLToPath(import.meta.resolve("htmx.org/dist/htmx.min.js")),
  "/ext/hx-sse.js": fileURLToPath(import.meta.resolve("htmx.org/dist/ext/hx-sse.js")),
  "/style.css": fileURLToPath(new URL("../../views/shell/style.css", import.meta.url)),
  "/form.css": fileURLToPath(new URL("../../views/shell/form.css", import.meta.url)),
  "/runs.css": fileURLToPath(new URL("../../views/runs/runs.css", import.meta.url)),
  "/studies.css": fileURLToPath(new URL("../../views/studies/studies.css", import.meta.url)),
  "/network.css": fileURLToPath(new URL("../../views/network/network.css", import.meta.url)),
  "/lessons.css": fileURLToPath(new URL("../../views/lessons/lessons.css", import.meta.url)),
  "/draw_digit.js": fileURLToPath(new URL("../../views/runs/draw_digit.js", import.meta.url)),
  "/echarts.esm.min.js": fileURLToPath(import.meta.resolve("echarts/dist/echarts.esm.min.mjs")),
  "/charts.js": fileURLToPath(new URL("../../views/charts/chart_client.js", import.meta.url)),
  "/chart_smoothing.js": fileURLToPath(
    new URL("../../views/charts/chart_smoothing.js", import.meta.url),
  ),
  "/charts.css": fileURLToPath(new URL("../../views/charts/charts.css", import.meta.url)),
};

export function staticRoutes(): Hono {
  const files = new Hono();
  for (const [route, path] of Object.entries(FILES)) {
    files.get(
      route,
      serveStatic({
        root: dirname(path),
        path: basename(path),
        onFound: (_path, c) => {
          c.header("Cache-Control", "public, max-age=3600");
        },
      }),
    );
  }
  return files;
}
