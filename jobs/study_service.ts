/**
 * Studies launched from the API or the dashboard: each runs as a study worker inside the server,
 * its trials queued on the server's engine worker like any run. CLI workers may join the same
 * study from other processes; the database keeps them in step.
 *
 * @module
 */

import type { StudySpec } from "../config/study_schema.ts";
import type { Db } from "../db/client.ts";
import { type OpenedStudy, openStudy } from "../db/studies.ts";
import type { RunService } from "./run_service.ts";
import { runStudyWorker } from "./study_worker.ts";

export class StudyService {
  #db: Db;
  #runs: RunService;
  /** Studies with a worker in this process, by id. */
  #active = new Map<number, { controller: AbortController; done: Promise<void> }>();
  /** Set by `stopAll` at shutdown: no worker starts after it. */
  #closed = false;

  constructor(db: Db, runs: RunService) {
    this.#db = db;
    this.#runs = runs;
  }

  /**
   * Creates the study, or joins the one of that name when its study file is the same (a
   * different one is refused with `StudyConflict`), and works on it in the background.
   */
  async start(spec: StudySpec): Promise<OpenedStudy> {
    const opened = await openStudy(this.#db, spec);
    const { study } = opened;
    // A worker being stopped ends first, so a Resume pressed meanwhile is not lost.
    const previous = this.#active.get(study.id);
    if (previous && !previous.controller.signal.aborted) return opened;
    if (previous) await previous.done;
    // Shutting down, or another start won the wait: the study stays as it is (resume later).
    if (this.#closed || this.#active.has(study.id)) return opened;
    const controller = new AbortController();
    const entry = { controller, done: Promise.resolve() };
    entry.done = runStudyWorker({
      db: this.#db,
      service: this.#runs,
      study,
      signal: controller.signal,
    })
      .then(() => {}, (error) => console.error(`Study "${study.name}" stopped: ${error.message}`))
      .finally(() => {
        if (this.#active.get(study.id) === entry) this.#active.delete(study.id);
      });
    this.#active.set(study.id, entry);
    return opened;
  }

  /** Whether a worker in this process works on study `id` (and is not being stopped). */
  isActive(id: number): boolean {
    const active = this.#active.get(id);
    return active !== undefined && !active.controller.signal.aborted;
  }

  /**
   * Stops this server's worker on study `id`: no new trial starts, and the trial in flight is
   * cancelled and re-queued (resuming trains it again). Resolves once the worker has ended;
   * false when no worker here works on the study.
   */
  async stop(id: number): Promise<boolean> {
    const active = this.#active.get(id);
    if (!active || active.controller.signal.aborted) return false;
    active.controller.abort();
    await active.done;
    return true;
  }

  /** Stops every study's worker as `stop` does, for good (server shutdown). */
  async stopAll(): Promise<void> {
    this.#closed = true;
    for (const { controller } of this.#active.values()) controller.abort();
    await Promise.all([...this.#active.values()].map((s) => s.done));
  }
}
