/**
 * When an epoch queued behind another may start encoding: once that one is submitted (overlap)
 * or only once its results are back (`pipelineEpochs`, on by default for hardware adapters).
 * Deno 2.9.6's `mapAsync` blocks its thread in a poll that waits for *all* submitted work, then
 * sleeps 10 ms, so a readback cannot overlap the next epoch; queued epochs only come back in
 * pairs (measured on lavapipe: 2.80 s, 0.01 s, 2.84 s, 0.01 s against 1.41 s each), which halves
 * the idle gaps between epochs but delays every other result and, when a run stops early, trains
 * one epoch for nothing. On an H100 (2026-11-27, bench/README.md) that halving made epochs 17%
 * (batch 128) and 38% (batch 1024) faster; on lavapipe it cost time, so it stays off there. Even
 * when on, epochs slower than {@linkcode OVERLAP_MAX_EPOCH_MS} are not overlapped.
 *
 * @module
 */

/** Epochs slower than this are not overlapped: the ≥ 10 ms readback is noise beside them. */
export const OVERLAP_MAX_EPOCH_MS = 2000;

export class EpochOverlap {
  readonly enabled: boolean;
  /** Results of the epoch called last, which the next waits for when not overlapping. */
  #last: Promise<unknown> = Promise.resolve();
  /** The longer of the last two epochs' times (queued epochs come back in pairs). */
  #slowest = 0;
  #previous = 0;
  #lastResultAt = 0;

  constructor(enabled: boolean) {
    this.enabled = enabled;
  }

  /**
   * Starts an epoch with `epoch(turn)`, where `turn()` resolves when its encoding may begin:
   * at once when overlapping, else once the epoch started before it has its results.
   */
  run<T>(epoch: (turn: () => Promise<void>) => Promise<T>): Promise<T> {
    const previous = this.#last;
    const result = epoch(async () => {
      if (!(this.enabled && this.#slowest <= OVERLAP_MAX_EPOCH_MS)) {
        await previous.catch(() => {});
      }
    });
    this.#last = result;
    return result;
  }

  /**
   * Records an epoch whose encoding began at `began` and whose results are back now: its time
   * runs from the later of its encoding and its predecessor's results.
   */
  finished(began: number, now = performance.now()): void {
    const measured = now - Math.max(began, this.#lastResultAt);
    // The longer of the last two: the second of a pair comes back ~0 ms after the first, which
    // alone would turn the overlap back on for slow epochs.
    this.#slowest = Math.max(measured, this.#previous);
    this.#previous = measured;
    this.#lastResultAt = now;
  }
}
