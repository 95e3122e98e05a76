/**
 * The learning-rate schedulers (`engine/schedule/`) and the CPU optimizers they drive, against
 * PyTorch 1.13: replays every fixture of `tests/fixtures/make_scheduler_fixtures.py` (same
 * initial weights, batches and dev metrics) and compares the lr, and momentum or β1, of every
 * step, and the weights after the last step.
 *
 * Tolerances: learning rates and momenta to 1e-12 relative (torch computes them in Python
 * floats and so does the scheduler, with the same recursive formulas; only `Math.cos` and
 * `**` may differ in the last bit); weights as tests/torch_parity_test.ts, 1e-5·|expected| +
 * 1e-6, for f32 rounding that torch and the reference each do their way.
 *
 * @module
 */

import assert from "node:assert/strict";
import { lossForward } from "../engine/cpu/losses.ts";
import { Mlp } from "../engine/cpu/mlp.ts";
import { createOptimizer } from "../engine/cpu/optim/optimizer.ts";
import { Rng } from "../engine/random.ts";
import { createLrScheduler } from "../engine/schedule/lr_scheduler.ts";
import type { OptimizerSpec, SchedulerSpec } from "../engine/spec.ts";

interface SchedulerFixture {
  name: string;
  scheduler: SchedulerSpec;
  optimizer: OptimizerSpec;
  epochs: number;
  batchesPerEpoch: number;
  metrics?: number[];
  initial: Record<string, number[]>;
  steps: { inputs: number[]; labels: number[]; lr: number; momentum: number }[];
  final: Record<string, number[]>;
}

const FEATURES = 5;
const CLASSES = 3;

function assertNear(actual: number, expected: number, relative: number, what: string): void {
  const error = Math.abs(actual - expected);
  if (!(error <= relative * Math.abs(expected) + 1e-15)) {
    assert.fail(`${what}: got ${actual}, torch has ${expected} (error ${error})`);
  }
}

function replay(fixture: SchedulerFixture): void {
  const layers = [{ units: 6, activation: "relu" as const, batchNorm: false, dropout: 0 }];
  const model = new Mlp({ features: FEATURES, layers, outputs: CLASSES }, "default", new Rng(0));
  for (const p of model.parameters) p.data.set(fixture.initial[p.name]);
  const params = model.parameters.map((p) => p.data);
  const optimizer = createOptimizer(fixture.optimizer, params.map((p) => p.length));
  const scheduler = createLrScheduler(fixture.scheduler, fixture.optimizer, {
    epochs: fixture.epochs,
    stepsPerEpoch: fixture.batchesPerEpoch,
  });
  const ownMomentum = "betas" in fixture.optimizer
    ? fixture.optimizer.betas[0]
    : fixture.optimizer.momentum;
  fixture.steps.forEach((step, s) => {
    const hyper = scheduler.current;
    assertNear(hyper.lr, step.lr, 1e-12, `lr of step ${s}`);
    assertNear(hyper.momentum ?? ownMomentum, step.momentum, 1e-12, `momentum of step ${s}`);
    const batch = step.labels.length;
    const logits = model.forward(Float32Array.from(step.inputs), batch, {
      training: true,
      dropout: { masks: [null] },
    });
    const dLogits = new Float32Array(logits.length);
    lossForward("cross_entropy", logits, Uint8Array.from(step.labels), batch, CLASSES, dLogits);
    model.backward(dLogits);
    optimizer.step(params, model.gradients, hyper);
    scheduler.stepBatch();
    if ((s + 1) % fixture.batchesPerEpoch === 0) {
      const metric = fixture.metrics?.[(s + 1) / fixture.batchesPerEpoch - 1] ?? NaN;
      scheduler.stepEpoch({ loss: metric, accuracy: metric });
    }
  });
  for (const p of model.parameters) {
    const expected = fixture.final[p.name];
    p.data.forEach((value, i) => {
      const error = Math.abs(value - expected[i]);
      if (!(error <= 1e-5 * Math.abs(expected[i]) + 1e-6)) {
        assert.fail(`${p.name}[${i}]: got ${value}, torch has ${expected[i]} (error ${error})`);
      }
    });
  }
}

const folder = new URL("./fixtures/schedulers/", import.meta.url);
const fixtures: SchedulerFixture[] = [...Deno.readDirSync(folder)]
  .filter((entry) => entry.name.endsWith(".json"))
  .map((entry) => entry.name)
  .sort()
  .map((name) => JSON.parse(Deno.readTextFileSync(new URL(name, folder))));

Deno.test("scheduler fixtures cover every scheduler type", () => {
  const types = new Set(fixtures.map((fixture) => fixture.scheduler.type));
  assert.deepEqual([...types].sort(), [
    "cosine_annealing",
    "exponential",
    "linear",
    "multi_step",
    "one_cycle",
    "reduce_on_plateau",
    "step",
  ]);
});

for (const fixture of fixtures) {
  Deno.test(
    `${fixture.scheduler.type} with ${fixture.optimizer.type} matches torch 1.13 on ${fixture.name}`,
    () => replay(fixture),
  );
}
