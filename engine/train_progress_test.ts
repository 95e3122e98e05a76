import assert from "node:assert/strict";
import { tinySgdRun } from "./train_fixtures.ts";
import { train, type TrainProgress } from "./train.ts";

const config = tinySgdRun({ name: "progress", seed: 4, batchSize: 64, epochs: 2 });

Deno.test("train() says each phase before the first epoch in order, then every CPU step, and times the warm-up apart", async () => {
  const events: (TrainProgress | { phase: "started" } | { phase: "epoch"; epoch: number })[] = [];
  // A clock that jumps 5 s between the start and the session being ready.
  let clock = 0;
  const result = await train(config, {
    roots: { mnist: "unused" },
    now: () => clock,
    onProgress: (progress) => {
      events.push(progress);
      if (progress.phase === "compiling") clock += 5000;
    },
    onStart: () => {
      events.push({ phase: "started" });
    },
    onEpoch: (record) => {
      events.push({ phase: "epoch", epoch: record.epoch });
    },
  });
  assert.deepEqual(events.slice(0, 4).map((e) => e.phase), [
    "loading",
    "device",
    "compiling",
    "started",
  ]);
  assert.deepEqual(events[2], { phase: "compiling", backend: "cpu" });
  assert.equal(result.device.warmupSeconds, 5, "the warm-up is measured");
  assert.equal(result.epochs[0].seconds, 0, "and not counted in epoch 1");
  // Every step of each epoch, counted from 1, before that epoch's record.
  const steps = events.slice(4, events.findIndex((e) => e.phase === "epoch"));
  assert.ok(steps.length > 1);
  steps.forEach((e, i) => {
    assert.ok(e.phase === "training");
    assert.deepEqual({ epoch: e.epoch, step: e.step }, { epoch: 1, step: i + 1 });
    assert.equal(e.steps, steps.length);
  });
  const second = events.filter((e) => e.phase === "training" && e.epoch === 2);
  assert.equal(second.length, steps.length);
});
