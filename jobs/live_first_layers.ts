/**
 * The latest epoch's first-layer snapshot (`engine/first_layer.ts`) of each run this process
 * trains, for the run page's live pictures: in memory only, like the live events, and dropped
 * when the run's job ends. A run trained by another process has none here; its page falls back
 * to the run's latest checkpoint.
 *
 * @module
 */

import type { FirstLayerSnapshot } from "../engine/first_layer.ts";

export interface LiveFirstLayer {
  /** The epoch (1-based) whose end the snapshot shows. */
  epoch: number;
  /** When it arrived (ms), strictly later than the run's previous one: the page's version. */
  at: number;
  snapshot: FirstLayerSnapshot;
}

export class LiveFirstLayers {
  readonly #latest = new Map<number, LiveFirstLayer>();

  /** Keeps `snapshot` as run `runId`'s latest, after `epoch`. */
  set(runId: number, epoch: number, snapshot: FirstLayerSnapshot): void {
    const before = this.#latest.get(runId)?.at ?? 0;
    this.#latest.set(runId, { epoch, at: Math.max(Date.now(), before + 1), snapshot });
  }

  get(runId: number): LiveFirstLayer | undefined {
    return this.#latest.get(runId);
  }

  delete(runId: number): void {
    this.#latest.delete(runId);
  }

  /** Runs with a snapshot kept. */
  get size(): number {
    return this.#latest.size;
  }
}
