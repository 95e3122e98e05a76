/**
 * Failures a user will meet: the server killed mid-run (it resumes from its checkpoint), and a
 * trial whose config diverges.
 */

import assert from "node:assert/strict";
import { freePort, spawnChild, untilHealthy, watchOutput } from "./processes.ts";
import { postJson, readSse, tinyRun, waitFor } from "./service_helpers.ts";
import { and, eq } from "drizzle-orm";
import { openDb } from "../db/client.ts";
import { runCheckpoints, runEpochs } from "../db/schema.ts";

const root = new URL("..", import.meta.url);

/** `deno task start` as its own process, as a user runs it; its output read when `watched`. */
async function startServerProcess(db: string, port: number, watched = false) {
  const child = spawnChild(
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "main.ts", "--port", String(port), "--db", db],
      cwd: root,
      // A short lease, so a restart finds the dead server's claim run out at once.
      env: {
        NO_COLOR: "1",
        XDG_RUNTIME_DIR: "/tmp",
        AJUSTE_LEASE_SECONDS: "1",
        // A checkpoint after every epoch, so the one killed mid-run has one to resume from.
        AJUSTE_CHECKPOINT_SECONDS: "0",
      },
      stdout: watched ? "piped" : "null",
      stderr: watched ? "piped" : "null",
    }),
    "ajuste server",
  );
  const output = watched ? watchOutput(child) : null;
  const url = `http://127.0.0.1:${port}`;
  try {
    await untilHealthy(url);
  } catch (error) {
    child.kill("SIGKILL");
    await child.status;
    throw error;
  }
  return { child, url, output };
}

Deno.test("SIGKILL of the server mid-run: after restart the run resumes from its last checkpoint and ends as if never stopped", async () => {
  const dir = await Deno.makeTempDir();
  const db = `file:${dir}/ajuste.db`;
  const port = freePort();
  let server = await startServerProcess(db, port);
  try {
    const done =
      (await (await postJson(`${server.url}/api/runs`, tinyRun({ name: "done" }))).json()).id;
    await readSse(await fetch(`${server.url}/api/runs/${done}/events`));
    const before = await (await fetch(`${server.url}/api/runs/${done}`)).json();
    const long = tinyRun({ name: "long", epochs: 100, batch: { mode: "stochastic" } });
    // The same run, trained without a stop: what the interrupted one must end as.
    const twin = (await (await postJson(`${server.url}/api/runs`, long)).json()).id;
    await readSse(await fetch(`${server.url}/api/runs/${twin}/events`));
    const id = (await (await postJson(`${server.url}/api/runs`, long)).json()).id;
    await readSse(
      await fetch(`${server.url}/api/runs/${id}/events`),
      (e) => e.event === "epoch" && Number(e.id) >= 3,
    );
    server.child.kill("SIGKILL");
    await server.child.status;

    // Marks the stored first epoch: a resumed run keeps it, one trained again rewrites it.
    const { db: client, close } = await openDb({ url: db });
    let saved: number;
    try {
      const [row] = await client.select({ epoch: runCheckpoints.epoch }).from(runCheckpoints)
        .where(eq(runCheckpoints.runId, id));
      saved = row.epoch;
      await client.update(runEpochs).set({ seconds: -1 })
        .where(and(eq(runEpochs.runId, id), eq(runEpochs.epoch, 1)));
    } finally {
      close();
    }
    assert.ok(saved >= 2, `a checkpoint after epoch ${saved}`);

    server = await startServerProcess(db, port, true);
    const run = await waitFor(async () => {
      const run = await (await fetch(`${server.url}/api/runs/${id}`)).json();
      return run.status === "completed" ? run : undefined;
    }, "the run to be trained again");
    assert.equal(run.attempt, 2, "claimed once more after its first trainer died");

    assert.deepEqual(
      run.epochs.map((e: { epoch: number }) => e.epoch),
      Array.from({ length: 100 }, (_, i) => i + 1),
      "every epoch once",
    );
    assert.equal(run.epochs[0].seconds, -1, "epochs before the checkpoint kept, not retrained");
    const expected = await (await fetch(`${server.url}/api/runs/${twin}`)).json();
    const curve = (r: { epochs: { trainLoss: number; devLoss: number }[] }) =>
      r.epochs.map((e) => [e.trainLoss, e.devLoss]);
    assert.deepEqual(curve(run), curve(expected), "the same curve as the run never stopped");
    assert.deepEqual(run.test, expected.test, "the same test metrics, to the bit");
    const weights = async (runId: number) =>
      new Uint8Array(await (await fetch(`${server.url}/api/runs/${runId}/model`)).arrayBuffer());
    const [a, b] = [await weights(id), await weights(twin)];
    assert.deepEqual(tensorBytes(a), tensorBytes(b), "the same weights, to the bit");
    assert.deepEqual(await (await fetch(`${server.url}/api/runs/${done}`)).json(), before);
    const list = await (await fetch(`${server.url}/api/runs`)).json();
    assert.equal(list.runs.length, 3);
    server.child.kill("SIGTERM");
    const { stdout } = await server.output!.finished;
    assert.match(
      stdout,
      new RegExp(`run ${id} "long" claimed \\(attempt 2\\), resuming after epoch ${saved}`),
    );
  } finally {
    try {
      server.child.kill("SIGKILL");
    } catch {
      // already ended
    }
    await server.child.status;
    await Deno.remove(dir, { recursive: true });
  }
});

/** A safetensors file's tensor data, without its header (whose metadata names the run). */
function tensorBytes(file: Uint8Array): Uint8Array {
  const headerLength = Number(new DataView(file.buffer).getBigUint64(0, true));
  return file.subarray(8 + headerLength);
}

Deno.test("SIGKILL of the server mid-study: after restart the study carries on and ends with its trials, the lost one re-queued", async () => {
  const dir = await Deno.makeTempDir();
  const db = `file:${dir}/ajuste.db`;
  const port = freePort();
  let server = await startServerProcess(db, port);
  const get = async (path: string) => await (await fetch(`${server.url}${path}`)).json();
  try {
    const created = await postJson(`${server.url}/api/studies`, {
      name: "crash",
      trials: 3,
      sampler: { type: "random", seed: 1 },
      pruner: { type: "none" },
      base: tinyRun({ name: undefined, epochs: 30, batch: { mode: "stochastic" } }),
      space: { "optimizer.lr": { type: "float", low: 1e-3, high: 1e-1, log: true } },
    });
    assert.equal(created.status, 201);
    const { id } = await created.json();
    const lost = await waitFor(async () => {
      const study = await get(`/api/studies/${id}`);
      for (const trial of study.trials) {
        if (trial.runId === null || trial.state !== "RUNNING") continue;
        const run = await get(`/api/runs/${trial.runId}`);
        if (run.epochs.length >= 1 && run.epochs.length <= 15) return { trial, run };
      }
      return undefined;
    }, "a trial in training");
    server.child.kill("SIGKILL");
    await server.child.status;

    server = await startServerProcess(db, port, true);
    const study = await waitFor(
      async () => {
        const study = await get(`/api/studies/${id}`);
        return study.status === "completed" ? study : undefined;
      },
      "the study to carry on after the restart and complete",
      60_000,
    );
    const states = study.trials.map((t: { state: string }) => t.state);
    assert.equal(states.filter((s: string) => s === "COMPLETE").length, 3, states.join(", "));
    const retried = study.trials.find((t: { number: number }) => t.number === lost.trial.number);
    assert.equal(retried.state, "FAIL", "the trial lost with the server");
    const lostRun = await get(`/api/runs/${lost.run.id}`);
    assert.equal(lostRun.status, "interrupted", "its run was not trained as a plain run");
    for (const trial of study.trials.filter((t: { state: string }) => t.state === "COMPLETE")) {
      const run = await get(`/api/runs/${trial.runId}`);
      assert.equal(run.owner, run.reservedFor, "each trial's run trained by its trial's worker");
    }
    server.child.kill("SIGTERM");
    const { stdout } = await server.output!.finished;
    assert.match(stdout, new RegExp(`study ${id} "crash": working on its trials here`));
    assert.match(stdout, new RegExp(`study ${id} "crash" finished`));
  } finally {
    try {
      server.child.kill("SIGKILL");
    } catch {
      // already ended
    }
    await server.child.status;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a diverging trial (lr 1e3) fails with its reason and the study carries on", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const studyFile = {
      name: "diverge",
      trials: 2,
      sampler: { type: "grid" },
      pruner: { type: "none" },
      base: {
        epochs: 2,
        device: "cpu",
        optimizer: { type: "sgd" },
        data: { dataset: "synthetic-binary", split: { train: 0.8, dev: 0.1, test: 0.1 } },
      },
      space: { "optimizer.lr": { type: "categorical", choices: [1000, 0.01] } },
    };
    await Deno.writeTextFile(`${dir}/study.json`, JSON.stringify(studyFile));
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "cli/tune.ts", `${dir}/study.json`, "--db", `file:${dir}/t.db`, "--json"],
      cwd: root,
      env: { NO_COLOR: "1", XDG_RUNTIME_DIR: "/tmp" },
    }).output();
    assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
    const report = JSON.parse(new TextDecoder().decode(output.stdout));
    const byLr = new Map(
      report.trials.map((t: { params: Record<string, number> }) => [t.params["optimizer.lr"], t]),
    );
    const diverged = byLr.get(1000) as { state: string; failReason: string };
    assert.equal(diverged.state, "FAIL");
    assert.match(diverged.failReason, /diverged: Loss became NaN or infinite at epoch 1, step \d+/);
    assert.equal((byLr.get(0.01) as { state: string }).state, "COMPLETE");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
