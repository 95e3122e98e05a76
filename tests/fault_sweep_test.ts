/**
 * A randomized fault sweep over the job model: a dashboard that does not train (`--no-train`)
 * and a `deno task work` process share one database; each round queues a run or a study, kills
 * the worker, the dashboard or both with SIGKILL at a random moment of training, restarts them,
 * and checks what a user of a job system relies on:
 *
 * - the run is trained to completion exactly once: every epoch stored once, from one attempt;
 * - a study ends with exactly its trials complete, each trial's run trained by the worker that
 *   held the trial (no trial run trained as a plain run, or by anyone else);
 * - nothing that was committed before the kill changed;
 * - once the work is done, no run is left `running` or `queued`.
 *
 * The seed is printed with every failure; `AJUSTE_FAULT_SEED=N` replays a sweep.
 */

import assert from "node:assert/strict";
import { Rng } from "../engine/random.ts";
import { type DenoProcess, freePort, killProcess, spawnDeno, untilHealthy } from "./processes.ts";
import { postJson, tinyRun, waitFor } from "./service_helpers.ts";

const ROUNDS = 20;
const ENV = { AJUSTE_LEASE_SECONDS: "2" };

type Run = {
  id: number;
  name: string;
  status: string;
  attempt: number;
  owner: string | null;
  reservedFor: string | null;
  error: string | null;
  epochsPlanned: number;
  epochs: { epoch: number }[];
};
type Trial = { number: number; state: string; runId: number | null; worker?: string };

Deno.test({
  name: `${ROUNDS} rounds of SIGKILL at random moments: every run trained once, every study whole`,
  async fn() {
    const seed = Number(Deno.env.get("AJUSTE_FAULT_SEED") ?? Date.now() % 2 ** 31);
    const rng = new Rng(seed);
    const dir = await Deno.makeTempDir({ prefix: "ajuste-faults-" });
    const db = `file:${dir}/ajuste.db`;
    const port = freePort();
    const url = `http://127.0.0.1:${port}`;
    let dashboard: DenoProcess | null = null;
    let worker: DenoProcess | null = null;
    const startDashboard = async () => {
      const args = ["main.ts", "--no-train", "--port", String(port), "--db", db];
      dashboard = spawnDeno(args, "dashboard", ENV);
      await untilHealthy(url);
    };
    const startWorker = async () => {
      worker = spawnDeno(["cli/work.ts", "--db", db], "deno task work", ENV);
      await worker.output.untilStderr(/training queued runs/);
    };
    const get = async <T>(path: string): Promise<T> => await (await fetch(`${url}${path}`)).json();
    const committed = new Map<number, string>();
    const facts: string[] = [];
    try {
      await startDashboard();
      await startWorker();
      for (let round = 1; round <= ROUNDS; round++) {
        const where = `seed ${seed}, round ${round}`;
        const study = rng.uniform() < 0.35;
        let runIds: () => Promise<number[]>;
        let studyId: number | null = null;
        if (study) {
          const created = await postJson(`${url}/api/studies`, {
            name: `sweep-${round}`,
            trials: 2,
            sampler: { type: "random", seed: round },
            pruner: { type: "none" },
            base: tinyRun({ name: undefined, epochs: 8, batch: { mode: "stochastic" } }),
            space: { "optimizer.lr": { type: "float", low: 1e-3, high: 1e-1, log: true } },
          });
          assert.equal(created.status, 201, `${where}: ${await created.clone().text()}`);
          studyId = (await created.json()).id;
          runIds = async () =>
            (await get<{ trials: Trial[] }>(`/api/studies/${studyId}`)).trials
              .flatMap((t) => t.runId === null ? [] : [t.runId]);
        } else {
          const epochs = 20 + rng.int(40);
          const body = tinyRun({ name: `sweep-${round}`, epochs, batch: { mode: "stochastic" } });
          const created = await postJson(`${url}/api/runs`, body);
          assert.equal(created.status, 201, where);
          const id = (await created.json()).id as number;
          runIds = () => Promise.resolve([id]);
        }
        // Kill at a random moment once training is under way.
        await waitFor(
          async () => {
            for (const id of await runIds()) {
              if ((await get<Run>(`/api/runs/${id}`)).epochs.length > 0) return true;
            }
            return undefined;
          },
          `${where}: training to start`,
          60_000,
        );
        await new Promise((resolve) => setTimeout(resolve, rng.int(400)));
        const target = ["worker", "dashboard", "both"][rng.int(3)];
        facts.push(`round ${round}: ${study ? "study" : "run"}, killed ${target}`);
        if (target !== "dashboard") await killProcess(worker);
        if (target !== "worker") await killProcess(dashboard);
        if (target !== "dashboard") await startWorker();
        if (target !== "worker") await startDashboard();

        if (studyId !== null) {
          const done = await waitFor(
            async () => {
              const s = await get<{ status: string; trials: Trial[] }>(`/api/studies/${studyId}`);
              return s.status === "completed" ? s : undefined;
            },
            `${where}: the study to complete`,
            90_000,
          );
          const complete = done.trials.filter((t) => t.state === "COMPLETE");
          assert.equal(complete.length, 2, `${where}: exactly its trials complete`);
          for (const trial of done.trials) {
            if (trial.runId === null) continue;
            const run = await get<Run>(`/api/runs/${trial.runId}`);
            assert.ok(
              run.reservedFor !== null,
              `${where}: trial ${trial.number}'s run is reserved`,
            );
            if (trial.state === "COMPLETE") {
              assert.equal(run.status, "completed", `${where}: trial ${trial.number}'s run`);
              assert.equal(run.owner, run.reservedFor, `${where}: trained by the trial's worker`);
            } else {
              assert.notEqual(
                run.status,
                "completed",
                `${where}: a failed trial's run did not end well`,
              );
            }
          }
        }
        for (const id of await runIds()) {
          const run = await waitFor(
            async () => {
              const run = await get<Run>(`/api/runs/${id}`);
              return ["completed", "interrupted", "cancelled"].includes(run.status)
                ? run
                : undefined;
            },
            `${where}: run ${id} to end`,
            90_000,
          );
          if (studyId === null) {
            assert.equal(run.status, "completed", `${where}: ${JSON.stringify(run.error)}`);
            assert.deepEqual(
              run.epochs.map((e) => e.epoch),
              Array.from({ length: run.epochsPlanned }, (_, i) => i + 1),
              `${where}: every epoch once`,
            );
            assert.ok(run.attempt <= 2, `${where}: attempt ${run.attempt}`);
          }
          committed.set(id, JSON.stringify(run));
        }
        // Nothing committed earlier changed, and nothing is left in flight.
        for (const [id, before] of committed) {
          assert.equal(
            JSON.stringify(await get<Run>(`/api/runs/${id}`)),
            before,
            `${where}: run ${id}`,
          );
        }
        const all = (await get<{ runs: Run[] }>("/api/runs?limit=1000")).runs;
        assert.deepEqual(
          all.filter((r) => r.status === "running" || r.status === "queued").map((r) => r.id),
          [],
          `${where}: nothing left running or queued`,
        );
      }
    } catch (error) {
      throw new Error(`${(error as Error).message}\n(${facts.join("; ")})`, { cause: error });
    } finally {
      await killProcess(worker);
      await killProcess(dashboard);
      await Deno.remove(dir, { recursive: true });
    }
    console.log(`fault sweep (seed ${seed}): ${facts.join("; ")}`);
  },
});
