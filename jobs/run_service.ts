/**
 * Runs as leased jobs (see `db/jobs.ts`). `create` stores a run as queued, nothing more. A
 * process with an engine claims queued runs one at a time — the oldest it may train — renews
 * the lease while its engine trains, and writes each epoch, the end, the weights, all fenced by
 * the lease. Every process with a database, engine or not, settles expired leases (re-queue,
 * quarantine), sweeps study trials whose worker went silent, and relays progress of runs that
 * other processes train to its own event subscribers, by reading the database.
 *
 * @module
 */

import type { RunOrigin } from "../config/final_run.ts";
import type { Db } from "../db/client.ts";
import {
  cancelReason,
  claimRun,
  countQueued,
  endJob,
  finishJob,
  type Lease,
  markStarted,
  reapExpired,
  releaseJob,
  type Renewal,
  renewLeases,
  requestCancel,
  type Stop,
  writeEpoch,
} from "../db/jobs.ts";
import { insertContinuation, resumePoint, writeCheckpoint } from "../db/checkpoints.ts";
import { type EpochRow, insertRun, type RunStatus } from "../db/runs.ts";
import { LibsqlStorage } from "../db/tuner_storage.ts";
import { encodeSafetensors, runMetadata } from "../engine/safetensors.ts";
import { VERSION } from "../config/version.ts";
import type { RunConfig } from "../engine/spec.ts";
import type { Engine, WorkerMessage } from "../engine/worker_protocol.ts";
import { trackHandle } from "../engine/open_handles.ts";
import { processId } from "./owner.ts";
import { LiveFirstLayers } from "./live_first_layers.ts";
import { RunEvents } from "./run_events.ts";
import { RunWatcher } from "./run_watcher.ts";

/** How long a claim holds without renewal, by default; renewed every third of it. */
export const DEFAULT_LEASE_MS = 15_000;
/** How often the queue, expired leases and watched runs are looked at, by default. */
export const DEFAULT_POLL_MS = 1_000;
/** Runs that may wait in one database's queue; more are refused (429). */
export const DEFAULT_MAX_QUEUED = 1_000;
/**
 * Seconds between a run's checkpoints, at most one per epoch: what a trainer that dies loses.
 * A study trial saves none (an interrupted trial is tried again as a new one).
 */
export const DEFAULT_CHECKPOINT_SECONDS = 10;

export type CancelOutcome = "cancelled" | "cancelling" | "not_found" | "already_final";

/**
 * Judges each epoch of a run before training goes on (a study's pruner): a string stops the run,
 * which ends `pruned` with it as the reason, so a run pruned after epoch k stores k epochs and
 * trains no more (on a GPU, the one epoch already queued is discarded). A run cancelled first
 * stays `cancelled`, with its own reason.
 */
export type EpochVerdict = (epoch: EpochRow) => Promise<string | null> | string | null;

/** Thrown by `create` when the queue is full. */
export class QueueFull extends Error {
  constructor(readonly queued: number, readonly limit: number) {
    super(`The queue holds ${queued} runs, its limit; try again once some have trained`);
    this.name = "QueueFull";
  }
}

export interface RunServiceOptions {
  /** Trains claimed runs here; without one this process only queues and watches them. */
  engine?: Engine | null;
  /** Which queued runs it claims: any nobody reserved (a server, `deno task work`), or only
   * the ones reserved for it, its study trials' (`deno task tune`). */
  claims?: "any" | "reserved";
  /** Who it is in leases; unique per process start. */
  owner?: string;
  leaseMs?: number;
  pollMs?: number;
  /** Queued runs the database may hold before `create` refuses a plain run. */
  maxQueued?: number;
  /** Told one line per run claimed, ended or settled after its trainer died. */
  log?: (line: string) => void;
  /** Seconds between a plain run's checkpoints (0: after every epoch); see the default's. */
  checkpointSeconds?: number;
  /** Where to keep its runs' first-layer snapshots (a study's lanes share the server's). */
  firstLayers?: LiveFirstLayers;
}

/** The run this process's engine trains. */
interface ActiveRun {
  lease: Lease;
  /** What it trains, written into its weights file's metadata. */
  config: RunConfig;
  jobId: number;
  verdict: EpochVerdict | null;
  /** Set once a cancel or its verdict stopped it: how it ends, and why when a reason was given. */
  stop: Stop | null;
  /** The lease no longer holds: write nothing more, only stop. */
  lost: boolean;
  /** This process is shutting down: give the run back to the queue. */
  releasing: boolean;
}

export class RunService {
  readonly events = new RunEvents();
  /** Each training run's latest first-layer snapshot, for its page's live pictures. */
  readonly firstLayers: LiveFirstLayers;
  readonly owner: string;
  readonly #db: Db;
  readonly #engine: Engine | null;
  readonly #claims: "any" | "reserved";
  /** How long a claim holds without renewal; study trials' heartbeats follow it too. */
  readonly leaseMs: number;
  readonly #maxQueued: number;
  readonly #watcher: RunWatcher;
  readonly #log: (line: string) => void;
  readonly #checkpointSeconds: number;
  #active: ActiveRun | null = null;
  /** Runs created here that have not ended, as far as this process knows. */
  #pending = new Set<number>();
  /** Verdicts of runs created here and not claimed yet (study trials of this process). */
  #verdicts = new Map<number, EpochVerdict>();
  #claiming = false;
  #timers: ReturnType<typeof setInterval>[] = [];
  #idle: { resolve: () => void; promise: Promise<void> } | null = null;
  /** Set by `shutdown`: nothing more is claimed. */
  #closed = false;
  readonly #release: () => void;
  /** Database work under way in the background, awaited by `shutdown` before the db closes. */
  #inFlight = new Set<Promise<unknown>>();

  constructor(db: Db, options: RunServiceOptions = {}) {
    this.#db = db;
    this.#engine = options.engine ?? null;
    this.#claims = options.claims ?? "any";
    this.owner = options.owner ?? processId;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.#maxQueued = options.maxQueued ?? DEFAULT_MAX_QUEUED;
    this.#watcher = new RunWatcher(db, this.events);
    this.#log = options.log ?? (() => {});
    this.#checkpointSeconds = options.checkpointSeconds ?? DEFAULT_CHECKPOINT_SECONDS;
    this.firstLayers = options.firstLayers ?? new LiveFirstLayers();
    const pollMs = options.pollMs ?? Math.min(DEFAULT_POLL_MS, this.leaseMs / 3);
    this.#timers.push(
      setInterval(() => this.#track(this.#renew()), this.leaseMs / 3),
      setInterval(() => this.#track(this.#poll()), pollMs),
    );
    this.#release = trackHandle("job service", this.owner);
  }

  /** Whether this process trains runs (it has an engine). */
  get trains(): boolean {
    return this.#engine !== null;
  }

  /**
   * Stores a run as queued. A study trial's run is reserved for this process, which alone will
   * claim it; `afterEpoch` judges each of its epochs (see `EpochVerdict`). A plain run is
   * refused with {@linkcode QueueFull} when the database's queue is full.
   */
  async create(
    config: RunConfig,
    trial?: { studyId: number; trialNumber: number },
    afterEpoch?: EpochVerdict,
  ): Promise<number> {
    if (!trial) await this.#refuseWhenFull();
    const id = await insertRun(this.#db, config, trial, trial ? this.owner : undefined);
    this.#pending.add(id);
    if (afterEpoch) this.#verdicts.set(id, afterEpoch);
    this.#claimNext();
    return id;
  }

  /**
   * Stores a study's final model as queued: a plain run that names the study and trial it
   * retrains. `reserve` keeps it for this process (`deno task tune --train-best` trains it
   * itself); otherwise any trainer may take it, and a full queue refuses it as any plain run.
   */
  async createFinal(
    config: RunConfig,
    origin: RunOrigin,
    options: { reserve?: boolean } = {},
  ): Promise<number> {
    if (!options.reserve) await this.#refuseWhenFull();
    const reservedFor = options.reserve ? this.owner : undefined;
    const id = await insertRun(this.#db, config, undefined, reservedFor, origin);
    this.#pending.add(id);
    this.#claimNext();
    return id;
  }

  /**
   * Stores a plain run reserved for this process, which alone will claim it: `deno task train
   * --db` trains its own run where dashboards on the database list it. Like a trial's, it is
   * trained here at once, so a full queue does not refuse it.
   */
  async createOwn(config: RunConfig): Promise<number> {
    const id = await insertRun(this.#db, config, undefined, this.owner);
    this.#pending.add(id);
    this.#claimNext();
    return id;
  }

  /**
   * Queues a run that goes on from finished run `parent`'s last checkpoint (`config`: the
   * parent's with more epochs): "Continue training". Refused as any plain run when the queue is
   * full; null when the parent's checkpoint went meanwhile.
   */
  async createContinuation(parent: number, config: RunConfig): Promise<number | null> {
    await this.#refuseWhenFull();
    const id = await insertContinuation(this.#db, parent, config);
    if (id === null) return null;
    this.#pending.add(id);
    this.#claimNext();
    return id;
  }

  async #refuseWhenFull(): Promise<void> {
    const queued = await countQueued(this.#db);
    if (queued >= this.#maxQueued) throw new QueueFull(queued, this.#maxQueued);
  }

  /** Cancels run `id`; `reason` (e.g. "Stopped with its study's worker") is stored as its error. */
  async cancel(id: number, reason?: string): Promise<CancelOutcome> {
    const active = this.#active;
    if (active?.lease.runId === id && !active.lost) {
      this.#stop(active, { status: "cancelled", reason: reason ?? null });
      return "cancelling";
    }
    const outcome = await requestCancel(this.#db, id, reason ?? null);
    if (outcome === "cancelled") this.#publishEnd(id, "cancelled", reason ?? null);
    return outcome === "requested" ? "cancelling" : outcome;
  }

  /** Resolves once every run created here, and the run this process trains, has ended. */
  whenIdle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    this.#idle ??= (() => {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => resolve = r);
      return { resolve, promise };
    })();
    return this.#idle.promise;
  }

  /**
   * Stops claiming and training (server shutdown): the engine is closed, the run it trained
   * goes back to the queue for the next start or another worker, and runs queued stay queued.
   */
  async shutdown(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
    const active = this.#active;
    if (active) active.releasing = true;
    await this.#engine?.close();
    if (active && !active.lost) {
      if (active.stop) {
        const { status, reason } = active.stop;
        await endJob(this.#db, active.lease, status, reason).catch(() => false);
        this.#publishEnd(active.lease.runId, status, reason);
      } else {
        const note = "Queued again: the process training it shut down";
        await releaseJob(this.#db, active.lease, note).catch(() => false);
        this.events.publish(active.lease.runId, { type: "status", status: "queued", error: note });
      }
    }
    // A statement still running when the caller closes the database would crash libSQL.
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
    this.#active = null;
    this.#verdicts.clear();
    this.#pending.clear();
    this.#idle?.resolve();
    this.#idle = null;
    this.#release();
  }

  #track<T>(work: Promise<T>): Promise<T> {
    this.#inFlight.add(work);
    work.finally(() => this.#inFlight.delete(work)).catch(() => {});
    return work;
  }

  #isIdle(): boolean {
    return this.#active === null && this.#pending.size === 0;
  }

  #checkIdle(): void {
    if (this.#idle && this.#isIdle()) {
      this.#idle.resolve();
      this.#idle = null;
    }
  }

  /** Claims the next run this process may train, when its engine is free. */
  #claimNext(): void {
    if (!this.#engine || this.#closed || this.#active || this.#claiming) return;
    this.#claiming = true;
    this.#track(
      this.#claim().finally(() => {
        this.#claiming = false;
        this.#checkIdle();
      }),
    );
  }

  async #claim(): Promise<void> {
    let claim;
    try {
      claim = await claimRun(this.#db, this.owner, this.leaseMs, {
        reservedOnly: this.#claims === "reserved",
      });
    } catch (error) {
      console.error(`ajuste: claiming a run failed: ${(error as Error).message}`);
      return;
    }
    if (!claim) return;
    if (this.#closed) {
      await releaseJob(this.#db, claim.lease, "Queued again: the process shut down")
        .catch(() => {});
      return;
    }
    const { runId } = claim.lease;
    const verdict = this.#verdicts.get(runId) ?? null;
    this.#verdicts.delete(runId);
    const active: ActiveRun = {
      lease: claim.lease,
      config: claim.config,
      jobId: 0,
      verdict,
      stop: null,
      lost: false,
      releasing: false,
    };
    this.#active = active;
    const attempt = claim.lease.attempt > 1 ? ` (attempt ${claim.lease.attempt})` : "";
    let resume;
    try {
      resume = await resumePoint(this.#db, runId);
    } catch (error) {
      const note = `Queued again: reading its checkpoint failed (${(error as Error).message})`;
      await releaseJob(this.#db, claim.lease, note).catch(() => {});
      this.#active = null;
      return;
    }
    const from = resume ? `, resuming after epoch ${resume.epochs.length}` : "";
    this.#log(`run ${runId} "${claim.config.name}" claimed${attempt}${from}`);
    try {
      active.jobId = this.#engine!.submit(
        claim.config,
        (message) => this.#onMessage(active, message),
        {
          gated: verdict !== null,
          checkpointSeconds: claim.trial ? undefined : this.#checkpointSeconds,
          resume: resume ?? undefined,
        },
      );
    } catch (error) {
      // No engine to train on (it could not be started: a missing --allow-run, say): the run
      // fails with the reason rather than staying claimed by a process that cannot train it.
      const reason = `The engine could not start: ${(error as Error).message}`;
      if (await endJob(this.#db, claim.lease, "failed", reason)) {
        this.#publishEnd(runId, "failed", reason);
      }
      this.#active = null;
    }
  }

  async #onMessage(active: ActiveRun, message: WorkerMessage): Promise<void> {
    if (active.releasing) return;
    const id = active.lease.runId;
    switch (message.type) {
      case "loaded":
        return;
      case "progress":
        // Not stored: a page or API client following the run shows where it is.
        if (!active.lost && !active.stop) {
          this.events.publish(id, { type: "progress", progress: message.progress });
        }
        return;
      case "started":
        if (active.lost || active.stop) return;
        if (!await markStarted(this.#db, active.lease, message.device)) return this.#lose(active);
        this.events.publish(id, { type: "status", status: "running" });
        return;
      case "epoch":
        try {
          if (active.lost || active.stop) return;
          const renewal = await writeEpoch(this.#db, active.lease, message.record, this.leaseMs);
          if (renewal === "lost") return this.#lose(active);
          const { epoch, trainLoss, trainAccuracy, devLoss, devAccuracy, seconds, lr, layers } =
            message.record;
          const row = {
            epoch,
            trainLoss,
            trainAccuracy,
            devLoss,
            devAccuracy,
            seconds,
            lr: lr ?? null,
            layers: layers ?? null,
          };
          // Before the event: a page asks for the pictures once the event reaches it.
          if (message.firstLayer) this.firstLayers.set(id, epoch, message.firstLayer);
          this.events.publish(id, { type: "epoch", epoch: row, total: message.total });
          if (renewal === "cancel") return await this.#cancelRequested(active);
          await this.#judge(active, row);
        } finally {
          // Whatever happened here (a failed write included), a gated worker must not wait on.
          if (active.verdict) this.#engine?.resume(active.jobId);
        }
        return;
      case "checkpoint":
        if (active.lost || active.stop) return;
        if (!await writeCheckpoint(this.#db, active.lease, message.epoch, message.bytes)) {
          return this.#lose(active);
        }
        return;
      case "finished": {
        if (!active.lost) {
          const status = active.stop?.status ?? message.result.status;
          const weights = status === "completed" && message.state
            ? encodeSafetensors(
              message.state,
              runMetadata({ config: active.config, version: VERSION, id }),
            )
            : null;
          const written = await finishJob(
            this.#db,
            active.lease,
            message.result,
            weights,
            active.stop,
          );
          if (written) this.#publishEnd(id, status, active.stop?.reason ?? null);
        }
        return this.#end(active);
      }
      case "failed":
      case "skipped": {
        if (!active.lost) {
          const status = active.stop?.status ?? "failed";
          const error = active.stop
            ? active.stop.reason
            : message.type === "failed"
            ? message.error
            : null;
          if (await endJob(this.#db, active.lease, status, error)) {
            this.#publishEnd(id, status, error);
          }
        }
        return this.#end(active);
      }
    }
  }

  /** A gated run's epoch: its verdict may prune it, unless it was cancelled meanwhile. */
  async #judge(active: ActiveRun, epoch: EpochRow): Promise<void> {
    if (!active.verdict || active.stop) return;
    try {
      const reason = await active.verdict(epoch);
      if (reason !== null && !active.stop && !active.lost) {
        this.#stop(active, { status: "pruned", reason });
      }
    } catch (error) {
      console.error(
        `Run ${active.lease.runId}: judging epoch ${epoch.epoch} failed; training goes on:`,
        error,
      );
    }
  }

  /**
   * Stops the run this engine trains. The first stop stands: a user's later Cancel of a pruned
   * trial's run leaves it `pruned`, and a pruner's verdict after a user's Cancel does not rename
   * it.
   */
  #stop(active: ActiveRun, stop: Stop): void {
    active.stop ??= stop;
    this.#engine?.cancel(active.jobId);
  }

  /** Someone in another process cancelled the run this engine trains: stop with their reason. */
  async #cancelRequested(active: ActiveRun): Promise<void> {
    const reason = await cancelReason(this.#db, active.lease.runId);
    this.#stop(active, { status: "cancelled", reason });
  }

  /** The lease is gone (this process was presumed dead): stop training, write nothing more. */
  #lose(active: ActiveRun): void {
    if (active.lost) return;
    active.lost = true;
    console.error(
      `ajuste: run ${active.lease.runId}'s lease expired before this process renewed it; ` +
        `it stops training the run, which another process settles`,
    );
    this.#engine?.cancel(active.jobId);
  }

  #end(active: ActiveRun): void {
    this.firstLayers.delete(active.lease.runId);
    if (this.#active === active) this.#active = null;
    this.#claimNext();
    this.#checkIdle();
  }

  /** The owner's heartbeat: renews the lease of the run in training, or learns it is lost. */
  async #renew(): Promise<void> {
    const active = this.#active;
    if (!active || active.lost || active.releasing) return;
    let renewal: Renewal | undefined;
    try {
      renewal = (await renewLeases(this.#db, [active.lease], this.leaseMs)).get(
        active.lease.runId,
      );
    } catch (error) {
      console.error(`ajuste: renewing the lease of run ${active.lease.runId} failed:`, error);
      return;
    }
    if (renewal === "lost") this.#lose(active);
    else if (renewal === "cancel" && !active.stop) await this.#cancelRequested(active);
  }

  /** Each poll: expired leases and silent trials settled, queued work claimed, runs relayed. */
  async #poll(): Promise<void> {
    if (this.#closed) return;
    try {
      const reaped = await reapExpired(this.#db);
      for (const id of reaped.requeued) {
        this.#log(`run ${id} queued again: its trainer went silent`);
      }
      for (const id of reaped.failed) this.#log(`run ${id} failed: its trainer died twice`);
      for (const id of reaped.interrupted) {
        this.#log(`run ${id} interrupted: its trial's worker went silent`);
      }
      await new LibsqlStorage(this.#db).failStaleTrials();
      this.#claimNext();
      const training = this.#active?.lease.runId;
      const followed = new Set([...this.#pending, ...this.events.subscribedRuns()]);
      if (training !== undefined) followed.delete(training);
      for (const id of await this.#watcher.relay([...followed])) this.#forget(id);
      this.#watcher.retain(followed);
    } catch (error) {
      console.error(`ajuste: looking after the job queue failed: ${(error as Error).message}`);
    }
  }

  #publishEnd(id: number, status: RunStatus, error: string | null): void {
    if (this.#active?.lease.runId === id || this.#pending.has(id)) {
      this.#log(`run ${id} ${status}${error ? `: ${error}` : ""}`);
    }
    this.#watcher.ended(id, status);
    this.events.publish(id, { type: "status", status, error });
    this.events.publish(id, { type: "done", status });
    this.#forget(id);
  }

  /** Run `id` has ended: nothing of it is left to wait for here. */
  #forget(id: number): void {
    this.#pending.delete(id);
    this.#verdicts.delete(id);
    this.#checkIdle();
  }
}
