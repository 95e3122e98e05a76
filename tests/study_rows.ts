/**
 * A study written straight to the database for tests that export, rename or delete it: three
 * trials (complete, pruned, still running) through the tuner on the libSQL storage, each with its
 * run and that run's rows in every table hanging off it, plus a final model trained from it. The
 * storage's clock is the caller's, so times (and heartbeats) are known to the millisecond.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { parseRunConfig } from "../config/schema.ts";
import { parseStudySpec } from "../config/study_schema.ts";
import type { Db } from "../db/client.ts";
import { insertRun } from "../db/runs.ts";
import { runCheckpoints, runPredictions } from "../db/schema.ts";
import { openStudy, type StudyRow } from "../db/studies.ts";
import { LibsqlStorage } from "../db/tuner_storage.ts";
import type { RunConfig } from "../engine/spec.ts";
import { createStudy, NopPruner, RandomSampler } from "../tuner/mod.ts";
import { storeFinishedRun } from "./run_rows.ts";

const BASE = {
  epochs: 2,
  device: "cpu",
  data: { dataset: "synthetic-binary", split: { train: 0.8, dev: 0.1, test: 0.1 } },
  model: { layers: [{ units: 8 }] },
};

const EPOCHS = [1, 2].map((epoch) => ({
  epoch,
  trainLoss: 1 / epoch,
  trainAccuracy: 0.5,
  devLoss: 1 / epoch,
  devAccuracy: 0.5 + epoch / 10,
  seconds: 0.25,
}));

/** When seeded studies start, and what their storage's clock reads unless moved. */
export const SEEDED_AT = Date.parse("2025-03-04T05:06:07.000Z");

export interface SeededStudy {
  study: StudyRow;
  /** The trial runs, by trial number. */
  trialRuns: number[];
  /** A final model trained from trial 0: not a trial run. */
  finalRun: number;
  /** Worker name trial 2 runs under. */
  worker: string;
}

function runConfig(name: string): RunConfig {
  const parsed = parseRunConfig({ ...BASE, name });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.config;
}

/**
 * Study `name`: trial 0 COMPLETE (0.8, 1.5 s, user attrs runId and a note that needs CSV
 * quoting), trial 1 PRUNED at epoch 1 with a parameter the others lack (momentum), trial 2
 * RUNNING since `SEEDED_AT` + 3 s with a heartbeat then (grace 20 s).
 */
export async function seedStudy(db: Db, name: string): Promise<SeededStudy> {
  const parsed = parseStudySpec({
    name,
    trials: 10,
    sampler: { type: "random", seed: 0 },
    pruner: { type: "none" },
    base: BASE,
    space: {
      "optimizer.lr": { type: "float", low: 1e-3, high: 1e-1, log: true },
      "optimizer.type": { type: "categorical", choices: ["sgd", "adam"] },
    },
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  const { study } = await openStudy(db, parsed.spec);
  let clock = SEEDED_AT;
  const worker = `host-${name}:1`;
  const storage = new LibsqlStorage(db, { worker, now: () => new Date(clock) });
  const tuner = await createStudy({
    storage,
    name,
    direction: "maximize",
    sampler: new RandomSampler({ seed: 0 }),
    pruner: new NopPruner(),
    loadIfExists: true,
  });
  const trialRuns: number[] = [];
  const start = async (params: Record<string, number | string>) => {
    await tuner.enqueueTrial(params);
    const trial = await tuner.ask();
    trial.suggestFloat("optimizer.lr", 1e-3, 1e-1, { log: true });
    trial.suggestCategorical("optimizer.type", ["sgd", "adam"]);
    if ("optimizer.momentum" in params) trial.suggestFloat("optimizer.momentum", 0, 0.99);
    return trial;
  };

  const complete = await start({ "optimizer.lr": 0.01, "optimizer.type": "adam" });
  trialRuns.push(
    await storeFinishedRun(db, runConfig(`${name} #0`), {
      epochs: EPOCHS,
      weights: new Uint8Array([1, 2, 3]),
      trial: { studyId: study.id, trialNumber: 0 },
    }),
  );
  await db.insert(runPredictions).values({
    runId: trialRuns[0],
    predicted: Buffer.from([0, 1]),
    confidence: Buffer.from(new Float32Array([0.9, 0.8]).buffer),
  });
  await db.insert(runCheckpoints).values({
    runId: trialRuns[0],
    epoch: 2,
    safetensors: Buffer.from([7]),
  });
  complete.report(0.7, 1);
  complete.report(0.8, 2);
  complete.setUserAttr("runId", trialRuns[0]);
  complete.setUserAttr("note", 'lr, "warm" start');
  clock += 1500;
  await tuner.tell(complete, 0.8);

  const pruned = await start({
    "optimizer.lr": 0.1,
    "optimizer.type": "sgd",
    "optimizer.momentum": 0.9,
  });
  trialRuns.push(
    await storeFinishedRun(db, runConfig(`${name} #1`), {
      epochs: EPOCHS.slice(0, 1),
      trial: { studyId: study.id, trialNumber: 1 },
      stopped: { status: "pruned", reason: "Pruned at epoch 1" },
    }),
  );
  pruned.report(0.3, 1);
  pruned.setUserAttr("runId", trialRuns[1]);
  clock += 1500;
  await tuner.tell(pruned, "PRUNED");

  await start({ "optimizer.lr": 0.001, "optimizer.type": "adam" });
  trialRuns.push(
    await insertRun(db, runConfig(`${name} #2`), {
      studyId: study.id,
      trialNumber: 2,
    }, worker),
  );

  const finalRun = await insertRun(db, runConfig(`${name} final`), undefined, undefined, {
    studyId: study.id,
    trialNumber: 0,
  });
  return { study, trialRuns, finalRun, worker };
}
