import assert from "node:assert/strict";
import { eq, sql } from "drizzle-orm";
import { runs } from "../db/schema.ts";
import { defaultDatasetRoots } from "../config/paths.ts";
import { parseRunConfig } from "../config/schema.ts";
import { type Db, openDb } from "../db/client.ts";
import { getRun } from "../db/runs.ts";
import type { RunConfig } from "../engine/spec.ts";
import { EngineHost, type JobListener } from "../engine/worker_host.ts";
import { tinyRun, waitFor } from "../tests/service_helpers.ts";
import { QueueFull, RunService } from "./run_service.ts";

/** The engine host, noting each epoch the worker trained (whether or not the service kept it). */
class WatchedHost extends EngineHost {
  trained: number[] = [];
  /** Called as the service tells the engine to stop a job, before the engine hears it. */
  onCancel: (() => void) | null = null;

  override cancel(jobId: number): void {
    this.onCancel?.();
    super.cancel(jobId);
  }

  override submit(config: RunConfig, listener: JobListener, options?: { gated?: boolean }) {
    return super.submit(config, (message) => {
      if (message.type === "epoch") this.trained.push(message.record.epoch);
      return listener(message);
    }, options);
  }
}

async function withService(
  body: (service: RunService, db: Db, host: WatchedHost) => Promise<void>,
): Promise<void> {
  const { db, close } = await openDb({ url: ":memory:" });
  const host = new WatchedHost(defaultDatasetRoots());
  const service = new RunService(db, { engine: host, pollMs: 20 });
  try {
    await body(service, db, host);
  } finally {
    await service.shutdown();
    close();
  }
}

function config(epochs: number) {
  const parsed = parseRunConfig(tinyRun({ epochs }));
  assert.ok(parsed.ok);
  return parsed.config;
}

/**
 * Resolves when no run is left, or fails the test after `ms` (a worker left waiting). Generous:
 * the first engine worker of a test process is type-checked as it starts, which took over 20 s
 * on a loaded 2-core machine.
 */
async function idle(service: RunService, ms = 90_000): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`runs still going after ${ms} ms`)), ms);
  });
  try {
    await Promise.race([service.whenIdle(), late]);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("a verdict on an epoch prunes its run before the worker trains the next", async () => {
  await withService(async (service, db, host) => {
    const judged: number[] = [];
    const id = await service.create(config(6), undefined, async (epoch) => {
      judged.push(epoch.epoch);
      await new Promise((resolve) => setTimeout(resolve, 20)); // a pruner reading its storage
      return epoch.epoch === 2 ? "Pruned after epoch 2" : null;
    });
    const ends: string[] = [];
    service.events.subscribe(id, (event) => {
      if (event.type === "status") ends.push(`${event.status}: ${event.error}`);
      if (event.type === "done") ends.push(`done ${event.status}`);
    });
    await idle(service);
    assert.deepEqual(judged, [1, 2]);
    assert.deepEqual(host.trained, [1, 2], "the worker waited for each verdict");
    const run = await getRun(db, id);
    assert.equal(run?.status, "pruned");
    assert.equal(run?.error, "Pruned after epoch 2");
    assert.deepEqual(run?.epochs.map((e) => e.epoch), [1, 2]);
    assert.deepEqual(ends.slice(-2), ["pruned: Pruned after epoch 2", "done pruned"]);
  });
});

Deno.test("a user's Cancel of a pruned run leaves it pruned, with the pruner's reason", async () => {
  await withService(async (service, db, host) => {
    const id = await service.create(config(6), undefined, (epoch) => {
      return epoch.epoch === 1 ? "Pruned after epoch 1" : null;
    });
    // The Cancel is clicked as the pruner's stop reaches the engine, before the run has ended.
    let outcome: Promise<string> | undefined;
    host.onCancel = () => {
      host.onCancel = null;
      outcome = service.cancel(id, "from the dashboard");
    };
    await idle(service);
    assert.equal(await outcome, "cancelling");
    const run = await getRun(db, id);
    assert.equal(run?.status, "pruned");
    assert.equal(run?.error, "Pruned after epoch 1");
  });
});

Deno.test("a run cancelled while its epoch is judged keeps that cancel's reason", async () => {
  await withService(async (service, db) => {
    const id: number = await service.create(config(6), undefined, async () => {
      await service.cancel(id); // a user's Cancel, while the pruner decides
      return "Pruned after epoch 1";
    });
    await idle(service);
    const run = await getRun(db, id);
    assert.equal(run?.status, "cancelled");
    assert.equal(run?.error, null, "the user's cancel, not the pruner's");
  });
});

Deno.test("a run whose verdict fails trains on to the end; runs without one are not held", async () => {
  await withService(async (service, db, host) => {
    const failing = await service.create(config(3), undefined, () => {
      throw new Error("storage unreachable");
    });
    const plain = await service.create(config(3));
    const errors: unknown[] = [];
    const consoleError = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      await idle(service);
    } finally {
      console.error = consoleError;
    }
    assert.equal(errors.length, 3, "each failed verdict is logged");
    assert.deepEqual(host.trained, [1, 2, 3, 1, 2, 3]);
    for (const id of [failing, plain]) {
      const run = await getRun(db, id);
      assert.equal(run?.status, "completed");
      assert.equal(run?.epochs.length, 3);
    }
  });
});

Deno.test("a judged run whose epoch cannot be stored is not left waiting, nor the runs behind it", async () => {
  await withService(async (service, db) => {
    await db.run(sql`create trigger no_second_epoch before insert on run_epochs
      when new.epoch = 2 begin select raise(abort, 'disk full'); end`);
    const judged = await service.create(config(3), undefined, () => null);
    const behind = await service.create(config(2));
    const consoleError = console.error;
    console.error = () => {};
    try {
      await idle(service);
    } finally {
      console.error = consoleError;
    }
    assert.deepEqual((await getRun(db, judged))?.epochs.map((e) => e.epoch), [1, 3]);
    assert.equal((await getRun(db, behind))?.status, "completed");
  });
});

Deno.test("a process whose lease another took over stops training and writes nothing more", async () => {
  await withService(async (service, db, host) => {
    // Far more epochs than train before a cancel lands: a CPU session hears the engine's cancel
    // at its next yield, up to 200 ms on, and this tiny run trains hundreds of epochs in that.
    const id = await service.create(config(10_000));
    await waitFor(
      async () => ((await getRun(db, id))?.epochs.length ?? 0) >= 2 || undefined,
      "epochs",
    );
    // As if this process had been presumed dead and the run claimed again elsewhere.
    await db.update(runs).set({
      owner: "someone-else",
      attempt: 2,
      leaseExpiresAt: new Date(Date.now() + 3_600_000),
    }).where(eq(runs.id, id));
    const consoleError = console.error;
    console.error = () => {};
    try {
      await waitFor(() => Promise.resolve(host.pendingJobs === 0 || undefined), "the job's end");
    } finally {
      console.error = consoleError;
    }
    const run = await getRun(db, id);
    assert.equal(run?.status, "running", "the new owner's run, untouched");
    assert.equal(run?.owner, "someone-else");
    const stored = run?.epochs.length ?? 0;
    assert.ok(host.trained.length < 10_000, `the engine stopped (${host.trained.length} epochs)`);
    assert.ok(stored <= host.trained.length);
  });
});

Deno.test("a cancel from another process reaches the run this process trains", async () => {
  await withService(async (service, db) => {
    const id = await service.create(config(10_000));
    await waitFor(
      async () => ((await getRun(db, id))?.epochs.length ?? 0) >= 1 || undefined,
      "an epoch",
    );
    // The dashboard's process: it does not train this run, so it asks through the database.
    const dashboard = new RunService(db);
    try {
      assert.equal(await dashboard.cancel(id, "Stopped from the dashboard"), "cancelling");
    } finally {
      await dashboard.shutdown();
    }
    await idle(service);
    const run = await getRun(db, id);
    assert.equal(run?.status, "cancelled");
    assert.equal(run?.error, "Stopped from the dashboard");
    assert.ok((run?.epochs.length ?? 0) < 10_000);
  });
});

Deno.test("a process without an engine queues runs; one with an engine claims and trains them", async () => {
  await withService(async (trainer, db) => {
    const dashboard = new RunService(db, { pollMs: 20 });
    try {
      const id = await dashboard.create(config(2));
      const events: string[] = [];
      dashboard.events.subscribe(id, (event) => events.push(event.type));
      await dashboard.whenIdle();
      assert.equal((await getRun(db, id))?.status, "completed");
      assert.ok(events.includes("epoch") && events.at(-1) === "done", events.join(", "));
      await trainer.whenIdle();
    } finally {
      await dashboard.shutdown();
    }
  });
});

Deno.test("create() refuses a run once the database's queue is full, saying how full", async () => {
  const { db, close } = await openDb({ url: ":memory:" });
  const service = new RunService(db, { maxQueued: 2 });
  try {
    await service.create(config(1));
    await service.create(config(1));
    await assert.rejects(() => service.create(config(1)), (error: Error) => {
      assert.ok(error instanceof QueueFull);
      assert.equal(error.queued, 2);
      assert.match(error.message, /The queue holds 2 runs, its limit/);
      return true;
    });
  } finally {
    await service.shutdown();
    close();
  }
});

Deno.test("a run whose engine cannot start fails with the reason instead of staying claimed", async () => {
  const { db, close } = await openDb({ url: ":memory:" });
  const broken = {
    submit(): number {
      throw new Deno.errors.NotCapable('Requires run access to "deno"');
    },
    resume() {},
    cancel() {},
    settled: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  const service = new RunService(db, { engine: broken, pollMs: 20 });
  try {
    const id = await service.create(config(2));
    await idle(service);
    const run = await getRun(db, id);
    assert.equal(run?.status, "failed");
    assert.match(run?.error ?? "", /The engine could not start: Requires run access/);
  } finally {
    await service.shutdown();
    close();
  }
});

Deno.test("a run's epoch events carry its layer statistics, stored as published", async () => {
  await withService(async (service, db) => {
    const id = await service.create(config(2));
    const published: unknown[] = [];
    service.events.subscribe(id, (event) => {
      if (event.type === "epoch") published.push(event.epoch.layers);
    });
    await idle(service);
    const stored = (await getRun(db, id))?.epochs.map((epoch) => epoch.layers);
    assert.equal(stored?.length, 2);
    // One hidden layer of 8 ReLU units, each epoch.
    assert.deepEqual(stored?.map((layers) => [layers?.length, layers?.[0].deadShare !== null]), [
      [1, true],
      [1, true],
    ]);
    assert.deepEqual(JSON.parse(JSON.stringify(published)), stored);
  });
});
