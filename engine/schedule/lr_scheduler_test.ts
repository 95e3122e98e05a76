import assert from "node:assert/strict";
import type { OneCycleLrSpec, SgdSpec } from "../spec.ts";
import { assertSchedulerFits, createLrScheduler, withHyper } from "./lr_scheduler.ts";

const SGD: SgdSpec = {
  type: "sgd",
  lr: 0.1,
  momentum: 0,
  dampening: 0,
  weightDecay: 0,
  nesterov: false,
};
const ONE_CYCLE: OneCycleLrSpec = {
  type: "one_cycle",
  maxLr: 1,
  pctStart: 0.3,
  annealStrategy: "linear",
  cycleMomentum: true,
  baseMomentum: 0.85,
  maxMomentum: 0.95,
  divFactor: 25,
  finalDivFactor: 1e4,
  threePhase: false,
};

Deno.test("createLrScheduler() without a spec keeps the optimizer's lr and momentum", () => {
  const scheduler = createLrScheduler(null, SGD, { epochs: 2, stepsPerEpoch: 3 });
  scheduler.stepBatch();
  scheduler.stepEpoch({ loss: 1, accuracy: 0 });
  assert.deepEqual(scheduler.current, { lr: 0.1, momentum: null });
});

Deno.test("OneCycleLR ends its last step at maxLr / divFactor / finalDivFactor", () => {
  // 10 steps, pct 0.3: warm-up to step 2 (0.3·10 − 1), then linear down to step 9 (T − 1).
  const scheduler = createLrScheduler(ONE_CYCLE, SGD, { epochs: 2, stepsPerEpoch: 5 });
  const lrs = [];
  for (let step = 0; step < 10; step++) {
    lrs.push(scheduler.current.lr);
    scheduler.stepBatch();
  }
  assert.equal(lrs[0], 1 / 25);
  assert.equal(lrs[2], 1);
  assert.ok(Math.abs(lrs[9] - 1 / 25 / 1e4) < 1e-15);
});

Deno.test("assertSchedulerFits() refuses a OneCycleLR shorter than the run and a plateau without dev", () => {
  assert.throws(
    () =>
      assertSchedulerFits({ ...ONE_CYCLE, totalSteps: 9 }, { epochs: 2, stepsPerEpoch: 5 }, true),
    /one_cycle lasts 9 steps, but the run takes 10 \(2 epochs × 5 batches\)/,
  );
  assertSchedulerFits({ ...ONE_CYCLE, totalSteps: 12 }, { epochs: 2, stepsPerEpoch: 5 }, true);
  const plateau = {
    type: "reduce_on_plateau" as const,
    metric: "devLoss" as const,
    mode: "min" as const,
    factor: 0.1,
    patience: 10,
    threshold: 1e-4,
    thresholdMode: "rel" as const,
    cooldown: 0,
    minLr: 0,
    eps: 1e-8,
  };
  assert.throws(
    () => assertSchedulerFits(plateau, { epochs: 2, stepsPerEpoch: 5 }, false),
    /dev split is empty/,
  );
});

Deno.test("withHyper() puts a cycled momentum in SGD's momentum and Adam's β1", () => {
  assert.equal(withHyper(SGD, { lr: 0.5, momentum: 0.9 }).momentum, 0.9);
  const adam = {
    type: "adam" as const,
    lr: 1e-3,
    betas: [0.9, 0.999] as [number, number],
    eps: 1e-8,
    weightDecay: 0,
    amsgrad: false,
  };
  assert.deepEqual(withHyper(adam, { lr: 0.5, momentum: 0.85 }).betas, [0.85, 0.999]);
  assert.equal(withHyper(adam, { lr: 0.5, momentum: null }).betas[0], 0.9);
});
