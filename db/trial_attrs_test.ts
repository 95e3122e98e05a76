import assert from "node:assert/strict";
import { withStorages } from "../tests/storage_pair.ts";

Deno.test("LibsqlStorage merges user and system attributes key by key, any JSON value", async () => {
  await withStorages(async (a, b) => {
    const study = await a.createStudy("attrs", "maximize");
    const trial = await a.createTrial(study.id);
    await a.setTrialUserAttr(trial.id, "runId", 7);
    await a.setTrialUserAttr(trial.id, "note", { text: 'a "quoted" note', tags: ["x"] });
    await a.setTrialUserAttr(trial.id, 'odd "key"', true);
    await a.setTrialSystemAttr(trial.id, "fail_reason", "none yet");
    await a.setTrialUserAttr(trial.id, "runId", 8);
    const [read] = await b.getAllTrials(study.id);
    assert.deepEqual(read.userAttrs, {
      runId: 8,
      note: { text: 'a "quoted" note', tags: ["x"] },
      'odd "key"': true,
    });
    assert.equal(read.systemAttrs.fail_reason, "none yet");
  });
});

Deno.test("LibsqlStorage keeps every attribute whose key json_set cannot quote when two workers write at once", async () => {
  await withStorages(async (a, b) => {
    const study = await a.createStudy("quoted-keys", "maximize");
    const trial = await a.createTrial(study.id);
    await a.setTrialUserAttr(trial.id, "gone", 1);
    await Promise.all(
      Array.from(
        { length: 12 },
        (_, i) => (i % 2 ? a : b).setTrialUserAttr(trial.id, i % 3 ? `k"${i}` : `k\\${i}`, { i }),
      ),
    );
    await b.setTrialUserAttr(trial.id, "gone", undefined);
    const { userAttrs } = await a.getTrial(trial.id);
    assert.deepEqual(
      Object.keys(userAttrs).sort(),
      Array.from({ length: 12 }, (_, i) => i % 3 ? `k"${i}` : `k\\${i}`).sort(),
    );
    assert.deepEqual(userAttrs['k"1'], { i: 1 });
    await a.setTrialState(trial.id, "PRUNED");
    await assert.rejects(() => b.setTrialSystemAttr(trial.id, 'a "b"', 1), /already PRUNED/);
    await assert.rejects(() => b.setTrialUserAttr(99999, 'a "b"', 1), /No trial with id 99999/);
  });
});
