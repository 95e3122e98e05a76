/**
 * `deno task train --db URL`: the run trained by this process as a dashboard's is — stored as a
 * run reserved for this process, claimed under a lease, each epoch written as it ends (a
 * dashboard on the same database lists it running and streams its progress), and ended with
 * the same status, test metrics and weights.
 *
 * @module
 */

import type { DatasetRoots } from "../engine/data/load.ts";
import { openDb } from "../db/client.ts";
import { type EpochRow, getRun, type RunStatus } from "../db/runs.ts";
import type { DeviceRecord, EarlyStopRecord, TestRecord } from "../engine/train.ts";
import type { RunConfig } from "../engine/spec.ts";
import { EngineProcess } from "../jobs/engine_process.ts";
import { RunService } from "../jobs/run_service.ts";

/** How the stored run ended, read back from the database. */
export interface StoredRunResult {
  id: number;
  status: RunStatus;
  epochs: EpochRow[];
  test: TestRecord | null;
  device: DeviceRecord | null;
  divergedAt: { epoch: number; step: number; message: string } | null;
  earlyStop: EarlyStopRecord | null;
  error: string | null;
}

export interface StoredRunOptions {
  /** libSQL URL, as `deno task start --db` takes it. */
  url: string;
  authToken?: string;
  roots: DatasetRoots;
  loadTimeoutMs: number;
  signal: AbortSignal;
  onCreated?: (runId: number) => void;
  onEpoch?: (epoch: EpochRow) => void;
}

/** Stores `config` as a run in the database, trains it here, and reads back how it ended. */
export async function trainStoredRun(
  config: RunConfig,
  options: StoredRunOptions,
): Promise<StoredRunResult> {
  const { db, close } = await openDb({ url: options.url, authToken: options.authToken });
  const service = new RunService(db, {
    engine: new EngineProcess({ roots: options.roots, loadTimeoutMs: options.loadTimeoutMs }),
    claims: "reserved",
  });
  try {
    const id = await service.createOwn(config);
    options.onCreated?.(id);
    const unsubscribe = service.events.subscribe(id, (event) => {
      if (event.type === "epoch") options.onEpoch?.(event.epoch);
    });
    const cancel = () => service.cancel(id, "Stopped with Ctrl-C");
    options.signal.addEventListener("abort", cancel, { once: true });
    try {
      await service.whenIdle();
    } finally {
      unsubscribe();
      options.signal.removeEventListener("abort", cancel);
    }
    const run = (await getRun(db, id))!;
    return {
      id,
      status: run.status,
      epochs: run.epochs,
      test: run.test as TestRecord | null,
      device: run.device as DeviceRecord | null,
      divergedAt: run.divergedAt as StoredRunResult["divergedAt"],
      earlyStop: run.earlyStop as EarlyStopRecord | null,
      error: run.error,
    };
  } finally {
    await service.shutdown();
    close();
  }
}
