/**
 * `deno task train --db URL` as a user runs it beside a dashboard on the same database: the run
 * is listed there, its SSE stream relays the CLI's epochs, and it ends as a dashboard run does.
 */

import assert from "node:assert/strict";
import { decodeSafetensors } from "../engine/safetensors.ts";
import { readSse, startTestServer, tinyRun } from "./service_helpers.ts";

Deno.test("deno task train --db stores its run where a dashboard lists it and streams its epochs", async () => {
  const t = await startTestServer();
  const path = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(path, JSON.stringify(tinyRun({ name: "from-cli", epochs: 5 })));
    const child = new Deno.Command(Deno.execPath(), {
      args: ["task", "train", path, "--db", t.dbUrl],
      cwd: new URL("..", import.meta.url),
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const stdout = new Response(child.stdout).text();
    // Its stderr names the run as soon as it is stored; the rest is drained until it exits.
    const stderr = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    let log = "";
    let created: RegExpMatchArray | null = null;
    while (!created) {
      const { value, done } = await stderr.read();
      if (done) break;
      log += value;
      created = log.match(/^Training "from-cli" as run #(\d+) in file:/m);
    }
    assert.ok(created, log);
    const id = Number(created[1]);
    const drained = (async () => {
      for (let chunk; !(chunk = await stderr.read()).done;) log += chunk.value;
    })();
    // The dashboard's stream of a run another process trains: every epoch, then how it ended.
    const sse = await readSse(await fetch(`${t.url}/api/runs/${id}/events`));
    await drained;
    assert.equal((await child.status).code, 0, log);
    assert.deepEqual(sse.filter((e) => e.event === "epoch").map((e) => e.id), [
      "1",
      "2",
      "3",
      "4",
      "5",
    ]);
    assert.equal(JSON.parse(sse.at(-1)!.data).status, "completed");
    const printed = (await stdout).match(/^Test: loss \S+, accuracy (\d+\.\d\d)%/m);
    assert.ok(printed, await stdout);
    const listed = await (await fetch(`${t.url}/api/runs`)).json();
    const row = listed.runs.find((run: { id: number }) => run.id === id);
    assert.equal(row.status, "completed");
    const run = await (await fetch(`${t.url}/api/runs/${id}`)).json();
    assert.equal((100 * run.test.accuracy).toFixed(2), printed[1]);
    assert.equal(run.epochs.length, 5);
    const model = new Uint8Array(
      await (await fetch(`${t.url}/api/runs/${id}/model`)).arrayBuffer(),
    );
    assert.equal(JSON.parse(decodeSafetensors(model).metadata["ajuste.config"]).name, "from-cli");
  } finally {
    await Deno.remove(path);
    await t.close();
  }
});
