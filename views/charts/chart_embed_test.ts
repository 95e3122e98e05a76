import assert from "node:assert/strict";
import { chartDataScript } from "./chart_embed.ts";

Deno.test("chartDataScript() keeps a name holding </script> inside the element", () => {
  const html = chartDataScript({
    size: { width: 10, height: 10 },
    option: { series: [{ type: "line", name: "</script><b>x</b>", data: [[1, 2]] }] },
    meta: { zoomX: true },
  }, "chart-x-data");
  assert.equal(html.match(/<\/script>/g)?.length, 1);
  const json = html.slice(html.indexOf(">") + 1, html.lastIndexOf("</script>"));
  const parsed = JSON.parse(json);
  assert.equal(parsed.option.series[0].name, "</script><b>x</b>");
  assert.deepEqual(parsed.meta, { zoomX: true });
  assert.match(html, /^<script type="application\/json" class="chart-data" id="chart-x-data">/);
});
