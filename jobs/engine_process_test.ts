import assert from "node:assert/strict";
import { defaultDatasetRoots } from "../config/paths.ts";
import { parseRunConfig } from "../config/schema.ts";
import type { WorkerMessage } from "../engine/worker_protocol.ts";
import { tinyRun, waitFor } from "../tests/service_helpers.ts";
import { EngineProcess } from "./engine_process.ts";

function config(overrides: Record<string, unknown> = {}) {
  const parsed = parseRunConfig(tinyRun(overrides));
  assert.ok(parsed.ok);
  return parsed.config;
}

/** Submits `config`; resolves with every message of the job once it has ended. */
function run(engine: EngineProcess, overrides: Record<string, unknown> = {}) {
  const messages: WorkerMessage[] = [];
  const ended = new Promise<WorkerMessage[]>((resolve) => {
    engine.submit(config(overrides), (message) => {
      messages.push(message);
      if (message.type === "finished" || message.type === "failed") resolve(messages);
    });
  });
  return { messages, ended };
}

Deno.test("EngineProcess trains a job in its own process and hands back epochs and weights", async () => {
  const engine = new EngineProcess({ roots: defaultDatasetRoots() });
  try {
    const messages = await run(engine, { epochs: 2 }).ended;
    // Progress (phases, steps of slow epochs) comes between; tests/run_progress_test.ts has it.
    assert.deepEqual(messages.filter((m) => m.type !== "progress").map((m) => m.type), [
      "loaded",
      "started",
      "epoch",
      "epoch",
      "finished",
    ]);
    const end = messages.at(-1)!;
    assert.ok(end.type === "finished" && end.result.status === "completed");
    assert.ok(end.type === "finished" && end.state?.[0].data instanceof Float32Array);
    assert.notEqual(engine.pid, Deno.pid);
  } finally {
    await engine.close();
  }
});

Deno.test("EngineProcess fails the job whose engine dies, and the next job gets a new engine", async () => {
  const engine = new EngineProcess({ roots: defaultDatasetRoots() });
  try {
    const long = run(engine, { epochs: 10_000, batch: { mode: "stochastic" } });
    await waitFor(
      () => Promise.resolve(long.messages.some((m) => m.type === "epoch") || undefined),
      "an epoch",
    );
    const first = engine.pid!;
    Deno.kill(first, "SIGKILL");
    const end = (await long.ended).at(-1)!;
    assert.ok(end.type === "failed");
    assert.match(end.error, /The engine process died of SIGKILL/);
    const next = await run(engine, { epochs: 1 }).ended;
    assert.equal(next.at(-1)?.type, "finished");
    assert.notEqual(engine.pid, first);
  } finally {
    await engine.close();
  }
});

Deno.test("EngineProcess fails a job whose data does not load in time, and frees the engine", async () => {
  const engine = new EngineProcess({ roots: defaultDatasetRoots(), loadTimeoutMs: 1 });
  try {
    const end = (await run(engine).ended).at(-1)!;
    assert.ok(end.type === "failed");
    assert.match(end.error, /Loading the data took longer than 0.001 s; the engine was restarted/);
  } finally {
    await engine.close();
  }
});

Deno.test("EngineProcess.prepare() starts the engine at once, and its first job trains as any", async () => {
  const engine = new EngineProcess({ roots: defaultDatasetRoots() });
  try {
    engine.prepare(["synthetic-binary", "no-such-dataset"]);
    assert.ok(engine.pid !== null, "started before any job");
    const first = engine.pid;
    const end = (await run(engine, { epochs: 1 }).ended).at(-1)!;
    assert.ok(end.type === "finished" && end.result.status === "completed");
    assert.equal(engine.pid, first, "the job ran on the prepared process");
  } finally {
    await engine.close();
  }
});
