/**
 * In-process pub/sub of run progress, one channel per run. The run service publishes after each
 * database write, so a subscriber that reads the database after subscribing misses nothing.
 *
 * @module
 */

import type { EpochRow, RunStatus } from "../db/runs.ts";
import type { TrainProgress } from "../engine/train.ts";

export type RunEvent =
  | { type: "epoch"; epoch: EpochRow; total: number }
  /** Phases before the first epoch, steps within a slow epoch; published, never stored. */
  | { type: "progress"; progress: TrainProgress }
  | { type: "status"; status: RunStatus; error?: string | null }
  | { type: "done"; status: RunStatus };

export type RunEventListener = (event: RunEvent) => void;

export class RunEvents {
  #channels = new Map<number, Set<RunEventListener>>();

  subscribe(runId: number, listener: RunEventListener): () => void {
    let channel = this.#channels.get(runId);
    if (!channel) this.#channels.set(runId, channel = new Set());
    channel.add(listener);
    return () => {
      channel.delete(listener);
      if (channel.size === 0 && this.#channels.get(runId) === channel) this.#channels.delete(runId);
    };
  }

  publish(runId: number, event: RunEvent): void {
    for (const listener of this.#channels.get(runId) ?? []) listener(event);
  }

  /** Runs someone listens to. */
  subscribedRuns(): number[] {
    return [...this.#channels.keys()];
  }

  /** Open subscriptions over all runs (each SSE stream holds one). */
  get subscriberCount(): number {
    let count = 0;
    for (const channel of this.#channels.values()) count += channel.size;
    return count;
  }
}
