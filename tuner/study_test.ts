import assert from "node:assert/strict";
import { createStudy } from "./create_study.ts";
import { FloatDistribution, IntDistribution } from "./distributions.ts";
import { TrialPruned } from "./errors.ts";
import { TrialState } from "./frozen_trial.ts";
import { InMemoryStorage } from "./in_memory_storage.ts";
import { NopPruner } from "./pruners/nop.ts";
import { RandomSampler } from "./samplers/random.ts";

function randomStudy(direction: "minimize" | "maximize" = "minimize") {
  return createStudy({
    direction,
    sampler: new RandomSampler({ seed: 1 }),
    pruner: new NopPruner(),
  });
}

Deno.test("Study.optimize() with catch marks a throwing trial FAIL and goes on", async () => {
  const study = await randomStudy();
  let calls = 0;
  await study.optimize((trial) => {
    calls++;
    const x = trial.suggestFloat("x", 0, 1);
    if (trial.number === 1) throw new Error("out of memory");
    return x;
  }, { nTrials: 4, catch: true });
  assert.equal(calls, 4);
  assert.deepEqual(study.trials.map((t) => t.state), ["COMPLETE", "FAIL", "COMPLETE", "COMPLETE"]);
  assert.equal(study.trials[1].systemAttrs.fail_reason, "out of memory");
  assert.equal(study.trials[1].value, null);
  assert.ok("x" in study.trials[1].params);
});

Deno.test("Study.optimize() records FAIL then rethrows an error it does not catch", async () => {
  const study = await randomStudy();
  class Diverged extends Error {}
  const objective = (trial: { number: number }) => {
    if (trial.number === 0) throw new Diverged("loss is NaN");
    throw new TypeError("bug");
  };
  await study.optimize(objective, { nTrials: 1, catch: [Diverged] });
  await assert.rejects(study.optimize(objective, { nTrials: 3, catch: [Diverged] }), TypeError);
  assert.deepEqual(study.trials.map((t) => t.state), ["FAIL", "FAIL"]);
});

Deno.test("Study.optimize() fails a trial whose objective returns NaN, without throwing", async () => {
  const study = await randomStudy();
  await study.optimize(() => NaN, { nTrials: 2 });
  assert.deepEqual(study.trials.map((t) => t.state), ["FAIL", "FAIL"]);
  assert.match(String(study.trials[0].systemAttrs.fail_reason), /returned NaN/);
  assert.throws(() => study.bestTrial, /has no COMPLETE trial yet/);
});

Deno.test("Study.optimize() prunes on TrialPruned and keeps the last intermediate value", async () => {
  const study = await randomStudy();
  await study.optimize((trial) => {
    trial.report(0.9, 0);
    trial.report(0.7, 1);
    throw new TrialPruned();
  }, { nTrials: 1 });
  assert.equal(study.trials[0].state, TrialState.PRUNED);
  assert.equal(study.trials[0].value, 0.7);
  assert.deepEqual([...study.trials[0].intermediateValues], [[0, 0.9], [1, 0.7]]);
});

Deno.test("bestParams and bestValue follow the study direction", async () => {
  for (const direction of ["minimize", "maximize"] as const) {
    const study = await randomStudy(direction);
    for (const x of [3, -1, 7, 2]) {
      await study.enqueueTrial({ x });
      const trial = await study.ask({ x: new IntDistribution(-10, 10) });
      await study.tell(trial, trial.params.x as number);
    }
    assert.equal(study.bestValue, direction === "minimize" ? -1 : 7, direction);
    assert.equal(study.bestParams.x, study.bestValue);
    assert.equal(study.bestTrial.number, direction === "minimize" ? 1 : 2);
  }
});

Deno.test("ask() and tell() drive trials by hand, told by object or number", async () => {
  const study = await randomStudy();
  const first = await study.ask({ lr: new FloatDistribution(1e-4, 1e-1, { log: true }) });
  const second = await study.ask();
  assert.deepEqual([first.number, second.number], [0, 1]);
  assert.ok((first.params.lr as number) >= 1e-4 && (first.params.lr as number) <= 1e-1);
  assert.equal(study.trials[1].state, TrialState.RUNNING);
  await study.tell(1, 0.5);
  await study.tell(first, TrialState.PRUNED);
  assert.deepEqual(study.trials.map((t) => t.state), ["PRUNED", "COMPLETE"]);
  await assert.rejects(study.tell(1, 0.1), /Trial 1 is COMPLETE; only a RUNNING trial/);
  await assert.rejects(study.tell(7, 0.1), /has no trial number 7/);
  const third = await study.ask();
  await assert.rejects(study.tell(third, "COMPLETE" as never), /tell a number, "PRUNED" or "FAIL"/);
});

Deno.test("enqueueTrial() fixes the parameters of the next asked trial", async () => {
  const study = await randomStudy();
  await study.enqueueTrial({ lr: 0.01, optimizer: "adam" });
  await study.optimize((trial) => {
    const lr = trial.suggestFloat("lr", 1e-4, 1e-1, { log: true });
    const optimizer = trial.suggestCategorical("optimizer", ["sgd", "adam"]);
    const units = trial.suggestInt("units", 64, 1024, { step: 64 });
    return lr * units * (optimizer === "adam" ? 1 : 2);
  }, { nTrials: 2 });
  assert.deepEqual(
    { lr: study.trials[0].params.lr, optimizer: study.trials[0].params.optimizer },
    { lr: 0.01, optimizer: "adam" },
  );
  assert.notEqual(study.trials[1].params.lr, 0.01);
  await study.enqueueTrial({ optimizer: "lbfgs" });
  await assert.rejects(
    study.optimize((trial) => trial.suggestCategorical("optimizer", ["sgd", "adam"]) ? 1 : 0, {
      nTrials: 1,
    }),
    /"lbfgs" is not one of the choices/,
  );
});

Deno.test("Trial.suggest*() validates ranges and keeps one distribution per name", async () => {
  const study = await randomStudy();
  const trial = await study.ask();
  assert.throws(() => trial.suggestFloat("lr", 1, 0.1), /Parameter "lr" has low 1 above high 0.1/);
  assert.throws(() => trial.suggestFloat("lr", 0, 1, { log: true }), /log range needs low > 0/);
  assert.throws(
    () => trial.suggestFloat("lr", 0.1, 1, { log: true, step: 0.1 }),
    /sets both log and step/,
  );
  const x = trial.suggestFloat("x", 0, 1);
  assert.equal(trial.suggestFloat("x", 0, 1), x);
  assert.throws(() => trial.suggestFloat("x", 0, 2), /Parameter "x" was suggested as/);
  assert.throws(() => trial.suggestInt("x", 0, 1), /a name keeps one distribution/);
  assert.equal(trial.suggestInt("fixed", 4, 4), 4);
  assert.throws(() => trial.report(1, -1), /step must be an integer ≥ 0/);
});

Deno.test("createStudy() refuses a taken name unless loadIfExists, and then resumes it", async () => {
  const storage = new InMemoryStorage();
  const first = await createStudy({ name: "mnist", storage, sampler: new RandomSampler() });
  await first.optimize((trial) => trial.suggestFloat("x", 0, 1), { nTrials: 3 });
  await assert.rejects(
    createStudy({ name: "mnist", storage }),
    /already exists; pass loadIfExists/,
  );
  await assert.rejects(
    createStudy({ name: "mnist", storage, direction: "maximize", loadIfExists: true }),
    /exists with direction "minimize"/,
  );
  const resumed = await createStudy({ name: "mnist", storage, loadIfExists: true });
  assert.equal(resumed.trials.length, 3);
  assert.equal(resumed.bestValue, first.bestValue);
  await assert.rejects(createStudy({ direction: "up" as never }), /use "minimize" or "maximize"/);
});

Deno.test("Study.optimize() calls callbacks per trial and honours stop()", async () => {
  const study = await randomStudy();
  const seen: number[] = [];
  await study.optimize((trial) => trial.suggestFloat("x", 0, 1), {
    nTrials: 10,
    callbacks: [(s, trial) => {
      seen.push(trial.number);
      if (trial.number === 2) s.stop();
    }],
  });
  assert.deepEqual(seen, [0, 1, 2]);
  await assert.rejects(study.optimize(() => 0, { nTrials: 1.5 }), /nTrials must be an integer/);
});

Deno.test("Study.optimize() with only a timeout starts no trial once it has passed", async () => {
  const study = await randomStudy();
  await study.optimize(async (trial) => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    return trial.suggestFloat("x", 0, 1);
  }, { timeout: 0.05 });
  // Trials start at 0, ≥ 20 and ≥ 40 ms; none may start at or after 50 ms.
  assert.ok(study.trials.length >= 1 && study.trials.length <= 3, `${study.trials.length} trials`);
  assert.ok(study.trials.every((t) => t.state === "COMPLETE"));
});
