/**
 * The parts of WebGpuSession's contract beyond numerics: state round trips and their errors,
 * divergence reporting, cancellation, the checks made before anything is allocated, empty
 * splits, and disposal.
 *
 * @module
 */

import assert from "node:assert/strict";
import { CpuBackend } from "../engine/cpu/session.ts";
import { WebGpuBackend } from "../engine/webgpu/backend.ts";
import { WebGpuSession } from "../engine/webgpu/session.ts";
import { adapter, assertStateClose, layers, tinyConfig, tinyData } from "./gpu_fixtures.ts";
import { gpuTestOptions } from "./gpu_options.ts";

const cpu = new CpuBackend();

Deno.test({
  name: "WebGpuSession keeps the TrainingSession contract",
  ignore: !adapter,
  async fn(t) {
    const backend = await WebGpuBackend.create(gpuTestOptions());
    const data = tinyData();
    try {
      await t.step("setState() round-trips, and training goes on from the state", async () => {
        const config = tinyConfig({
          model: { init: "default", layers: layers({ batchNorm: true }) },
          optimizer: {
            type: "sgd",
            lr: 0.1,
            momentum: 0.9,
            dampening: 0,
            weightDecay: 0,
            nesterov: false,
          },
        });
        const source = await cpu.createSession(config, data);
        await source.trainEpoch(0);
        const state = await source.getState();
        const gpu = await backend.createSession({ ...config, seed: 99 }, data);
        const reference = await cpu.createSession({ ...config, seed: 99 }, data);
        await gpu.setState(state);
        await reference.setState(state);
        assertStateClose(await gpu.getState(), state, 0, 0);
        await gpu.trainEpoch(1);
        await reference.trainEpoch(1);
        assertStateClose(await gpu.getState(), await reference.getState(), 1e-4, 2e-5);
        gpu.dispose();
      });

      await t.step(
        "evaluations read back with an epoch equal evaluate() calls after it",
        async () => {
          const gpu = await backend.createSession(tinyConfig(), data);
          const epoch = await gpu.trainEpoch(0, { evaluate: ["dev", "test", "dev"] });
          assert.deepEqual(Object.keys(epoch.evaluations ?? {}).sort(), ["dev", "test"]);
          assert.deepEqual(epoch.evaluations?.dev, await gpu.evaluate("dev"));
          assert.deepEqual(epoch.evaluations?.test, await gpu.evaluate("test"));
          assert.equal(epoch.evaluations?.test?.count, data.test.count);
          gpu.dispose();
        },
      );

      for (const pipelineEpochs of [true, false]) {
        await t.step(
          `epochs queued before the last one's results train as awaited ones do ` +
            `(pipelineEpochs: ${pipelineEpochs})`,
          async () => {
            const config = tinyConfig({
              model: { init: "default", layers: layers({ dropout: 0.2 }) },
            });
            const options = { pipelineEpochs, dispatchesPerSubmit: 25 };
            const queued = await WebGpuSession.create(backend.context, config, data, options);
            const awaited = await WebGpuSession.create(backend.context, config, data, options);
            // Called without awaiting: each operation must still run on the state its
            // predecessors leave (order, step counters, Adam's bias corrections, readbacks).
            const calls = [0, 1, 2].map((epoch) => queued.trainEpoch(epoch, { evaluate: ["dev"] }));
            const afterThree = queued.evaluate("test");
            const state = queued.getState();
            const expected = [];
            for (const epoch of [0, 1, 2]) {
              expected.push(await awaited.trainEpoch(epoch, { evaluate: ["dev"] }));
            }
            assert.deepEqual(await Promise.all(calls), expected);
            assert.deepEqual(await afterThree, await awaited.evaluate("test"));
            assertStateClose(await state, await awaited.getState(), 0, 0);
            queued.dispose();
            awaited.dispose();
          },
        );
      }

      await t.step(
        "setState() refuses unknown, missing and misshapen tensors as the CPU does",
        async () => {
          const config = tinyConfig();
          const gpu = await backend.createSession(config, data);
          const reference = await cpu.createSession(config, data);
          const state = await gpu.getState();
          const cases = [
            [...state, { name: "extra.weight", shape: [1], data: new Float32Array(1) }],
            state.slice(1),
            state.map((tensor, i) => i === 0 ? { ...tensor, shape: [tensor.data.length] } : tensor),
          ];
          for (const bad of cases) {
            const expected = await reference.setState(bad).then(
              () => null,
              (error) => error.message,
            );
            assert.ok(expected, "the CPU reference refuses it");
            await assert.rejects(() => gpu.setState(bad), { message: expected });
          }
          gpu.dispose();
        },
      );

      await t.step(
        "trainEpoch() reports the first non-finite step like the CPU and keeps weights finite",
        async () => {
          const config = tinyConfig({
            optimizer: {
              type: "sgd",
              lr: 1e4,
              momentum: 0,
              dampening: 0,
              weightDecay: 0,
              nesterov: false,
            },
          });
          const gpu = await backend.createSession(config, data);
          const reference = await cpu.createSession(config, data);
          let [g, c] = [await gpu.trainEpoch(0), await reference.trainEpoch(0)];
          for (let epoch = 1; c.nonFiniteStep === undefined && epoch < 5; epoch++) {
            [g, c] = [await gpu.trainEpoch(epoch), await reference.trainEpoch(epoch)];
          }
          assert.notEqual(c.nonFiniteStep, undefined, "the learning rate makes training diverge");
          assert.equal(g.nonFiniteStep, c.nonFiniteStep);
          assert.equal(g.steps, c.steps);
          for (const tensor of await gpu.getState()) {
            assert.ok(tensor.data.every(Number.isFinite), `${tensor.name} stays finite`);
          }
          gpu.dispose();
        },
      );

      await t.step("trainEpoch() with an aborted signal throws its AbortError", async () => {
        const gpu = await backend.createSession(tinyConfig(), data);
        const controller = new AbortController();
        controller.abort();
        await assert.rejects(() => gpu.trainEpoch(0, { signal: controller.signal }), {
          name: "AbortError",
        });
        gpu.dispose();
      });

      for (const submitsBetweenWaits of [1, 16]) {
        await t.step(
          `an epoch split into many submits trains like one (a wait every ${submitsBetweenWaits} ` +
            `submits), and a cancel stops it`,
          async () => {
            const config = tinyConfig({
              model: { init: "default", layers: layers({ dropout: 0.2 }) },
            });
            // 10 dispatches a step: 25 per submit makes submits of 2 steps.
            const chunked = await WebGpuSession.create(backend.context, config, data, {
              dispatchesPerSubmit: 25,
              submitsBetweenWaits,
            });
            const whole = await backend.createSession(config, data);
            const [a, b] = [await chunked.trainEpoch(0), await whole.trainEpoch(0)];
            assert.equal(a.loss, b.loss);
            assert.equal(a.accuracy, b.accuracy);
            assertStateClose(await chunked.getState(), await whole.getState(), 0, 0);
            const controller = new AbortController();
            const epoch = chunked.trainEpoch(1, { signal: controller.signal });
            controller.abort();
            await assert.rejects(epoch, { name: "AbortError" });
            const afterCancel = await chunked.evaluate("dev");
            assert.equal(afterCancel.count, data.dev.count, "the session stays usable");
            chunked.dispose();
            whole.dispose();
          },
        );
      }

      await t.step(
        "createSession() refuses batch norm over a batch of one row, as the CPU does",
        async () => {
          const config = tinyConfig({
            model: { init: "default", layers: layers({ batchNorm: true }) },
            batch: { mode: "minibatch", size: 16, shuffle: true },
          });
          const odd = tinyData({ train: 65 });
          const expected = await cpu.createSession(config, odd).then(
            () => null,
            (error) => error.message,
          );
          assert.match(expected ?? "", /batch of 1/);
          await assert.rejects(() => backend.createSession(config, odd), { message: expected! });
        },
      );

      await t.step(
        "createSession() refuses a layer beyond the adapter's binding limit before allocating",
        async () => {
          const limit = backend.context.limits.maxStorageBufferBindingSize;
          const units = Math.ceil(limit / 4 / data.features) + 1;
          const config = tinyConfig({
            model: {
              init: "default",
              layers: [{ units, activation: "relu", batchNorm: false, dropout: 0 }],
            },
          });
          await assert.rejects(
            () => backend.createSession(config, data),
            /The model's parameters needs .* in one GPU buffer, but this adapter allows at most/,
          );
        },
      );

      await t.step(
        "evaluate() of an empty split gives NaN like the CPU; predict() checks rows",
        async () => {
          const empty = {
            ...data,
            dev: { count: 0, inputs: new Uint8Array(0), labels: new Uint8Array(0) },
          };
          const gpu = await backend.createSession(tinyConfig(), empty);
          const result = await gpu.evaluate("dev");
          assert.equal(result.count, 0);
          assert.ok(Number.isNaN(result.loss) && Number.isNaN(result.accuracy));
          await assert.rejects(
            () => gpu.predict("test", new Uint32Array([data.test.count])),
            /Row 20 is out of range for split "test" of 20/,
          );
          assert.ok(gpu.bytesAllocated > data.train.inputs.byteLength);
          gpu.dispose();
          await assert.rejects(() => gpu.evaluate("test"), /disposed/);
        },
      );
    } finally {
      backend.destroy();
    }
  },
});

Deno.test({
  name: "WebGpuBackend reports shader errors by kernel name and fails once its device is lost",
  ignore: !adapter,
  async fn() {
    const backend = await WebGpuBackend.create(gpuTestOptions());
    const loss = {
      name: "loss",
      libraries: ["step_params", "loss_functions", "epoch_status"],
      entryPoint: "main",
      bindings: ["read", "read", "read", "read_write", "read_write", "read_write"] as const,
      usesStep: true,
    };
    await assert.rejects(
      () => backend.context.kernel(loss, {}),
      /Kernel loss \(main\) has an invalid pipeline: .*LOSS/s,
    );
    const session = await backend.createSession(tinyConfig(), tinyData());
    backend.destroy();
    await backend.context.device.lost;
    await assert.rejects(() => session.trainEpoch(0), /GPU device was lost/);
  },
});
