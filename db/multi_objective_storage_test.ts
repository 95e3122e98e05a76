import assert from "node:assert/strict";
import { storeFinishedRun } from "../tests/run_rows.ts";
import { TrialState } from "../tuner/frozen_trial.ts";
import { openDb } from "./client.ts";
import { LibsqlStorage } from "./tuner_storage.ts";
import { parseStudySpec } from "../config/study_schema.ts";
import { studyReport } from "../jobs/study_report.ts";
import { FloatDistribution } from "../tuner/distributions.ts";
import { getStudyById, listStudies, openStudy } from "./studies.ts";

Deno.test("A silent multi-objective trial whose run completed is re-queued, not completed with one value", async () => {
  const dir = await Deno.makeTempDir();
  const { db, close } = await openDb({ url: `file:${dir}/mo.db` });
  let ms = Date.now();
  const now = () => new Date(ms);
  try {
    const a = new LibsqlStorage(db, { worker: "a", now, gracePeriodSeconds: 1 });
    const study = await a.createStudy("mo-recover", ["maximize", "minimize"], {
      trials: 1,
      metric: "devAccuracy",
      metrics: ["devAccuracy", "parameterCount"],
    });
    const trial = await a.createTrial(study.id);
    const config = { name: "t", epochs: 1, data: { dataset: "synthetic-binary" } } as never;
    const epoch = {
      epoch: 1,
      trainLoss: 0.5,
      trainAccuracy: 0.5,
      devLoss: 0.5,
      devAccuracy: 0.7,
      seconds: 0.1,
    };
    const runId = await storeFinishedRun(db, config, { epochs: [epoch] });
    await a.setTrialUserAttr(trial.id, "runId", runId);
    ms += 1200;
    const failed = await a.failStaleTrials(study.id);
    assert.deepEqual(failed.map((t) => t.number), [trial.number]);
    const trials = await a.getAllTrials(study.id);
    assert.equal(trials[0].state, TrialState.FAIL);
    assert.equal(trials[1].state, TrialState.WAITING, "its params queued again");
  } finally {
    close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("With constraints, the best value and best trial are the best feasible trial's", async () => {
  const dir = await Deno.makeTempDir();
  const { db, close } = await openDb({ url: `file:${dir}/c.db` });
  try {
    const parsed = parseStudySpec({
      name: "constrained",
      direction: "maximize",
      constraints: [{ metric: "parameterCount", max: 1000 }],
      space: { "optimizer.lr": { type: "float", low: 0.001, high: 0.1 } },
    });
    assert.ok(parsed.ok);
    const { study } = await openStudy(db, parsed.spec);
    const storage = new LibsqlStorage(db);
    const lr = new FloatDistribution(0.001, 0.1);
    // The best accuracy is outside the constraint; the feasible best is 0.8.
    for (const [value, constraint] of [[0.95, 500], [0.8, -10], [0.7, -500]]) {
      await storage.createTrial(study.id, {
        state: TrialState.COMPLETE,
        value,
        params: { "optimizer.lr": 0.01 },
        distributions: { "optimizer.lr": lr },
        systemAttrs: { constraints: [constraint] },
      });
    }
    const [listed] = await listStudies(db);
    assert.equal(listed.bestValue, 0.8);
    const report = await studyReport(db, (await getStudyById(db, study.id))!);
    assert.equal(report.bestValue, 0.8);
    assert.equal(report.bestTrial, 1);
    assert.deepEqual(report.trials.map((t) => t.feasible), [false, true, true]);
  } finally {
    close();
    await Deno.remove(dir, { recursive: true });
  }
});
