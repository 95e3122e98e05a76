/**
 * Tune workers in separate processes sharing one libSQL server (sqld), and what happens when a
 * worker or the server dies under them.
 */

import assert from "node:assert/strict";
import { openDb } from "../db/client.ts";
import { getRun } from "../db/runs.ts";
import { getStudyByName } from "../db/studies.ts";
import { LibsqlStorage } from "../db/tuner_storage.ts";
import { spawnChild, watchOutput } from "./processes.ts";
import { startTestServer, waitFor, within } from "./service_helpers.ts";
import { sqldAvailable, startSqld } from "./sqld_helpers.ts";

const root = new URL("..", import.meta.url);

function spawnTune(args: string[]): Deno.ChildProcess {
  return spawnChild(
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "cli/tune.ts", ...args],
      cwd: root,
      env: { NO_COLOR: "1", XDG_RUNTIME_DIR: "/tmp" },
      stdout: "piped",
      stderr: "piped",
    }),
    "deno task tune",
  );
}

async function finish(child: Deno.ChildProcess) {
  const output = await child.output();
  return { code: output.code, stderr: new TextDecoder().decode(output.stderr) };
}

function study(name: string, trials: number, epochs: number) {
  return {
    name,
    trials,
    // Each worker one trial at a time: a killed worker loses exactly the one it trained.
    parallel: 1,
    sampler: { type: "random", seed: 7 },
    pruner: { type: "none" },
    base: {
      epochs,
      device: "cpu",
      batch: { mode: "stochastic" },
      data: { dataset: "synthetic-binary", split: { train: 0.8, dev: 0.1, test: 0.1 } },
      model: { layers: [{ units: 8 }] },
    },
    space: { "optimizer.lr": { type: "float", low: 1e-3, high: 1e-1, log: true } },
  };
}

Deno.test({
  name:
    "4 tune workers and a dashboard on sqld: one worker killed mid-trial, its trial re-queued, its run never trained by the dashboard, the study ends with exactly N complete",
  ignore: !sqldAvailable,
  async fn() {
    const sqld = await startSqld();
    const dir = await Deno.makeTempDir();
    const { db, close } = await openDb({ url: sqld.url });
    // A dashboard that trains: it must never take a worker's trial run for a plain run.
    const dashboard = await startTestServer(sqld.url);
    try {
      const epochs = 30;
      await Deno.writeTextFile(
        `${dir}/study.json`,
        JSON.stringify(study("four-workers", 8, epochs)),
      );
      const args = [`${dir}/study.json`, "--db", sqld.url, "--heartbeat", "1", "--json"];
      // The victim starts alone, and is killed mid-trial: frozen (SIGSTOP) while its trial has
      // reported at most half of its epochs, it cannot finish that trial, whatever writes it
      // still had in flight, so its SIGKILL always loses a trial to recover.
      const victim = spawnTune(args);
      const storage = new LibsqlStorage(db);
      const owner = `${Deno.hostname()}:${victim.pid}:`;
      const victimsTrial = async () => {
        const row = await getStudyByName(db, "four-workers");
        const running = row ? await storage.getAllTrials(row.id, ["RUNNING"]) : [];
        return running.find((t) =>
          String(t.systemAttrs.worker).startsWith(owner) &&
          typeof t.userAttrs.runId === "number" &&
          t.intermediateValues.size <= epochs / 2
        );
      };
      const deadline = Date.now() + 60_000;
      let killedTrial: number | null = null;
      while (killedTrial === null && Date.now() < deadline) {
        if (await victimsTrial()) {
          victim.kill("SIGSTOP");
          const mine = await victimsTrial();
          if (mine) {
            victim.kill("SIGKILL");
            killedTrial = mine.number;
            break;
          }
          victim.kill("SIGCONT");
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      const survivors = Array.from({ length: 3 }, () => spawnTune(args));
      assert.notEqual(killedTrial, null, "the victim started a trial");
      await victim.status;
      await victim.stdout.cancel();
      await victim.stderr.cancel();
      for (const worker of survivors) {
        const { code, stderr } = await finish(worker);
        assert.equal(code, 0, stderr);
      }
      const row = (await getStudyByName(db, "four-workers"))!;
      const trials = await storage.getAllTrials(row.id);
      assert.equal(trials.filter((t) => t.state === "COMPLETE").length, 8);
      const failed = trials.filter((t) => t.state === "FAIL");
      assert.deepEqual(failed.map((t) => t.number), [killedTrial]);
      assert.match(String(failed[0].systemAttrs.fail_reason), /no heartbeat/);
      const retry = trials.find((t) => t.systemAttrs.retry_of === killedTrial)!;
      assert.equal(retry.state, "COMPLETE");
      assert.deepEqual(retry.params, failed[0].params, "the retry ran the same parameters");
      const lostRun = await getRun(db, failed[0].userAttrs.runId as number);
      assert.equal(lostRun?.status, "interrupted");
      assert.ok((lostRun?.epochs.length ?? 0) < epochs, "nobody trained it to the end");
      assert.ok(lostRun?.owner?.startsWith(owner), "only its trial's worker ever claimed it");
      assert.equal(
        new Set(trials.map((t) => t.number)).size,
        trials.length,
        "no number handed out twice",
      );
    } finally {
      await dashboard.close();
      close();
      await sqld.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "tune workers ride out a sqld restart: they retry with backoff and finish the study",
  ignore: !sqldAvailable,
  async fn() {
    const sqld = await startSqld();
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(`${dir}/study.json`, JSON.stringify(study("restart", 6, 40)));
      const args = [`${dir}/study.json`, "--db", sqld.url, "--heartbeat", "5", "--json"];
      const workers = [spawnTune(args), spawnTune(args)].map(watchOutput);
      const { db, close } = await openDb({ url: sqld.url });
      try {
        // Down while trials are still to come, so the workers have writes to make meanwhile.
        const storage = new LibsqlStorage(db);
        await waitFor(
          async () => {
            const row = await getStudyByName(db, "restart");
            const complete = row ? (await storage.getAllTrials(row.id, ["COMPLETE"])).length : 0;
            return (complete >= 1 && complete < 6) || undefined;
          },
          "a first trial to complete",
          60_000,
        );
      } finally {
        close();
      }
      await sqld.kill();
      await within(
        Promise.race(workers.map((w) => w.untilStderr(/database unreachable/))),
        "a worker to notice the outage",
      );
      await sqld.restart();
      const results = await Promise.all(workers.map((w) => w.finished));
      for (const { code, stderr } of results) {
        assert.equal(code, 0, stderr);
      }
      assert.ok(
        results.some((r) => /database reachable again/.test(r.stderr)),
        `a worker saw the database come back; their stderr:\n${
          results.map((r) => r.stderr).join("\n---\n")
        }`,
      );
      const after = await openDb({ url: sqld.url });
      const row = (await getStudyByName(after.db, "restart"))!;
      const trials = await new LibsqlStorage(after.db).getAllTrials(row.id);
      after.close();
      assert.equal(trials.filter((t) => t.state === "COMPLETE").length, 6);
    } finally {
      await sqld.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
