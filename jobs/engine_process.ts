/**
 * The engine in a supervised process of its own (`engine_process_main.ts`), so that no job can
 * take the server down: a job that exhausts memory, blocks reading its data or crashes the GPU
 * driver ends at most the engine process. Its parent — the server, `deno task work` or
 * `deno task tune` — fails that job with the reason, starts a new engine for the next job, and
 * goes on answering meanwhile. (A Worker would not do: an out-of-memory abort or a native crash
 * in any thread ends the whole Deno process.)
 *
 * A job whose data takes longer than the load timeout to load is failed too, and its engine
 * killed: that frees the engine from a read that never returns.
 *
 * @module
 */

import { calibrationFile } from "../engine/calibration_cache.ts";
import { trackHandle } from "../engine/open_handles.ts";
import type { DatasetRoots } from "../engine/data/load.ts";
import type { RunConfig } from "../engine/spec.ts";
import {
  endsJob,
  type Engine,
  type HostMessage,
  type JobListener,
  type JobOptions,
  type WorkerMessage,
} from "../engine/worker_protocol.ts";
import { encodeFrame, readFrames } from "./frames.ts";

/** How long a job's data may take to load by default (MNIST takes about a second). */
export const DEFAULT_LOAD_TIMEOUT_MS = 120_000;

export interface EngineProcessOptions {
  roots: DatasetRoots;
  /** Loading a job's data may take this long; then the job fails and the engine restarts. */
  loadTimeoutMs?: number;
}

interface Child {
  process: Deno.ChildProcess;
  writer: WritableStreamDefaultWriter<Uint8Array>;
  /** Why this process is being killed, when the parent kills it (a load timed out, close). */
  killedBecause: string | null;
  exited: Promise<void>;
}

const ENTRY = new URL("./engine_process_main.ts", import.meta.url).pathname;
const CONFIG = new URL("../deno.json", import.meta.url).pathname;

export class EngineProcess implements Engine {
  readonly #roots: DatasetRoots;
  readonly #loadTimeoutMs: number;
  #child: Child | null = null;
  #listeners = new Map<number, JobListener>();
  /** Jobs submitted and not ended, in order: the first is the one training. */
  #queue: number[] = [];
  #loadTimer: { jobId: number; timer: ReturnType<typeof setTimeout> } | null = null;
  #nextJobId = 1;
  /** Messages are handled one after another, so a job's epoch is stored before its end. */
  #handled: Promise<void> = Promise.resolve();

  constructor(options: EngineProcessOptions) {
    this.#roots = options.roots;
    this.#loadTimeoutMs = options.loadTimeoutMs ?? DEFAULT_LOAD_TIMEOUT_MS;
  }

  submit(config: RunConfig, listener: JobListener, options: JobOptions = {}): number {
    const jobId = this.#nextJobId++;
    this.#listeners.set(jobId, listener);
    this.#queue.push(jobId);
    this.#send({
      type: "run",
      jobId,
      config,
      roots: this.#roots,
      ...options,
      gated: options.gated === true,
    });
    this.#timeLoad();
    return jobId;
  }

  /**
   * Starts the engine process now, loading `datasets` (dataset ids; `trainRows` of each, all when
   * absent) while the caller still sets up: the first job then skips the process's start and
   * the load (for MNIST ~0.2 s each here).
   */
  prepare(datasets: string[], trainRows?: number): void {
    this.#send({ type: "prepare", datasets, trainRows, roots: this.#roots });
  }

  resume(jobId: number): void {
    if (this.#listeners.has(jobId)) this.#send({ type: "continue", jobId });
  }

  cancel(jobId: number): void {
    if (this.#listeners.has(jobId)) this.#send({ type: "cancel", jobId });
  }

  settled(): Promise<void> {
    return this.#handled;
  }

  /** The engine process's id while one runs. */
  get pid(): number | null {
    return this.#child?.process.pid ?? null;
  }

  async close(): Promise<void> {
    this.#listeners.clear();
    this.#queue = [];
    this.#clearLoadTimer();
    const child = this.#child;
    if (!child) return;
    child.killedBecause = "the engine was closed";
    this.#kill(child);
    await child.exited;
  }

  #send(message: HostMessage): void {
    const child = this.#child ??= this.#spawn();
    // A write to a process that just died fails; its exit fails the jobs it had.
    for (const part of encodeFrame(message)) child.writer.write(part).catch(() => {});
  }

  #spawn(): Child {
    const process = new Deno.Command(Deno.execPath(), {
      // --allow-ffi loads OpenBLAS for the fast CPU backend (engine/cpu/blas_gemm.ts); writing
      // is allowed to device "auto"'s calibration file only (engine/calibration_cache.ts).
      args: [
        "run",
        "--config",
        CONFIG,
        "--allow-read",
        "--allow-env",
        "--allow-sys",
        "--allow-ffi",
        ...calibrationWrite(),
        ENTRY,
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const release = trackHandle("process", `engine process (pid ${process.pid})`);
    const child: Child = {
      process,
      writer: process.stdin.getWriter(),
      killedBecause: null,
      exited: Promise.resolve(),
    };
    const reading = (async () => {
      try {
        for await (const message of readFrames(process.stdout)) {
          this.#handle(message as WorkerMessage);
        }
      } catch {
        // A torn last frame: the process died mid-write, which its exit reports.
      }
    })();
    child.exited = Promise.all([process.status, reading]).then(([status]) => {
      release();
      this.#onExit(child, status);
    });
    return child;
  }

  #handle(message: WorkerMessage): void {
    if (message.type === "loaded" && this.#loadTimer?.jobId === message.jobId) {
      this.#clearLoadTimer();
    }
    if (endsJob(message)) {
      this.#queue = this.#queue.filter((id) => id !== message.jobId);
      if (this.#loadTimer?.jobId === message.jobId) this.#clearLoadTimer();
      this.#timeLoad();
    }
    this.#dispatch(message);
  }

  #dispatch(message: WorkerMessage): void {
    const listener = this.#listeners.get(message.jobId);
    if (!listener) return;
    if (endsJob(message)) this.#listeners.delete(message.jobId);
    this.#handled = this.#handled.then(() => listener(message)).catch((error) => {
      console.error("Engine process: a job listener failed:", error);
    });
  }

  /** Starts the load clock of the job now at the head of the queue, if it has none yet. */
  #timeLoad(): void {
    const head = this.#queue[0];
    if (head === undefined || this.#loadTimer !== null) return;
    const timer = setTimeout(() => {
      const child = this.#child;
      if (!child) return;
      child.killedBecause = `Loading the data took longer than ${
        this.#loadTimeoutMs / 1000
      } s; the engine was restarted`;
      this.#kill(child);
    }, this.#loadTimeoutMs);
    this.#loadTimer = { jobId: head, timer };
  }

  #clearLoadTimer(): void {
    if (this.#loadTimer) clearTimeout(this.#loadTimer.timer);
    this.#loadTimer = null;
  }

  #kill(child: Child): void {
    try {
      child.process.kill("SIGKILL");
    } catch {
      // already gone
    }
  }

  /** The process ended: each job it had fails with why, and the next job starts a new one. */
  #onExit(child: Child, status: Deno.CommandStatus): void {
    if (this.#child === child) this.#child = null;
    this.#clearLoadTimer();
    const error = child.killedBecause ?? `The engine process ${describeExit(status)}`;
    for (const jobId of this.#queue) this.#dispatch({ type: "failed", jobId, error });
    this.#queue = [];
  }
}

/** "died of SIGKILL (the system may have run out of memory)", "exited with code 70". */
export function describeExit(status: Deno.CommandStatus): string {
  if (status.signal) {
    const hint = status.signal === "SIGKILL" ? " (the system may have run out of memory)" : "";
    return `died of ${status.signal}${hint}`;
  }
  return `exited with code ${status.code}`;
}

/** Write access to the calibration file's folder (its lock and temporary files sit beside it). */
function calibrationWrite(): string[] {
  const file = calibrationFile();
  const slash = file?.lastIndexOf("/") ?? -1;
  return file && slash > 0 ? [`--allow-write=${file.slice(0, slash)}`] : [];
}
