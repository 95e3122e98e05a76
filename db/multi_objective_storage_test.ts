import assert from "node:assert/strict";
import { storeFinishedRun } from "../tests/run_rows.ts";
import { TrialState } from "../tuner/frozen_trial.ts";
import { openDb } from "./client.ts";
import { LibsqlStorage } from "./tuner_storage.ts";

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
