import assert from "node:assert/strict";
import { openDb } from "../../db/client.ts";
import { LibsqlStorage } from "../../db/tuner_storage.ts";
import { createStudy } from "../create_study.ts";
import { TrialState } from "../frozen_trial.ts";
import { MedianPruner } from "../pruners/median.ts";
import { RandomSampler } from "../samplers/random.ts";

Deno.test("A two-objective study: tell two values, bestTrials is the Pareto front", async () => {
  const study = await createStudy({
    directions: ["minimize", "maximize"],
    sampler: new RandomSampler({ seed: 3 }),
  });
  assert.equal(study.isMultiObjective, true);
  for (const values of [[1, 1], [2, 3], [3, 2], [0.5, 0.5], [2, 3]]) {
    const trial = await study.ask();
    await study.tell(trial, values);
  }
  assert.deepEqual(study.trials.map((t) => t.values), [[1, 1], [2, 3], [3, 2], [0.5, 0.5], [
    2,
    3,
  ]]);
  // (3, 2) loses to (2, 3); (1, 1) and (0.5, 0.5) trade off against (2, 3); the tie stays.
  assert.deepEqual(study.bestTrials.map((t) => t.number), [0, 1, 3, 4]);
  assert.throws(() => study.bestTrial, /2 objectives.*bestTrials/);
});

Deno.test("A multi-objective trial told the wrong number of values, or NaN, fails", async () => {
  const study = await createStudy({ directions: ["minimize", "minimize"] });
  await study.optimize(() => [1, 2, 3], { nTrials: 1 });
  await study.optimize(() => [1, NaN], { nTrials: 1 });
  await study.optimize(() => 1, { nTrials: 1 });
  assert.deepEqual(study.trials.map((t) => t.state), ["FAIL", "FAIL", "FAIL"]);
  assert.match(String(study.trials[0].systemAttrs.fail_reason), /3 value\(s\) for 2 objective/);
});

Deno.test("Pruning is refused in multi-objective studies, as Optuna does", async () => {
  await assert.rejects(
    () => createStudy({ directions: ["minimize", "minimize"], pruner: new MedianPruner() }),
    /Pruning is not supported for multi-objective/,
  );
  const study = await createStudy({ directions: ["minimize", "minimize"] });
  await study.optimize((trial) => {
    trial.report(1, 0);
    return [1, 1];
  }, { nTrials: 1, catch: true });
  assert.equal(study.trials[0].state, TrialState.FAIL);
  assert.match(String(study.trials[0].systemAttrs.fail_reason), /report\(\) is not supported/);
});

Deno.test("LibsqlStorage keeps a study's directions and its trials' values", async () => {
  const dir = await Deno.makeTempDir();
  const { db, close } = await openDb({ url: `file:${dir}/mo.db` });
  try {
    const storage = new LibsqlStorage(db);
    const study = await createStudy({
      storage,
      name: "mo",
      directions: ["maximize", "minimize"],
      sampler: new RandomSampler({ seed: 1 }),
    });
    await study.optimize((trial) => [trial.suggestFloat("x", 0, 1), 5], { nTrials: 2 });
    const again = await createStudy({
      storage,
      name: "mo",
      directions: ["maximize", "minimize"],
      loadIfExists: true,
    });
    assert.deepEqual(again.directions, ["maximize", "minimize"]);
    assert.deepEqual(again.trials.map((t) => t.values?.[1]), [5, 5]);
    assert.equal(again.trials[0].value, again.trials[0].values![0]);
    await assert.rejects(
      () => createStudy({ storage, name: "mo", direction: "maximize", loadIfExists: true }),
      /exists with directions/,
    );
    // A single-objective study in the same database reads as before: no values array.
    const single = await createStudy({ storage, name: "one", direction: "maximize" });
    await single.optimize(() => 0.5, { nTrials: 1 });
    assert.equal(single.trials[0].values, undefined);
    assert.equal(single.bestValue, 0.5);
  } finally {
    close();
    await Deno.remove(dir, { recursive: true });
  }
});
