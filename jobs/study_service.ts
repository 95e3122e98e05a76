/**
 * Studies started from the API or the dashboard. Starting one marks it active in the database;
 * every process that trains (a server with an engine, `deno task work`) follows the active
 * studies — after a restart too — with a study worker of its own, its trials queued on its
 * engine like any run and reserved for it. Stopping a study clears the mark: each worker stops,
 * re-queueing the trial it had in flight. A study whose trials are all done is no longer active.
 * CLI workers (`deno task tune`) may join the same study; the database keeps them in step.
 *
 * @module
 */

import type { StudySpec } from "../config/study_schema.ts";
import type { Db } from "../db/client.ts";
import {
  activeStudies,
  getStudyById,
  type OpenedStudy,
  openStudy,
  setStudyActive,
  type StudyRow,
} from "../db/studies.ts";
import type { ParallelChoice } from "./parallel.ts";
import type { RunService } from "./run_service.ts";
import { runStudyLanes } from "./study_lanes.ts";

/** How long a study whose worker failed waits before this process tries it again. */
const RETRY_AFTER_FAILURE_MS = 30_000;

export interface StudyServiceOptions {
  /** How often active studies are looked for (default 1 s). */
  pollMs?: number;
  /** Told one line when a worker here starts on a study and when it stops. */
  log?: (line: string) => void;
  /**
   * How many trials of a study train at once here (`jobs/parallel.ts`), with `lane` making the
   * run service (and engine process) of each lane past the first; without them, one at a time.
   */
  parallel?: (spec: StudySpec) => Promise<ParallelChoice>;
  lane?: (k: number) => RunService;
}

interface LocalWorker {
  controller: AbortController;
  done: Promise<void>;
  /** Trials it trains at once, once chosen. */
  parallel: ParallelChoice | null;
}

export class StudyService {
  readonly #db: Db;
  readonly #runs: RunService;
  readonly #log: (line: string) => void;
  readonly #parallel: StudyServiceOptions["parallel"];
  readonly #lane: StudyServiceOptions["lane"];
  /** Studies with a worker in this process, by id. */
  #workers = new Map<number, LocalWorker>();
  /** Studies whose worker here failed, and when this process may try again. */
  #failedUntil = new Map<number, number>();
  #timer: ReturnType<typeof setInterval> | null = null;
  /** Set by `stopAll` at shutdown: no worker starts after it. */
  #closed = false;
  /** A look at the active studies under way, awaited by `stopAll`. */
  #inFlight = new Set<Promise<void>>();

  constructor(db: Db, runs: RunService, options: StudyServiceOptions = {}) {
    this.#db = db;
    this.#runs = runs;
    this.#log = options.log ?? (() => {});
    this.#parallel = options.parallel;
    this.#lane = options.lane;
    if (runs.trains) {
      this.#timer = setInterval(() => this.#track(this.#follow()), options.pollMs ?? 1000);
      this.#track(this.#follow());
    }
  }

  /**
   * Creates the study, or joins the one of that name when its study file is the same (a
   * different one is refused with `StudyConflict`), and marks it active: it is worked on here
   * when this process trains, and by `deno task work` processes.
   */
  async start(spec: StudySpec): Promise<OpenedStudy> {
    const opened = await openStudy(this.#db, spec);
    await setStudyActive(this.#db, opened.study.id, true);
    this.#failedUntil.delete(opened.study.id);
    const previous = this.#workers.get(opened.study.id);
    // A worker being stopped ends first, so a Resume pressed meanwhile is not lost.
    if (previous?.controller.signal.aborted) await previous.done;
    await this.#track(this.#follow());
    return opened;
  }

  /**
   * Stops study `id` everywhere: it is no longer active, so no new trial starts, and each
   * worker's trial in flight is cancelled and re-queued (resuming trains it again). Resolves once
   * this process's worker has ended; false when the study was not active.
   */
  async stop(id: number): Promise<boolean> {
    const study = await getStudyById(this.#db, id);
    if (!study?.active) return false;
    await setStudyActive(this.#db, id, false);
    const local = this.#workers.get(id);
    if (local) {
      local.controller.abort();
      await local.done;
    }
    return true;
  }

  /** Stops this process's workers, leaving their studies active for the next start (shutdown). */
  async stopAll(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    await Promise.allSettled([...this.#inFlight]);
    for (const { controller } of this.#workers.values()) controller.abort();
    await Promise.all([...this.#workers.values()].map((worker) => worker.done));
  }

  #track(work: Promise<void>): Promise<void> {
    this.#inFlight.add(work);
    return work.finally(() => this.#inFlight.delete(work));
  }

  /** Starts a worker on each active study that has none here; stops those of stopped studies. */
  async #follow(): Promise<void> {
    if (this.#closed || !this.#runs.trains) return;
    let active: StudyRow[];
    try {
      active = await activeStudies(this.#db);
    } catch (error) {
      console.error(`ajuste: reading the active studies failed: ${(error as Error).message}`);
      return;
    }
    const ids = new Set(active.map((study) => study.id));
    for (const [id, worker] of this.#workers) if (!ids.has(id)) worker.controller.abort();
    for (const study of active) {
      if (this.#closed || this.#workers.has(study.id)) continue;
      if ((this.#failedUntil.get(study.id) ?? 0) > Date.now()) continue;
      this.#startWorker(study);
    }
  }

  /** How many trials of study `id` this process trains at once, while it works on it. */
  parallelOf(id: number): ParallelChoice | null {
    return this.#workers.get(id)?.parallel ?? null;
  }

  #startWorker(study: StudyRow): void {
    const controller = new AbortController();
    const worker: LocalWorker = { controller, done: Promise.resolve(), parallel: null };
    worker.done = this.#work(study, worker)
      .then(async ({ finished }) => {
        // Every trial is done: nobody needs to work on it any more.
        if (finished) await setStudyActive(this.#db, study.id, false);
        this.#log(
          `study ${study.id} "${study.name}" ${finished ? "finished" : "no longer worked on here"}`,
        );
      }, (error) => {
        console.error(`Study "${study.name}" stopped: ${error.message}`);
        this.#failedUntil.set(study.id, Date.now() + RETRY_AFTER_FAILURE_MS);
      })
      .finally(() => {
        if (this.#workers.get(study.id) === worker) this.#workers.delete(study.id);
      });
    this.#workers.set(study.id, worker);
  }

  async #work(study: StudyRow, worker: LocalWorker) {
    const lane = this.#lane;
    const choice = this.#parallel && lane
      ? await this.#parallel(study.spec)
      : { trials: 1, why: "one engine" };
    worker.parallel = choice;
    const atOnce = choice.trials > 1 ? `, ${choice.trials} at once (${choice.why})` : "";
    this.#log(`study ${study.id} "${study.name}": working on its trials here${atOnce}`);
    return await runStudyLanes({
      db: this.#db,
      service: this.#runs,
      study,
      signal: worker.controller.signal,
      parallel: choice.trials,
      lane: (k) => lane!(k),
    });
  }
}
