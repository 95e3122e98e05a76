import assert from "node:assert/strict";
import { defaultDatasetRoots } from "../config/paths.ts";
import { parseRunConfig } from "../config/schema.ts";
import { type Db, openDb } from "../db/client.ts";
import { getRun } from "../db/runs.ts";
import { EngineHost } from "../engine/worker_host.ts";
import { tinyRun } from "../tests/service_helpers.ts";
import { RunService } from "./run_service.ts";

async function withService(
  body: (service: RunService, db: Db) => Promise<void>,
): Promise<void> {
  const { db, close } = await openDb({ url: ":memory:" });
  const service = new RunService(db, new EngineHost(defaultDatasetRoots()));
  try {
    await body(service, db);
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

Deno.test("a verdict on an epoch stops its run before the next epoch trains", async () => {
  await withService(async (service, db) => {
    const judged: number[] = [];
    const id = await service.create(config(6), undefined, async (epoch) => {
      judged.push(epoch.epoch);
      await new Promise((resolve) => setTimeout(resolve, 20)); // a pruner reading its storage
      return epoch.epoch === 2 ? "Pruned after epoch 2" : null;
    });
    await service.whenIdle();
    assert.deepEqual(judged, [1, 2], "epochs after the verdict are neither judged nor stored");
    const run = await getRun(db, id);
    assert.equal(run?.status, "cancelled");
    assert.equal(run?.error, "Pruned after epoch 2");
    assert.deepEqual(run?.epochs.map((e) => e.epoch), [1, 2]);
  });
});

Deno.test("a run whose verdict fails trains on to the end; runs without one are not held", async () => {
  await withService(async (service, db) => {
    const failing = await service.create(config(3), undefined, () => {
      throw new Error("storage unreachable");
    });
    const plain = await service.create(config(3));
    const errors: unknown[] = [];
    const consoleError = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      await service.whenIdle();
    } finally {
      console.error = consoleError;
    }
    assert.equal(errors.length, 3, "each failed verdict is logged");
    for (const id of [failing, plain]) {
      const run = await getRun(db, id);
      assert.equal(run?.status, "completed");
      assert.equal(run?.epochs.length, 3);
    }
  });
});
