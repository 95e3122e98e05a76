/**
 * Runs written straight to the database for tests that read them back (the API's shapes, the
 * weights download), through the same leased writes a training process uses.
 *
 * @module
 */

import type { Db } from "../db/client.ts";
import { claimRun, finishJob, writeEpoch } from "../db/jobs.ts";
import { insertRun } from "../db/runs.ts";
import type { RunConfig } from "../engine/spec.ts";
import type { EpochRecord, RunResult } from "../engine/train.ts";

const DEVICE = { backend: "cpu" as const, description: "CPU", bytesAllocated: 0 };

/** A run queued, claimed, trained `epochs` and finished with `result`'s fields and `weights`. */
export async function storeFinishedRun(
  db: Db,
  config: RunConfig,
  options: { epochs?: EpochRecord[]; weights?: Uint8Array; result?: Partial<RunResult> } = {},
): Promise<number> {
  const id = await insertRun(db, config);
  const claim = await claimRun(db, "test", 60_000, { runId: id });
  if (!claim) throw new Error(`Run ${id} could not be claimed`);
  for (const epoch of options.epochs ?? []) await writeEpoch(db, claim.lease, epoch, 60_000);
  const result: RunResult = { status: "completed", epochs: [], device: DEVICE, ...options.result };
  await finishJob(db, claim.lease, result, options.weights ?? null);
  return id;
}
