/**
 * Runs as a service: store the run, queue it on the engine worker, write each epoch as it
 * arrives, store the final metrics and weights, and publish progress for SSE streams.
 *
 * @module
 */

import type { Db } from "../db/client.ts";
import {
  type EpochRow,
  finishRun,
  getRun,
  insertEpoch,
  insertRun,
  interruptRunning,
  markRunning,
  queuedRuns,
  setFinalStatus,
  touchRuns,
} from "../db/runs.ts";
import { encodeSafetensors } from "../engine/safetensors.ts";
import type { RunConfig } from "../engine/spec.ts";
import type { EngineHost } from "../engine/worker_host.ts";
import type { WorkerMessage } from "../engine/worker_protocol.ts";
import { isProcessAlive, thisProcess } from "./owner.ts";
import { RunEvents } from "./run_events.ts";

/** How often this process tells the database its running runs are alive. */
export const RUN_HEARTBEAT_MS = 10_000;

type FinalStatus = Parameters<typeof setFinalStatus>[2];

export type CancelOutcome = "cancelled" | "cancelling" | "not_found" | "already_final";

/**
 * Judges each epoch of a run before training goes on (a study's pruner): a string stops the run
 * with it as the reason, so a run pruned after epoch k stores k epochs and trains no more (on a
 * GPU, the one epoch already queued is discarded). A run cancelled first keeps its own reason.
 */
export type EpochVerdict = (epoch: EpochRow) => Promise<string | null> | string | null;

export class RunService {
  readonly events = new RunEvents();
  #db: Db;
  #host: EngineHost;
  /** runId → engine job, for runs queued or running in this process. */
  #jobs = new Map<number, number>();
  /** Runs whose epochs are judged before training goes on. */
  #verdicts = new Map<number, EpochVerdict>();
  /** Runs asked to stop → why, when the caller said (a pruned trial), shown as the run's error. */
  #cancelRequested = new Map<number, string | null>();
  /** Runs training in this process, for the heartbeat. */
  #running = new Set<number>();
  #heartbeat: ReturnType<typeof setInterval> | null = null;
  #idle: { resolve: () => void; promise: Promise<void> } | null = null;
  /** Set by `shutdown`: runs created after it stay queued for the next start. */
  #closed = false;

  constructor(db: Db, host: EngineHost) {
    this.#db = db;
    this.#host = host;
  }

  /**
   * At start: runs left `running` by a dead process become `interrupted` (runs that a live tune
   * worker is training stay as they are); queued ones resume here.
   */
  async recover(): Promise<{ interrupted: number; resumed: number }> {
    const interrupted = await interruptRunning(this.#db, {
      isAlive: isProcessAlive,
      staleBefore: new Date(Date.now() - 3 * RUN_HEARTBEAT_MS),
    });
    const queued = await queuedRuns(this.#db);
    for (const run of queued) this.#enqueue(run.id, run.config);
    return { interrupted, resumed: queued.length };
  }

  /** Stores and queues a run; `afterEpoch` judges each of its epochs (see `EpochVerdict`). */
  async create(
    config: RunConfig,
    trial?: { studyId: number; trialNumber: number },
    afterEpoch?: EpochVerdict,
  ): Promise<number> {
    const id = await insertRun(this.#db, config, trial);
    // Created while shutting down: it waits in the database, queued, for the next start.
    if (!this.#closed) {
      if (afterEpoch) this.#verdicts.set(id, afterEpoch);
      this.#enqueue(id, config);
    }
    return id;
  }

  /** Cancels run `id`; `reason` (e.g. "Pruned by the median pruner …") is stored as its error. */
  async cancel(id: number, reason?: string): Promise<CancelOutcome> {
    const run = await getRun(this.#db, id);
    if (!run) return "not_found";
    const jobId = this.#jobs.get(id);
    if (jobId === undefined || (run.status !== "queued" && run.status !== "running")) {
      return "already_final";
    }
    // The first cancel's reason stands: a user's later Cancel of a pruned trial's run keeps
    // "Pruned …", and a pruner's verdict after a user's Cancel does not rename it.
    if (!this.#cancelRequested.has(id)) this.#cancelRequested.set(id, reason ?? null);
    this.#host.cancel(jobId);
    if (run.status === "queued") {
      await setFinalStatus(this.#db, id, "cancelled", reason ?? null);
      this.#publishEnd(id, "cancelled", reason);
      return "cancelled";
    }
    return "cancelling";
  }

  /** Runs queued or running in this process. */
  get activeRuns(): number {
    return this.#jobs.size;
  }

  /** Resolves when no run is queued or running (tests, shutdown). */
  whenIdle(): Promise<void> {
    if (this.#jobs.size === 0) return Promise.resolve();
    if (!this.#idle) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => resolve = r);
      this.#idle = { resolve, promise };
    }
    return this.#idle.promise;
  }

  /**
   * Stops training in this process (server shutdown) without waiting for the runs: the engine
   * worker is ended, the runs it was training become `interrupted` (their streams get `done`),
   * and queued runs stay queued in the database for the next start to resume.
   */
  async shutdown(): Promise<void> {
    this.#closed = true;
    this.#host.terminate();
    await this.#host.settled();
    for (const id of [...this.#jobs.keys()]) {
      if (this.#running.has(id) && this.#cancelRequested.has(id)) {
        const reason = this.#cancelRequested.get(id) ?? null;
        await setFinalStatus(this.#db, id, "cancelled", reason);
        this.#end(id, "cancelled", reason ?? undefined);
      } else if (this.#running.has(id)) {
        const error = "The server shut down during the run";
        await setFinalStatus(this.#db, id, "interrupted", error);
        this.#end(id, "interrupted", error);
      } else {
        this.#jobs.delete(id);
      }
    }
    this.#cancelRequested.clear();
    this.#verdicts.clear();
    if (this.#heartbeat !== null) clearInterval(this.#heartbeat);
    this.#heartbeat = null;
    this.#idle?.resolve();
    this.#idle = null;
  }

  #enqueue(id: number, config: RunConfig): void {
    const jobId = this.#host.submit(config, (message) => this.#onMessage(id, message), {
      gated: this.#verdicts.has(id),
    });
    this.#jobs.set(id, jobId);
  }

  async #onMessage(id: number, message: WorkerMessage): Promise<void> {
    const cancelled = this.#cancelRequested.has(id);
    const reason = this.#cancelRequested.get(id) ?? undefined;
    switch (message.type) {
      case "started":
        if (cancelled) return;
        await markRunning(this.#db, id, message.device, thisProcess);
        this.#running.add(id);
        this.#heartbeat ??= setInterval(() => {
          touchRuns(this.#db, [...this.#running]).catch(() => {});
        }, RUN_HEARTBEAT_MS);
        this.events.publish(id, { type: "status", status: "running" });
        return;
      case "epoch": {
        // A cancelled run writes no further epochs (and its worker, told to stop, waits for none).
        if (cancelled) return;
        try {
          await insertEpoch(this.#db, id, message.record);
          const { epoch, trainLoss, trainAccuracy, devLoss, devAccuracy, seconds } = message.record;
          const row = { epoch, trainLoss, trainAccuracy, devLoss, devAccuracy, seconds };
          this.events.publish(id, { type: "epoch", epoch: row, total: message.total });
          await this.#judge(id, row);
        } finally {
          // Whatever happened here (a failed write included), a gated worker must not wait on.
          const jobId = this.#jobs.get(id);
          if (jobId !== undefined && this.#verdicts.has(id)) this.#host.resume(jobId);
        }
        return;
      }
      case "finished": {
        const { result, state } = message;
        const status = cancelled ? "cancelled" : result.status;
        if (!(cancelled && (await getRun(this.#db, id))?.status === "cancelled")) {
          const weights = status === "completed" && state
            ? encodeSafetensors(state, { format: "pt", run: String(id) })
            : null;
          await finishRun(
            this.#db,
            id,
            { ...result, status },
            weights,
            cancelled ? reason : undefined,
          );
        }
        this.#end(id, status, cancelled ? reason : undefined);
        return;
      }
      case "skipped":
        this.#end(id, "cancelled", reason);
        return;
      case "failed":
        await setFinalStatus(
          this.#db,
          id,
          cancelled ? "cancelled" : "failed",
          cancelled ? reason ?? null : message.error,
        );
        this.#end(id, cancelled ? "cancelled" : "failed", cancelled ? reason : message.error);
        return;
    }
  }

  /** A gated run's epoch: its verdict may stop it, unless it was cancelled meanwhile. */
  async #judge(id: number, epoch: EpochRow): Promise<void> {
    const verdict = this.#verdicts.get(id);
    if (!verdict || this.#cancelRequested.has(id)) return;
    try {
      const reason = await verdict(epoch);
      if (reason !== null && !this.#cancelRequested.has(id)) await this.cancel(id, reason);
    } catch (error) {
      console.error(`Run ${id}: judging epoch ${epoch.epoch} failed; training goes on:`, error);
    }
  }

  #end(id: number, status: FinalStatus, error?: string): void {
    this.#verdicts.delete(id);
    this.#jobs.delete(id);
    this.#running.delete(id);
    if (this.#running.size === 0 && this.#heartbeat !== null) {
      clearInterval(this.#heartbeat);
      this.#heartbeat = null;
    }
    this.#cancelRequested.delete(id);
    this.#publishEnd(id, status, error);
    this.#announced.delete(id);
    if (this.#jobs.size === 0 && this.#idle) {
      this.#idle.resolve();
      this.#idle = null;
    }
  }

  /** Runs whose end was already published (a queued run cancelled before the worker got to it). */
  #announced = new Set<number>();

  #publishEnd(id: number, status: FinalStatus, error?: string): void {
    if (this.#announced.has(id)) return;
    this.#announced.add(id);
    this.events.publish(id, { type: "status", status, error: error ?? null });
    this.events.publish(id, { type: "done", status });
  }
}
