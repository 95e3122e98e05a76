/**
 * Runs written straight to the database for tests that read them back (the API's shapes, the
 * weights download), through the same leased writes a training process uses.
 *
 * @module
 */

import type { Db } from "../db/client.ts";
import { claimRun, finishJob, type Stop, writeEpoch } from "../db/jobs.ts";
import { insertRun } from "../db/runs.ts";
import type { RunConfig } from "../engine/spec.ts";
import type { EpochRecord, RunResult } from "../engine/train.ts";

const DEVICE = { backend: "cpu" as const, description: "CPU", bytesAllocated: 0 };

/**
 * A run queued (as `trial`'s run, when given), claimed, trained `epochs` and finished with
 * `result`'s fields and `weights`, or `stopped` (cancelled, pruned) with its reason.
 */
export async function storeFinishedRun(
  db: Db,
  config: RunConfig,
  options: {
    epochs?: EpochRecord[];
    weights?: Uint8Array;
    result?: Partial<RunResult>;
    trial?: { studyId: number; trialNumber: number };
    stopped?: Stop;
  } = {},
): Promise<number> {
  const id = await insertRun(db, config, options.trial, options.trial ? "test" : undefined);
  const claim = await claimRun(db, "test", 60_000, { runId: id });
  if (!claim) throw new Error(`Run ${id} could not be claimed`);
  for (const epoch of options.epochs ?? []) await writeEpoch(db, claim.lease, epoch, 60_000);
  const result: RunResult = { status: "completed", epochs: [], device: DEVICE, ...options.result };
  await finishJob(db, claim.lease, result, options.weights ?? null, options.stopped);
  return id;
}
