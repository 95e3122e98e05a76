/**
 * A study's trials, several at once in this process: `parallel` study workers
 * (`study_worker.ts`), each training its trials on an engine process of its own. The first works
 * on this process's run service (its engine, which also trains plain runs in a server); each other
 * one gets a run service of its own — its own engine process, its own name in leases and trial
 * claims, claiming only the runs reserved for it.
 *
 * The workers share nothing but the database, exactly as workers in several processes do: trial
 * numbers and the study's total are handed out by conditional writes (`db/tuner_storage.ts`),
 * each trial has its own heartbeat and pruning verdicts, and a trial whose worker is stopped or
 * dies is queued again. TPE's constant liar (on by default) counts the trials running beside it
 * as the worst, so concurrent trials spread out instead of sampling the same point.
 *
 * @module
 */

import type { Study } from "../tuner/mod.ts";
import type { RunService } from "./run_service.ts";
import { runStudyWorker, type StudyWorkerOptions } from "./study_worker.ts";

export interface StudyLanesOptions extends StudyWorkerOptions {
  /** Trials trained at once here (1: just `runStudyWorker` on `service`). */
  parallel: number;
  /**
   * A run service for lane `k` (1, 2, …): its own engine, `claims: "reserved"`, a unique owner.
   * Each is shut down when its lane ends.
   */
  lane: (k: number) => RunService;
}

/**
 * Runs the study's trials `parallel` at once until its budget is spent (or `maxTrials` in all
 * here, split between the lanes, or the signal). A lane that fails stops the others; its error
 * is thrown once all have ended.
 */
export async function runStudyLanes(
  options: StudyLanesOptions,
): Promise<{ study: Study; finished: boolean }> {
  const { parallel, maxTrials } = options;
  const lanes = maxTrials === undefined ? parallel : Math.max(1, Math.min(parallel, maxTrials));
  if (lanes <= 1) return await runStudyWorker(options);
  const controller = new AbortController();
  const abort = () => controller.abort();
  options.signal?.addEventListener("abort", abort, { once: true });
  if (options.signal?.aborted) abort();
  const results = await Promise.allSettled(
    Array.from({ length: lanes }, async (_, k) => {
      const service = k === 0 ? options.service : options.lane(k);
      try {
        const result = await runStudyWorker({
          ...options,
          service,
          signal: controller.signal,
          // `maxTrials` in all: lane k takes its share, the first lanes one more when uneven.
          maxTrials: maxTrials === undefined
            ? undefined
            : Math.floor(maxTrials / lanes) + (k < maxTrials % lanes ? 1 : 0),
        });
        // This lane saw every trial done and none running: the others are only waiting for that.
        if (result.finished) abort();
        return result;
      } catch (error) {
        abort();
        throw error;
      } finally {
        // Every trial of the lane is told by now: its engine has nothing left to train.
        if (k > 0) await service.shutdown();
      }
    }),
  );
  options.signal?.removeEventListener("abort", abort);
  const failed = results.find((result) => result.status === "rejected");
  if (failed) throw (failed as PromiseRejectedResult).reason;
  const done = results as PromiseFulfilledResult<{ study: Study; finished: boolean }>[];
  // Finished once any lane saw it so, even if a shutdown then stopped the lanes still waiting.
  return { study: done[0].value.study, finished: done.some((result) => result.value.finished) };
}
