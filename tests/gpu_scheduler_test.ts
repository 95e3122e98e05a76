/**
 * WebGpuSession against the CPU reference under every learning-rate scheduler: the per-step lr
 * (and OneCycleLR's momentum or β1) ride in the per-epoch step array, so the GPU must train
 * like the CPU, epoch by epoch, and report the same lr. Tolerances as gpu_combinations_test.ts
 * (losses 1e-4 relative, state 1e-4 + 2e-5); the lr itself is the same f64 on both hosts.
 *
 * @module
 */

import assert from "node:assert/strict";
import { CpuBackend } from "../engine/cpu/session.ts";
import type { OptimizerSpec, RunConfig, SchedulerSpec } from "../engine/spec.ts";
import { WebGpuBackend } from "../engine/webgpu/backend.ts";
import { WebGpuSession } from "../engine/webgpu/session.ts";
import { adapter, assertStateClose, tinyConfig, tinyData, toleranceRatio } from "./gpu_fixtures.ts";
import { gpuTestOptions } from "./gpu_options.ts";

const SGD: OptimizerSpec = {
  type: "sgd",
  lr: 0.05,
  momentum: 0.9,
  dampening: 0,
  weightDecay: 1e-3,
  nesterov: false,
};
const RMSPROP: OptimizerSpec = {
  type: "rmsprop",
  lr: 0.003,
  alpha: 0.99,
  eps: 1e-8,
  weightDecay: 0,
  momentum: 0,
  centered: false,
};
const ADAMW: OptimizerSpec = {
  type: "adamw",
  lr: 0.005,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0.1,
  amsgrad: false,
};

const ONE_CYCLE: SchedulerSpec = {
  type: "one_cycle",
  maxLr: 0.02,
  pctStart: 0.3,
  annealStrategy: "cos",
  cycleMomentum: true,
  baseMomentum: 0.85,
  maxMomentum: 0.95,
  divFactor: 25,
  finalDivFactor: 1e4,
  threePhase: false,
};

const CASES: [string, SchedulerSpec, OptimizerSpec][] = [
  ["step", { type: "step", stepSize: 2, gamma: 0.5 }, SGD],
  ["multi_step", { type: "multi_step", milestones: [1, 3], gamma: 0.3 }, RMSPROP],
  ["exponential", { type: "exponential", gamma: 0.7 }, ADAMW],
  ["cosine_annealing", { type: "cosine_annealing", tMax: 3, etaMin: 1e-4 }, SGD],
  ["linear", { type: "linear", startFactor: 0.2, endFactor: 1, totalIters: 3 }, ADAMW],
  ["one_cycle cycling SGD momentum from 0", ONE_CYCLE, { ...SGD, momentum: 0 }],
  ["one_cycle cycling RMSprop momentum", { ...ONE_CYCLE, maxLr: 0.005 }, RMSPROP],
  [
    "one_cycle cycling AdamW β1, three phases, linear",
    { ...ONE_CYCLE, annealStrategy: "linear", threePhase: true },
    ADAMW,
  ],
  [
    "reduce_on_plateau with cooldown",
    {
      type: "reduce_on_plateau",
      // Accuracy over 24 dev rows moves in steps of 1/24: both backends see the same plateau.
      metric: "devAccuracy",
      mode: "max",
      factor: 0.5,
      patience: 0,
      threshold: 0.25,
      thresholdMode: "abs",
      cooldown: 1,
      minLr: 0,
      eps: 1e-8,
    },
    { ...SGD, lr: 0.05 },
  ],
];

const EPOCHS = 5;

Deno.test({
  name: "WebGpuSession trains like the CPU reference under every lr scheduler",
  ignore: !adapter,
  async fn(t) {
    const backend = await WebGpuBackend.create(gpuTestOptions());
    const cpu = new CpuBackend();
    const data = tinyData();
    try {
      for (const [name, scheduler, optimizer] of CASES) {
        await t.step(name, async () => {
          const config: RunConfig = tinyConfig({ scheduler, optimizer, epochs: EPOCHS });
          const gpu = await backend.createSession(config, data);
          const reference = await cpu.createSession(config, data);
          try {
            const lrs: number[] = [];
            for (let epoch = 0; epoch < EPOCHS; epoch++) {
              const options = { evaluate: ["dev"] as const };
              const g = await gpu.trainEpoch(epoch, options);
              const c = await reference.trainEpoch(epoch, options);
              assert.equal(g.lr, c.lr, `epoch ${epoch} lr`);
              lrs.push(c.lr!);
              for (
                const [what, a, b] of [
                  ["loss", g.loss, c.loss],
                  ["dev loss", g.evaluations!.dev!.loss, c.evaluations!.dev!.loss],
                ] as const
              ) {
                const ratio = toleranceRatio([a], [b], 1e-4, 1e-7);
                assert.ok(ratio <= 1, `epoch ${epoch} ${what}: GPU ${a}, CPU ${b}`);
              }
            }
            // A schedule that left the lr alone would test nothing.
            assert.ok(new Set(lrs).size > 1, `lr never changed: ${lrs}`);
            assertStateClose(await gpu.getState(), await reference.getState(), 1e-4, 2e-5);
          } finally {
            gpu.dispose();
          }
        });
      }
      // Hardware adapters encode an epoch before the last one's readback: an epoch schedule must
      // step at encoding, and ReduceLROnPlateau must wait for the dev metric.
      for (const [name, scheduler, optimizer] of CASES) {
        await t.step(`${name}, epochs queued with pipelineEpochs on`, async () => {
          const config: RunConfig = tinyConfig({ scheduler, optimizer, epochs: EPOCHS });
          const queued = await WebGpuSession.create(backend.context, config, data, {
            pipelineEpochs: true,
          });
          const reference = await cpu.createSession(config, data);
          try {
            const epochs = Array.from({ length: EPOCHS }, (_, epoch) => epoch);
            const calls = epochs.map((epoch) => queued.trainEpoch(epoch, { evaluate: ["dev"] }));
            const expected = [];
            for (const epoch of epochs) {
              expected.push(await reference.trainEpoch(epoch, { evaluate: ["dev"] }));
            }
            const results = await Promise.all(calls);
            assert.deepEqual(results.map((r) => r.lr), expected.map((r) => r.lr));
            assertStateClose(await queued.getState(), await reference.getState(), 1e-4, 2e-5);
          } finally {
            queued.dispose();
          }
        });
      }
    } finally {
      backend.destroy();
    }
  },
});
