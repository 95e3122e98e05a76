/**
 * The non-matmul kernels against their CPU twins: the dropout hash (bit-exact), batch norm
 * (forward with activation and dropout, running statistics, backward, evaluation), the four
 * losses with their gradients and accuracy, and the three optimizers with the L1/L2 penalty.
 *
 * Tolerance: |gpu − cpu| ≤ 1e-5·(|cpu| + max|cpu|) + 1e-6 over each tensor (f32 on the GPU
 * against f64 arithmetic on the CPU; the max term covers sums that cancel, such as momentum
 * buffers of gradients with alternating signs); the hash and the counts are exact.
 *
 * @module
 */

import assert from "node:assert/strict";
import { activationForward } from "../engine/cpu/activations.ts";
import {
  batchNormBackward,
  batchNormEvalForward,
  batchNormTrainForward,
  createBatchNormState,
} from "../engine/cpu/batch_norm.ts";
import { dropoutForward, dropoutMask } from "../engine/cpu/dropout.ts";
import { lossForward, predictClasses } from "../engine/cpu/losses.ts";
import { createOptimizer } from "../engine/cpu/optim/optimizer.ts";
import { addPenaltyGradient } from "../engine/cpu/penalties.ts";
import {
  batchNormBackwardDispatch,
  batchNormBackwardKernel,
} from "../engine/kernels/batch_norm_backward.ts";
import {
  batchNormForwardDispatch,
  batchNormForwardKernel,
  type BatchNormShape,
} from "../engine/kernels/batch_norm_forward.ts";
import { shaderSource } from "../engine/kernels/kernel.ts";
import { lossDispatch, lossKernel } from "../engine/kernels/loss.ts";
import { lossEvaluateDispatch, lossEvaluateKernel } from "../engine/kernels/loss_evaluate.ts";
import {
  decodeTotals,
  freshEpochStatus,
  metricsReduceDispatch,
  metricsReduceKernel,
} from "../engine/kernels/metrics_reduce.ts";
import { optimizerDispatch, type OptimizerKernel } from "../engine/kernels/optimizer_kernel.ts";
import { adamKernel } from "../engine/kernels/adam.ts";
import { rmspropKernel } from "../engine/kernels/rmsprop.ts";
import { sgdKernel } from "../engine/kernels/sgd.ts";
import { epochSteps } from "../engine/webgpu/step_params.ts";
import { hashUniform } from "../engine/random.ts";
import type { LossName, OptimizerSpec, Regularization } from "../engine/spec.ts";
import { adapter, toleranceRatio } from "./gpu_fixtures.ts";
import { KernelHarness, randomFloats } from "./gpu_harness.ts";

const RTOL = 1e-5;
const ATOL = 1e-6;

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  const scale = Math.max(...Array.from(expected, Math.abs));
  const atol = RTOL * scale + ATOL;
  const ratio = toleranceRatio(Array.from(actual).slice(0, expected.length), expected, RTOL, atol);
  assert.ok(ratio <= 1, `${what}: off by ${ratio.toFixed(2)}× the tolerance`);
}

async function checkDropoutHash(harness: KernelHarness): Promise<void> {
  const { device } = harness.context;
  const code = `${await shaderSource("dropout_rng")}
    @group(0) @binding(0) var<storage, read_write> out: array<u32>;
    @compute @workgroup_size(64)
    fn main(@builtin(global_invocation_id) id: vec3<u32>) {
      out[id.x] = hash_bits(0xdeadbeefu, id.x / 256u, id.x % 3u, id.x * 7919u);
    }`;
  const pipeline = device.createComputePipeline({
    layout: "auto",
    compute: { module: device.createShaderModule({ code }), entryPoint: "main" },
  });
  const count = 4096;
  const out = harness.buffer(count * 4);
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(
    0,
    device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [{ binding: 0, resource: { buffer: out } }],
    }),
  );
  pass.dispatchWorkgroups(count / 64);
  pass.end();
  const staging = device.createBuffer({
    size: count * 4,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  encoder.copyBufferToBuffer(out, 0, staging, 0, count * 4);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const bits = new Uint32Array(staging.getMappedRange().slice(0));
  staging.destroy();
  for (let i = 0; i < count; i++) {
    const expected = hashUniform(0xdeadbeef, Math.floor(i / 256), i % 3, i * 7919) * 16777216;
    if (bits[i] !== expected) assert.fail(`hash_bits differs at ${i}: ${bits[i]} vs ${expected}`);
  }
}

async function checkBatchNorm(harness: KernelHarness): Promise<void> {
  const rows = 21, units = 19;
  const context = harness.context;
  const shape: BatchNormShape = {
    units,
    maxRows: rows,
    gammaOffset: 0,
    betaOffset: units,
    runningMeanOffset: 0,
    runningVarOffset: units,
    batchesTrackedOffset: 2 * units,
    momentum: 0.1,
    eps: 1e-5,
    epilogue: { activation: "tanh", layer: 2, dropout: 0.3 },
  };
  const z = randomFloats(rows * units, 11, 3).map((v, i) => v + (i % units) * 0.5);
  const state = createBatchNormState(units);
  state.gamma.set(randomFloats(units, 12, 0.5).map((v) => v + 1));
  state.beta.set(randomFloats(units, 13, 0.5));
  state.runningMean.set(randomFloats(units, 14, 0.1));
  const params = new Float32Array([...state.gamma, ...state.beta]);
  const running = harness.buffer(
    new Float32Array([...state.runningMean, ...state.runningVar, 0]),
  );
  const [train, evaluate, backward] = await Promise.all([
    batchNormForwardKernel(context, shape, true),
    batchNormForwardKernel(context, shape, false),
    batchNormBackwardKernel(context, shape),
  ]);
  const buffers = {
    preNorm: harness.buffer(z),
    params: harness.buffer(params),
    running,
    batchStats: harness.buffer(2 * units * 4),
    normalized: harness.buffer(rows * units * 4),
    activation: harness.buffer(rows * units * 4),
    status: harness.buffer(freshEpochStatus()),
  };
  const dY = randomFloats(rows * units, 15);
  const grads = harness.buffer(params.byteLength);
  const gradInput = harness.buffer(rows * units * 4);
  const evalOut = {
    ...buffers,
    normalized: harness.buffer(rows * units * 4),
    activation: harness.buffer(rows * units * 4),
  };
  const step = { rows, dropoutSeed: 5, globalStep: 9 };
  const [y, a, run, dParams, dZ, yEval] = await harness.runFloats([
    [batchNormForwardDispatch(context, train, shape, buffers), step],
    [
      batchNormBackwardDispatch(context, backward, shape, {
        gradOutput: harness.buffer(dY),
        preNorm: buffers.preNorm,
        batchStats: buffers.batchStats,
        params: buffers.params,
        grads,
        gradInput,
      }),
      step,
    ],
    [batchNormForwardDispatch(context, evaluate, shape, evalOut), step],
  ], [buffers.normalized, buffers.activation, running, grads, gradInput, evalOut.normalized]);

  const cpuY = new Float32Array(rows * units);
  const saved = { xHat: new Float32Array(rows * units), invStd: new Float32Array(units) };
  batchNormTrainForward(z, rows, units, state, cpuY, saved);
  const cpuA = new Float32Array(rows * units);
  activationForward("tanh", cpuY, cpuA);
  const mask = new Uint8Array(rows * units);
  dropoutMask(0.3, 5, 9, 2, mask);
  dropoutForward(cpuA, mask, 0.3, cpuA);
  assertClose(y, cpuY, "batch norm y");
  assertClose(a, cpuA, "activation after batch norm");
  assertClose(run, [...state.runningMean, ...state.runningVar, 1], "running statistics");
  const dGamma = new Float32Array(units), dBeta = new Float32Array(units);
  const cpuDz = new Float32Array(rows * units);
  batchNormBackward(dY, saved, state.gamma, rows, units, cpuDz, dGamma, dBeta);
  assertClose(dParams, [...dGamma, ...dBeta], "dγ, dβ");
  assertClose(dZ, cpuDz, "dZ");
  const cpuEval = new Float32Array(rows * units);
  batchNormEvalForward(z, rows, units, state, cpuEval);
  assertClose(yEval, cpuEval, "evaluation with running statistics");
}

async function checkLoss(harness: KernelHarness, loss: LossName, classes: number, outputs: number) {
  const rows = 37;
  const context = harness.context;
  const shape = { loss, classes, outputs, maxRows: rows };
  const logits = randomFloats(rows * outputs, 21, 4);
  const labels = Uint32Array.from({ length: rows + 4 }, (_, i) => (i * 7) % classes);
  const order = Uint32Array.from({ length: rows + 4 }, (_, i) => (i * 5 + 3) % (rows + 4));
  const common = {
    logits: harness.buffer(logits),
    labels: harness.buffer(labels),
    order: harness.buffer(order),
    rowMetrics: harness.buffer(rows * 8),
    labelRows: labels.length,
  };
  const gradLogits = harness.buffer(rows * outputs * 4);
  const trainTotals = harness.buffer(freshEpochStatus());
  const evalTotals = harness.buffer(freshEpochStatus());
  const evalMetrics = harness.buffer(rows * 8);
  const confusion = harness.buffer(classes * classes * 4);
  const [train, evaluate, reduce] = await Promise.all([
    lossKernel(context, shape),
    lossEvaluateKernel(context, shape),
    metricsReduceKernel(context, rows),
  ]);
  const step = { rows, first: 4 };
  const [grad, trainBytes, evalBytes, confusionBytes] = await harness.run([
    [lossDispatch(context, train, shape, { ...common, gradLogits, totals: trainTotals }), step],
    [metricsReduceDispatch(context, reduce, common.rowMetrics, trainTotals), step],
    [
      lossEvaluateDispatch(context, evaluate, shape, {
        ...common,
        rowMetrics: evalMetrics,
        confusion,
      }),
      step,
    ],
    [metricsReduceDispatch(context, reduce, evalMetrics, evalTotals), step],
  ], [gradLogits, trainTotals, evalTotals, confusion]);

  const batchLabels = Uint8Array.from(order.subarray(4, 4 + rows), (row) => labels[row]);
  const cpuGrad = new Float32Array(rows * outputs);
  const cpuLoss = lossForward(loss, logits, batchLabels, rows, outputs, cpuGrad);
  const predicted = new Uint8Array(rows);
  predictClasses(loss, logits, rows, outputs, predicted);
  const correct = predicted.filter((p, r) => p === batchLabels[r]).length;
  const cpuConfusion = new Uint32Array(classes * classes);
  predicted.forEach((p, r) => cpuConfusion[batchLabels[r] * classes + p]++);
  for (const [what, bytes] of [["train", trainBytes], ["evaluate", evalBytes]] as const) {
    const totals = decodeTotals(bytes);
    assertClose([totals.loss / rows], [cpuLoss], `${what} loss`);
    assert.equal(totals.correct, correct, `${what} correct count`);
    assert.equal(totals.firstNonFinite, undefined);
  }
  assertClose(new Float32Array(grad), cpuGrad, "∂loss/∂logits");
  // Buffers are whole vec4s (GpuContext.createBuffer): compare the matrix, not the padding.
  const confusionGpu = new Uint32Array(confusionBytes, 0, classes * classes);
  assert.deepEqual(confusionGpu, cpuConfusion, "confusion matrix");
}

async function checkOptimizer(
  harness: KernelHarness,
  spec: OptimizerSpec,
  regularization: Regularization,
): Promise<void> {
  const count = 1000;
  const context = harness.context;
  let optimizer: OptimizerKernel;
  if (spec.type === "sgd") optimizer = await sgdKernel(context, spec, regularization, count);
  else if (spec.type === "rmsprop") {
    optimizer = await rmspropKernel(context, spec, regularization, count);
  } else optimizer = await adamKernel(context, spec, regularization, count);
  const params = randomFloats(count, 31, 0.5);
  params[7] = 0; // sign(0) = 0 in the L1 gradient
  const cpu = createOptimizer(spec, [count]);
  const cpuParams = params.slice();
  const buffers = {
    params: harness.buffer(params),
    grads: harness.buffer(count * 4),
    state: harness.buffer(Math.max(1, optimizer.stateNames.length) * count * 4),
    status: harness.buffer(freshEpochStatus()),
  };
  const dispatch = optimizerDispatch(context, optimizer, buffers);
  // Three steps, so momentum buffers and bias corrections past the first step are exercised.
  for (let t = 1; t <= 3; t++) {
    const grad = randomFloats(count, 40 + t, 0.2);
    context.device.queue.writeBuffer(buffers.grads, 0, grad);
    // The slot a one-step epoch after t − 1 steps gets: lr, momentum, Adam's scalars.
    const [step] = epochSteps({
      count: 1,
      batchSize: 1,
      steps: 1,
      epoch: 0,
      seed: 0,
      optimizerStepsBefore: t - 1,
      optimizer: spec,
      momentumUsed: t > 1,
    });
    const [gpuParams, gpuState] = await harness.runFloats([[dispatch, step]], [
      buffers.params,
      buffers.state,
    ]);
    addPenaltyGradient([cpuParams], [grad], regularization.l1, regularization.l2);
    cpu.step([cpuParams], [grad]);
    assertClose(gpuParams, cpuParams, `parameters after step ${t}`);
    optimizer.stateNames.forEach((name, i) => {
      assertClose(gpuState.subarray(i * count, (i + 1) * count), cpu.state[name][0], name);
    });
  }
}

const NO_PENALTY = { l1: 0, l2: 0 };
const PENALTY = { l1: 1e-3, l2: 5e-3 };

Deno.test({
  name: "element-wise, batch-norm, loss and optimizer kernels match their CPU twins",
  ignore: !adapter,
  async fn(t) {
    const harness = await KernelHarness.open();
    try {
      await t.step(
        "hash_bits in dropout_rng.wgsl equals hashUniform bit for bit",
        () => checkDropoutHash(harness),
      );
      await t.step(
        "batch_norm_forward/backward match BatchNorm1d's training, running stats and eval",
        () => checkBatchNorm(harness),
      );
      for (
        const [loss, classes, outputs] of [
          ["cross_entropy", 5, 5],
          ["mse", 4, 4],
          ["bce_with_logits", 3, 3],
          ["bce_with_logits", 2, 1],
          ["bce", 2, 1],
          ["bce", 3, 3],
        ] as const
      ) {
        await t.step(
          `loss kernels match ${loss} with ${outputs} outputs and count accuracy`,
          () => checkLoss(harness, loss, classes, outputs),
        );
      }
      const sgd = {
        type: "sgd",
        lr: 0.1,
        momentum: 0,
        dampening: 0,
        weightDecay: 0,
        nesterov: false,
      } as const;
      const rmsprop = {
        type: "rmsprop",
        lr: 0.01,
        alpha: 0.99,
        eps: 1e-8,
        weightDecay: 0,
        momentum: 0,
        centered: false,
      } as const;
      const adam = {
        type: "adam",
        lr: 1e-3,
        betas: [0.9, 0.999],
        eps: 1e-8,
        weightDecay: 0,
        amsgrad: false,
      } as const;
      const cases: [string, OptimizerSpec, Regularization][] = [
        ["plain SGD", sgd, NO_PENALTY],
        ["SGD with momentum, dampening, weight decay and L1/L2", {
          ...sgd,
          momentum: 0.9,
          dampening: 0.3,
          weightDecay: 0.01,
        }, PENALTY],
        ["SGD with Nesterov momentum", { ...sgd, momentum: 0.8, nesterov: true }, NO_PENALTY],
        ["RMSprop", rmsprop, NO_PENALTY],
        ["centered RMSprop with momentum, weight decay and L1/L2", {
          ...rmsprop,
          centered: true,
          momentum: 0.9,
          weightDecay: 0.01,
        }, PENALTY],
        ["Adam", { ...adam, betas: [0.9, 0.999] }, NO_PENALTY],
        ["Adam with weight decay, amsgrad and L1/L2", {
          ...adam,
          betas: [0.8, 0.99],
          weightDecay: 0.05,
          amsgrad: true,
        }, PENALTY],
        ["AdamW", { ...adam, betas: [0.9, 0.999], type: "adamw", weightDecay: 0.1 }, NO_PENALTY],
      ];
      for (const [label, spec, regularization] of cases) {
        await t.step(
          `${spec.type} kernel matches torch.optim's rule: ${label}`,
          () => checkOptimizer(harness, spec, regularization),
        );
      }
    } finally {
      harness.destroy();
    }
  },
});
