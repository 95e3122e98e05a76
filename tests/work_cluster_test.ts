/**
 * The job model across processes, as on several machines: one dashboard that does not train
 * (`--no-train`) and three `deno task work` processes share a libSQL server (sqld). They drain
 * twelve runs and a twelve-trial study while one worker is killed (SIGKILL) mid-run and another
 * is frozen (SIGSTOP) past its lease and then woken: every run is trained to completion exactly
 * once, and the woken worker's late writes are refused.
 */

import assert from "node:assert/strict";
import { type DenoProcess, freePort, killProcess, spawnDeno, untilHealthy } from "./processes.ts";
import { postJson, tinyRun, waitFor, within } from "./service_helpers.ts";
import { sqldAvailable, startSqld } from "./sqld_helpers.ts";

const ENV = { AJUSTE_LEASE_SECONDS: "2" };

type Run = {
  id: number;
  status: string;
  attempt: number;
  owner: string | null;
  reservedFor: string | null;
  epochsPlanned: number;
  epochs: { epoch: number }[];
};

Deno.test({
  name: "three workers and a --no-train dashboard on sqld drain 12 runs and a 12-trial study " +
    "through a SIGKILL and a SIGSTOP past the lease",
  ignore: !sqldAvailable,
  async fn() {
    const sqld = await startSqld();
    const port = freePort();
    const url = `http://127.0.0.1:${port}`;
    const procs: DenoProcess[] = [];
    const get = async <T>(path: string): Promise<T> => await (await fetch(`${url}${path}`)).json();
    try {
      const args = ["main.ts", "--no-train", "--port", String(port), "--db", sqld.url];
      procs.push(spawnDeno(args, "dashboard", ENV));
      await untilHealthy(url);
      const workers = [0, 1, 2].map((i) =>
        spawnDeno(["cli/work.ts", "--db", sqld.url], `worker ${i}`, ENV)
      );
      procs.push(...workers);
      await Promise.all(workers.map((w) => w.output.untilStderr(/training queued runs/)));

      const runIds: number[] = [];
      for (let i = 0; i < 12; i++) {
        const body = tinyRun({ name: `drain-${i}`, epochs: 40, batch: { mode: "stochastic" } });
        const created = await postJson(`${url}/api/runs`, body);
        assert.equal(created.status, 201);
        runIds.push((await created.json()).id);
      }
      const study = await postJson(`${url}/api/studies`, {
        name: "drain-study",
        trials: 12,
        sampler: { type: "random", seed: 3 },
        pruner: { type: "none" },
        base: tinyRun({ name: undefined, epochs: 6, batch: { mode: "stochastic" } }),
        space: { "optimizer.lr": { type: "float", low: 1e-3, high: 1e-1, log: true } },
      });
      assert.equal(study.status, 201);
      const studyId = (await study.json()).id;

      /**
       * A worker of `among` training a plain run's first attempt with at most half its epochs
       * stored, frozen
       * (SIGSTOP) and checked again: a frozen worker with half its run to train cannot finish it,
       * whatever writes it had in flight, so the run is surely lost with it.
       */
      const frozenMidRun = async (among: DenoProcess[]) => {
        const runs = await Promise.all(runIds.map((id) => get<Run>(`/api/runs/${id}`)));
        for (const run of runs) {
          const stored = run.epochs.length;
          // A first attempt: a run that died once already would be failed by a second death.
          if (run.status !== "running" || run.attempt !== 1 || stored === 0 || stored > 20) {
            continue;
          }
          const worker = among.find((w) => run.owner?.includes(`:${w.child.pid}:`));
          if (!worker) continue;
          worker.child.kill("SIGSTOP");
          const again = await get<Run>(`/api/runs/${run.id}`);
          if (
            again.status === "running" && again.owner === run.owner && again.epochs.length <= 20
          ) {
            return { worker, run };
          }
          worker.child.kill("SIGCONT");
        }
        return undefined;
      };

      // One worker dies mid-run.
      const killed = await waitFor(() => frozenMidRun(workers), "a worker to train a run");
      killed.worker.child.kill("SIGKILL");
      await killed.worker.output.finished;

      // Another is frozen past its lease: its run is settled and trained by someone else.
      const alive = workers.filter((w) => w !== killed.worker);
      const frozen = await waitFor(() => frozenMidRun(alive), "another worker to train a run");
      await waitFor(
        async () => {
          const run = await get<Run>(`/api/runs/${frozen.run.id}`);
          return run.attempt > frozen.run.attempt || undefined;
        },
        "the frozen worker's run to be claimed again",
        60_000,
      );
      frozen.worker.child.kill("SIGCONT");
      await within(
        frozen.worker.output.untilStderr(/lease expired before this process renewed it/),
        "the woken worker to find its lease gone",
      );

      const done = await waitFor(
        async () => {
          const runs = await Promise.all(runIds.map((id) => get<Run>(`/api/runs/${id}`)));
          return runs.every((run) => run.status === "completed") ? runs : undefined;
        },
        "every run to complete",
        120_000,
      );
      for (const run of done) {
        assert.deepEqual(
          run.epochs.map((e) => e.epoch),
          Array.from({ length: 40 }, (_, i) => i + 1),
          `run ${run.id}: every epoch once`,
        );
      }
      assert.equal(done.find((r) => r.id === killed.run.id)?.attempt, 2, "the killed one again");
      assert.equal(done.find((r) => r.id === frozen.run.id)?.attempt, 2, "the frozen one again");

      const finished = await waitFor(
        async () => {
          const s = await get<{ status: string; trials: { state: string; runId: number }[] }>(
            `/api/studies/${studyId}`,
          );
          return s.status === "completed" ? s : undefined;
        },
        "the study to complete",
        120_000,
      );
      assert.equal(finished.trials.filter((t) => t.state === "COMPLETE").length, 12);
      for (const trial of finished.trials.filter((t) => t.state === "COMPLETE")) {
        const run = await get<Run>(`/api/runs/${trial.runId}`);
        assert.equal(run.status, "completed");
        assert.equal(run.owner, run.reservedFor, "each trial's run trained by its trial's worker");
      }
    } finally {
      for (const proc of procs) await killProcess(proc);
      await sqld.stop();
    }
  },
});
