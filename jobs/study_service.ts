/**
 * Studies launched from the API or the dashboard: each runs as a study worker inside the server,
 * its trials queued on the server's engine worker like any run. CLI workers may join the same
 * study from other processes; the database keeps them in step.
 *
 * @module
 */

import type { StudySpec } from "../config/study_schema.ts";
import type { Db } from "../db/client.ts";
import { openStudy, type StudyRow } from "../db/studies.ts";
import type { RunService } from "./run_service.ts";
import { runStudyWorker } from "./study_worker.ts";

export class StudyService {
  #db: Db;
  #runs: RunService;
  /** Studies with a worker in this process, by id. */
  #active = new Map<number, { controller: AbortController; done: Promise<void> }>();

  constructor(db: Db, runs: RunService) {
    this.#db = db;
    this.#runs = runs;
  }

  /** Creates (or joins) the study and starts working on it in the background. */
  async start(spec: StudySpec): Promise<StudyRow> {
    const study = await openStudy(this.#db, spec);
    if (this.#active.has(study.id)) return study;
    const controller = new AbortController();
    const done = runStudyWorker({
      db: this.#db,
      service: this.#runs,
      study,
      signal: controller.signal,
    })
      .then(() => {}, (error) => console.error(`Study "${study.name}" stopped: ${error.message}`))
      .finally(() => this.#active.delete(study.id));
    this.#active.set(study.id, { controller, done });
    return study;
  }

  isActive(id: number): boolean {
    return this.#active.has(id);
  }

  /** Stops starting new trials of every study; the trial in flight ends as its run does. */
  async stopAll(): Promise<void> {
    for (const { controller } of this.#active.values()) controller.abort();
    await Promise.all([...this.#active.values()].map((s) => s.done));
  }
}
