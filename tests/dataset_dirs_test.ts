/**
 * `AJUSTE_DATA_DIRS`: a server told which folders hold datasets refuses `idx:`/`csv:` paths
 * elsewhere with a 400 naming the field, before anything is written.
 */

import assert from "node:assert/strict";
import { postJson, startTestServer, tinyRun, waitFor } from "./service_helpers.ts";

Deno.test("runs and studies may only name datasets inside AJUSTE_DATA_DIRS", async () => {
  const allowed = await Deno.makeTempDir({ prefix: "ajuste-data-" });
  const rows = Array.from({ length: 40 }, (_, i) => `${i % 7},${(i * 3) % 5},${i % 2}`);
  await Deno.writeTextFile(`${allowed}/points.csv`, rows.join("\n") + "\n");
  Deno.env.set("AJUSTE_DATA_DIRS", allowed);
  const server = await startTestServer();
  try {
    const run = (dataset: string) =>
      postJson(
        `${server.url}/api/runs`,
        tinyRun({ data: { ...tinyRun().data as object, dataset } }),
      );

    const outside = await run("csv:/etc/passwd");
    assert.equal(outside.status, 400);
    const body = await outside.json();
    assert.equal(body.issues[0].path, "data.dataset");
    assert.match(body.issues[0].message, /outside the allowed folders/);

    const missing = await run(`csv:${allowed}/nope.csv`);
    assert.equal(missing.status, 400);
    assert.match((await missing.json()).issues[0].message, /does not exist/);

    const study = await postJson(`${server.url}/api/studies`, {
      name: "outside",
      trials: 1,
      base: { data: { dataset: "idx:/usr/share" } },
      space: { "optimizer.lr": { type: "float", low: 0.001, high: 0.1, log: true } },
    });
    assert.equal(study.status, 400);
    assert.equal((await study.json()).issues[0].path, "base.data.dataset");

    const listed = await (await fetch(`${server.url}/api/runs`)).json();
    assert.equal(listed.runs.length, 0, "nothing written for refused requests");

    const inside = await run(`csv:${allowed}/points.csv`);
    assert.equal(inside.status, 201);
    const { id } = await inside.json();
    const done = await waitFor(async () => {
      const r = await (await fetch(`${server.url}/api/runs/${id}`)).json();
      return ["completed", "failed"].includes(r.status) ? r : undefined;
    }, "the run inside the allowed folder to finish");
    assert.equal(done.status, "completed", done.error);
  } finally {
    await server.close();
    Deno.env.delete("AJUSTE_DATA_DIRS");
    await Deno.remove(allowed, { recursive: true });
  }
});
