/**
 * Progress of runs that other processes train, read from the database and published to this
 * process's subscribers as if trained here: new epochs, status changes and the end. This is how
 * a dashboard without an engine (`--no-train`) streams runs that `deno task work` processes
 * train, and how a process learns that a run it queued was cancelled elsewhere.
 *
 * @module
 */

import { inArray } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { FINAL_STATUSES, getEpochs, type RunStatus } from "../db/runs.ts";
import { runs } from "../db/schema.ts";
import type { RunEvents } from "./run_events.ts";

interface Seen {
  epoch: number;
  status: RunStatus | null;
}

export class RunWatcher {
  readonly #db: Db;
  readonly #events: RunEvents;
  #seen = new Map<number, Seen>();

  constructor(db: Db, events: RunEvents) {
    this.#db = db;
    this.#events = events;
  }

  /** Publishes what changed in runs `ids` since last time; returns the ids that have ended. */
  async relay(ids: number[]): Promise<number[]> {
    const live = ids.filter((id) => !isFinal(this.#seen.get(id)?.status ?? null));
    if (live.length === 0) return ids.filter((id) => this.#seen.has(id));
    const rows = await this.#db.select({
      id: runs.id,
      status: runs.status,
      error: runs.error,
      epochsPlanned: runs.epochsPlanned,
    }).from(runs).where(inArray(runs.id, live));
    const ended: number[] = [];
    for (const row of rows) {
      const seen = this.#seen.get(row.id) ?? { epoch: 0, status: null };
      this.#seen.set(row.id, seen);
      // A run queued again trains from its first epoch.
      if (row.status === "queued") seen.epoch = 0;
      for (const epoch of await getEpochs(this.#db, row.id, seen.epoch)) {
        this.#events.publish(row.id, { type: "epoch", epoch, total: row.epochsPlanned });
        seen.epoch = epoch.epoch;
      }
      if (row.status !== seen.status) {
        seen.status = row.status;
        this.#events.publish(row.id, { type: "status", status: row.status, error: row.error });
        if (isFinal(row.status)) this.#events.publish(row.id, { type: "done", status: row.status });
      }
      if (isFinal(row.status)) ended.push(row.id);
    }
    return ended;
  }

  /** This process published run `id`'s end itself: nothing more to relay for it. */
  ended(id: number, status: RunStatus): void {
    this.#seen.set(id, { epoch: Infinity, status });
  }

  /** Forgets runs nobody follows any more. */
  retain(ids: Set<number>): void {
    for (const id of this.#seen.keys()) if (!ids.has(id)) this.#seen.delete(id);
  }
}

function isFinal(status: RunStatus | null): boolean {
  return status !== null && (FINAL_STATUSES as readonly string[]).includes(status);
}
