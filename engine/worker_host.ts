/**
 * The main-thread side of the engine worker: submits jobs, forwards cancels, and hands each
 * worker message to the job's listener. One worker, so the GPU device has one owner.
 *
 * @module
 */

import type { DatasetRoots } from "./data/load.ts";
import { trackHandle } from "./open_handles.ts";
import type { RunConfig } from "./spec.ts";
import {
  endsJob,
  type Engine,
  type HostMessage,
  type JobListener,
  type JobOptions,
  type WorkerMessage,
} from "./worker_protocol.ts";

export type { JobListener };

export class EngineHost implements Engine {
  /** Started on the first job, so a server that trains nothing starts no worker. */
  #worker: Worker | null = null;
  #releaseWorker: () => void = () => {};
  #listeners = new Map<number, JobListener>();
  #nextJobId = 1;
  #roots: DatasetRoots;
  /** Messages are handled one after another, so a job's epoch is stored before its end. */
  #handled: Promise<void> = Promise.resolve();

  constructor(roots: DatasetRoots) {
    this.#roots = roots;
  }

  #start(): Worker {
    const worker = new Worker(new URL("./worker_entry.ts", import.meta.url), { type: "module" });
    this.#releaseWorker = trackHandle("engine worker", "engine/worker_entry.ts");
    worker.onmessage = (event: MessageEvent<WorkerMessage>) => {
      this.#handled = this.#handled.then(() => this.#dispatch(event.data)).catch((error) => {
        console.error("Engine host: a job listener failed:", error);
      });
    };
    worker.onerror = (event) => {
      event.preventDefault();
      const error = `Engine worker crashed: ${event.message}`;
      for (const [jobId, listener] of this.#listeners) listener({ type: "failed", jobId, error });
      this.#listeners.clear();
      worker.terminate();
      this.#worker = null;
      this.#releaseWorker();
    };
    return worker;
  }

  /**
   * Queues a job; the listener gets every message for it, ending with `finished` or `failed`.
   * A `gated` job waits after each epoch until `resume` (or `cancel`).
   */
  submit(config: RunConfig, listener: JobListener, options: JobOptions = {}): number {
    const jobId = this.#nextJobId++;
    this.#listeners.set(jobId, listener);
    this.#worker ??= this.#start();
    const message: HostMessage = {
      type: "run",
      jobId,
      config,
      roots: this.#roots,
      ...options,
      gated: options.gated === true,
    };
    this.#worker.postMessage(message);
    return jobId;
  }

  /** Lets a gated job go on to its next epoch. */
  resume(jobId: number): void {
    this.#worker?.postMessage({ type: "continue", jobId } satisfies HostMessage);
  }

  cancel(jobId: number): void {
    this.#worker?.postMessage({ type: "cancel", jobId } satisfies HostMessage);
  }

  /** Resolves once every message received so far has been handled. */
  settled(): Promise<void> {
    return this.#handled;
  }

  get pendingJobs(): number {
    return this.#listeners.size;
  }

  /** Ends the worker (and with it any GPU device); queued jobs are dropped. */
  terminate(): void {
    this.#worker?.terminate();
    this.#worker = null;
    this.#releaseWorker();
    this.#listeners.clear();
  }

  close(): Promise<void> {
    this.terminate();
    return Promise.resolve();
  }

  async #dispatch(message: WorkerMessage): Promise<void> {
    const listener = this.#listeners.get(message.jobId);
    if (!listener) return;
    if (endsJob(message)) this.#listeners.delete(message.jobId);
    await listener(message);
  }
}
