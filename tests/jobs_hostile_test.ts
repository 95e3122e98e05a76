/**
 * Work that slipped past admission, or that the queue should not take: a dataset file turned into
 * a FIFO after it was admitted fails its run only and frees the engine; a CSV's bad cell is
 * reported by line and column without its contents; a full queue answers 429.
 */

import assert from "node:assert/strict";
import { parseJobLimits } from "../config/job_limits.ts";
import { occupyEngine, postJson, startTestServer, tinyRun, waitFor } from "./service_helpers.ts";

type Run = { status: string; error: string | null };

async function runOf(url: string, id: number): Promise<Run> {
  return await (await fetch(`${url}/api/runs/${id}`)).json();
}

async function until(url: string, id: number, status: string): Promise<Run> {
  return await waitFor(async () => {
    const run = await runOf(url, id);
    return run.status === status ? run : undefined;
  }, `run ${id} to be ${status}`);
}

const csvRun = (path: string) =>
  tinyRun({
    name: "csv",
    epochs: 1,
    data: { dataset: `csv:${path}`, normalize: null, split: { train: 0.8, dev: 0.1, test: 0.1 } },
  });

Deno.test("a dataset that became a FIFO after admission fails its run only, and the engine goes on", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/table.csv`;
  await Deno.writeTextFile(path, "1,2,0\n3,4,1\n5,6,0\n7,8,1\n9,10,0\n11,12,1\n13,14,0\n15,16,1\n");
  const t = await startTestServer();
  try {
    const blocker = await occupyEngine(t.url);
    const created = await postJson(`${t.url}/api/runs`, csvRun(path));
    assert.equal(created.status, 201, "a regular file is admitted");
    const { id } = await created.json();
    const after = (await (await postJson(`${t.url}/api/runs`, tinyRun({ epochs: 1 }))).json()).id;
    // Swapped for a FIFO while queued: nobody will ever write to it.
    await Deno.remove(path);
    await new Deno.Command("mkfifo", { args: [path] }).output();
    await blocker.release();
    const failed = await until(t.url, id, "failed");
    assert.match(failed.error ?? "", /is a FIFO, not a regular file/);
    await until(t.url, after, "completed");
  } finally {
    await t.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a CSV's bad cell fails the run by line and column, never quoting the file", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/secret.csv`;
  await Deno.writeTextFile(path, "1,2,0\n3,4,1\n5,hunter2-password,0\n7,8,1\n");
  const t = await startTestServer();
  try {
    const { id } = await (await postJson(`${t.url}/api/runs`, csvRun(path))).json();
    const failed = await until(t.url, id, "failed");
    assert.match(failed.error ?? "", /line 3 column 2 is not a number/);
    assert.ok(!failed.error?.includes("hunter2"), failed.error ?? "");
  } finally {
    await t.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a full queue answers 429 with Retry-After and how full it is, and writes nothing", async () => {
  const limits = { ...parseJobLimits({}), maxQueued: 2 };
  const t = await startTestServer(undefined, { limits });
  try {
    const blocker = await occupyEngine(t.url);
    for (let i = 0; i < 2; i++) {
      assert.equal((await postJson(`${t.url}/api/runs`, tinyRun())).status, 201);
    }
    const refused = await postJson(`${t.url}/api/runs`, tinyRun({ name: "one too many" }));
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get("Retry-After"), "60");
    const body = await refused.json();
    assert.deepEqual({ queued: body.queued, limit: body.limit }, { queued: 2, limit: 2 });
    assert.match(body.error, /The queue holds 2 runs, its limit/);
    const names = (await (await fetch(`${t.url}/api/runs`)).json()).runs.map((
      r: Run & { name: string },
    ) => r.name);
    assert.ok(!names.includes("one too many"));
    await blocker.release();
  } finally {
    await t.close();
  }
});

/** Processes whose parent is this one and whose command line names `entry`. */
function childrenRunning(entry: string): number[] {
  const pids: number[] = [];
  for (const { name } of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${name}/stat`);
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const command = Deno.readTextFileSync(`/proc/${name}/cmdline`);
      if (parent === Deno.pid && command.includes(entry)) pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

Deno.test({
  name: "an engine that dies mid-run (as out of memory would kill it) fails that run only; " +
    "the server answers throughout and trains the next run on a new engine",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const t = await startTestServer();
    try {
      const long = tinyRun({ name: "victim", epochs: 10_000, batch: { mode: "stochastic" } });
      const { id } = await (await postJson(`${t.url}/api/runs`, long)).json();
      await waitFor(async () => {
        const run = await (await fetch(`${t.url}/api/runs/${id}`)).json();
        return run.epochs.length > 0 || undefined;
      }, "the victim's first epoch");
      // This server's own engine: test files running in parallel share this process, and the
      // other servers' engines are its children too.
      const engine = t.server.enginePid();
      assert.ok(engine, "the engine runs in a process of its own");
      assert.ok(childrenRunning("engine_process_main.ts").includes(engine));
      Deno.kill(engine, "SIGKILL");
      assert.equal((await fetch(`${t.url}/api/health`)).status, 200);
      const failed = await until(t.url, id, "failed");
      assert.match(failed.error ?? "", /The engine process died of SIGKILL/);
      const next = (await (await postJson(`${t.url}/api/runs`, tinyRun())).json()).id;
      await until(t.url, next, "completed");
      assert.notEqual(t.server.enginePid(), engine, "a new engine process");
      assert.ok(!childrenRunning("engine_process_main.ts").includes(engine));
    } finally {
      await t.close();
    }
  },
});

Deno.test("the new-run form says, as it is edited, that a model would not fit in memory", async () => {
  const limits = { ...parseJobLimits({}), memoryBudgetBytes: 2 ** 30 };
  const t = await startTestServer(undefined, { limits });
  try {
    const fields = new URLSearchParams({
      name: "huge",
      "data.dataset": "mnist",
      "model.layers.0.units": "8192",
      "model.layers.1.units": "8192",
      "model.layers.2.units": "8192",
      "optimizer.type": "adam",
      "optimizer.betas.0": "0.9",
      "optimizer.betas.1": "0.999",
      "batch.size": "128",
      epochs: "1",
      device: "cpu",
    });
    const response = await fetch(`${t.url}/runs/new/validate`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true" },
      body: fields,
    });
    assert.equal(response.status, 200);
    const html = await response.text();
    assert.match(html, /This run needs about [\d.]+ GiB/);
    assert.match(html, /over the 1 GiB a run may take on this server/);
  } finally {
    await t.close();
  }
});
