import assert from "node:assert/strict";
import type { Examples, PreparedData } from "../data/dataset.ts";
import { Rng } from "../random.ts";
import type { RunConfig } from "../spec.ts";
import { CpuBackend } from "./session.ts";

const FEATURES = 4, CLASSES = 3;

/** Rows whose label is the index of the largest of the first three features: learnable. */
function examples(count: number, seed: number): Examples {
  const rng = new Rng(seed);
  const inputs = Float32Array.from({ length: count * FEATURES }, () => rng.normal());
  const labels = Uint8Array.from({ length: count }, (_, i) => {
    const row = inputs.subarray(i * FEATURES, i * FEATURES + 3);
    return row.indexOf(Math.max(...row));
  });
  return { count, inputs, labels };
}

function data(train = 240): PreparedData {
  return {
    features: FEATURES,
    classes: CLASSES,
    transform: { scale: 1, shift: 0 },
    train: examples(train, 1),
    dev: examples(60, 2),
    test: examples(30, 3),
  };
}

function config(options: Partial<RunConfig> = {}): RunConfig {
  return {
    name: "test",
    seed: 7,
    data: { dataset: "synthetic", normalize: null, split: { train: 0.8, dev: 0.2 } },
    model: {
      init: "default",
      layers: [{ units: 16, activation: "relu", batchNorm: false, dropout: 0.1 }],
    },
    loss: "cross_entropy",
    optimizer: {
      type: "adam",
      lr: 0.02,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      amsgrad: false,
    },
    regularization: { l1: 0, l2: 0 },
    batch: { mode: "minibatch", size: 32, shuffle: true },
    epochs: 1,
    device: "cpu",
    ...options,
  };
}

const backend = new CpuBackend();

Deno.test("CpuSession.trainEpoch() learns a separable problem", async () => {
  const session = await backend.createSession(config(), data());
  const first = await session.trainEpoch(0);
  assert.equal(first.steps, 8);
  let last = first;
  for (let epoch = 1; epoch < 8; epoch++) last = await session.trainEpoch(epoch);
  assert.ok(last.loss < first.loss / 2, `loss ${first.loss} → ${last.loss}`);
  const dev = await session.evaluate("dev");
  assert.ok(dev.accuracy > 0.85, `dev accuracy ${dev.accuracy}`);
  assert.equal(dev.count, 60);
  assert.equal(dev.confusion.reduce((a, b) => a + b, 0), 60);
  const diagonal = [0, 1, 2].reduce((a, c) => a + dev.confusion[c * CLASSES + c], 0);
  assert.equal(diagonal / 60, dev.accuracy);
});

Deno.test("CpuSession is reproducible from the seed, batch norm and dropout included", async () => {
  const layers = [{ units: 8, activation: "gelu" as const, batchNorm: true, dropout: 0.3 }];
  const run = async () => {
    const session = await backend.createSession(
      config({ model: { init: "xavier_normal", layers } }),
      data(),
    );
    return [await session.trainEpoch(0), await session.trainEpoch(1), await session.getState()];
  };
  assert.deepEqual(await run(), await run());
});

Deno.test("CpuSession.trainEpoch() stops at the first non-finite loss and says which step", async () => {
  const optimizer = {
    type: "sgd" as const,
    lr: 1e30,
    momentum: 0,
    dampening: 0,
    weightDecay: 0,
    nesterov: false,
  };
  const session = await backend.createSession(config({ optimizer }), data());
  const result = await session.trainEpoch(0);
  assert.equal(typeof result.nonFiniteStep, "number");
  assert.equal(result.steps, result.nonFiniteStep! + 1);
  assert.ok(result.steps < 8);
  assert.ok(!Number.isFinite(result.loss));
});

Deno.test("CpuSession.predict() gives probabilities for bce and checks its rows", async () => {
  const binary = { ...data(), classes: 2 };
  for (const split of [binary.train, binary.dev, binary.test]) {
    split.labels = split.labels.map((l) => l % 2);
  }
  const session = await backend.createSession(config({ loss: "bce" }), binary);
  await session.trainEpoch(0);
  const outputs = await session.predict("test", Uint32Array.of(0, 5, 29));
  assert.equal(outputs.length, 3);
  assert.ok(outputs.every((p) => p > 0 && p < 1));
  await assert.rejects(
    () => session.predict("test", Uint32Array.of(30)),
    /Row 30 is out of range for split "test" of 30/,
  );
});

Deno.test("CpuSession.setState() restores a model exactly and rejects mismatched tensors", async () => {
  const trained = await backend.createSession(config(), data());
  await trained.trainEpoch(0);
  const state = await trained.getState();
  const fresh = await backend.createSession(config({ seed: 99 }), data());
  await fresh.setState(state);
  const rows = Uint32Array.of(0, 1, 2, 3);
  assert.deepEqual(await fresh.predict("dev", rows), await trained.predict("dev", rows));
  const [first, ...rest] = state;
  await assert.rejects(
    () => fresh.setState(rest),
    /State tensor "hidden.0.linear.weight" is missing/,
  );
  await assert.rejects(
    () => fresh.setState([{ ...first, shape: [4, 16] }, ...rest]),
    /State tensor "hidden.0.linear.weight" has shape \[4,16\], expected \[16,4\]/,
  );
  await assert.rejects(
    () => fresh.setState([...state, { name: "extra", shape: [1], data: new Float32Array(1) }]),
    /Unknown state tensor "extra"/,
  );
});

Deno.test("CpuSession skips background pixels of u8 inputs without changing the result", async () => {
  const transform = { scale: 1 / 255 / 0.5, shift: -1 };
  const pixels = (count: number, seed: number): Examples => {
    const rng = new Rng(seed);
    const inputs = Uint8Array.from(
      { length: count * 16 },
      () => (rng.uniform() < 0.8 ? 0 : rng.int(256)),
    );
    return { count, inputs, labels: Uint8Array.from({ length: count }, () => rng.int(3)) };
  };
  const raw: PreparedData = {
    features: 16,
    classes: 3,
    transform,
    train: pixels(64, 1),
    dev: pixels(8, 2),
    test: pixels(8, 3),
  };
  const asFloat = (e: Examples): Examples => ({
    ...e,
    inputs: Float32Array.from(
      e.inputs,
      (v) => Math.fround(Math.fround(v * transform.scale) + transform.shift),
    ),
  });
  const floats: PreparedData = {
    ...raw,
    transform: { scale: 1, shift: 0 },
    train: asFloat(raw.train),
    dev: asFloat(raw.dev),
    test: asFloat(raw.test),
  };
  const a = await backend.createSession(config(), raw);
  const b = await backend.createSession(config(), floats);
  const [ra, rb] = [await a.trainEpoch(0), await b.trainEpoch(0)];
  assert.ok(Math.abs(ra.loss - rb.loss) < 1e-6);
  const rows = Uint32Array.of(0, 1, 2);
  const [pa, pb] = [await a.predict("dev", rows), await b.predict("dev", rows)];
  pa.forEach((v, i) => assert.ok(Math.abs(v - pb[i]) < 1e-5));
});

Deno.test("CpuBackend.createSession() refuses batch norm with single-row batches", async () => {
  const layers = [{ units: 4, activation: "relu" as const, batchNorm: true, dropout: 0 }];
  await assert.rejects(
    () =>
      backend.createSession(
        config({
          model: { init: "default", layers },
          batch: { mode: "stochastic", size: 1, shuffle: true },
        }),
        data(),
      ),
    /Batch norm needs batches of at least 2 rows, but batch.mode "stochastic"/,
  );
  // 225 rows in batches of 32 leave a last batch of 1.
  await assert.rejects(
    () => backend.createSession(config({ model: { init: "default", layers } }), data(225)),
    /makes a batch of 1/,
  );
});

Deno.test("CpuSession.trainEpoch() stops with an AbortError when its signal is aborted", async () => {
  const session = await backend.createSession(config(), data());
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(() => session.trainEpoch(0, { signal: controller.signal }), {
    name: "AbortError",
  });
});

Deno.test("CpuSession.trainEpoch() yields to the event loop, so a timer can cancel it midway", async () => {
  const stochastic = { mode: "stochastic" as const, size: 1, shuffle: true };
  // 200000 steps take seconds here, so even a machine many times faster is still training when
  // the first yield (after 200 ms) lets the timer fire; only a failing test trains them all.
  const session = await backend.createSession(config({ batch: stochastic }), data(200_000));
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 1);
  await assert.rejects(() => session.trainEpoch(0, { signal: controller.signal }), {
    name: "AbortError",
  });
});

Deno.test("CpuSession yields across epochs too short to yield in, so a cancel still lands", async () => {
  // Each epoch takes well under the 200 ms between yields; a pacer that started over with every
  // epoch never yielded, and an engine worker trained all of a fast run's epochs after Cancel.
  const session = await backend.createSession(config(), data(8));
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 1);
  let epochs = 0;
  await assert.rejects(async () => {
    for (; epochs < 1_000_000; epochs++) {
      await session.trainEpoch(epochs, { signal: controller.signal });
    }
  }, { name: "AbortError" });
  assert.ok(epochs < 1_000_000, "the timer fired before every epoch was trained");
});

Deno.test("CpuSession.bytesAllocated counts data, parameters, gradients and optimizer state", async () => {
  const session = await backend.createSession(config(), data());
  const parameterBytes = (4 * 16 + 16 + 16 * 3 + 3) * 4;
  const dataBytes = (240 + 60 + 30) * (FEATURES * 4 + 1);
  // Parameters, gradients, Adam's two moments: 4 copies.
  assert.ok(session.bytesAllocated >= 4 * parameterBytes + dataBytes, `${session.bytesAllocated}`);
});

Deno.test("CpuSession runs calls in call order: queued epochs and evaluations equal awaited ones", async () => {
  // Stochastic batches yield to the event loop many times an epoch, so unqueued calls would
  // interleave their steps on one model.
  const stochastic = { mode: "stochastic" as const, size: 1, shuffle: true };
  const queued = await backend.createSession(config({ batch: stochastic }), data());
  const awaited = await backend.createSession(config({ batch: stochastic }), data());
  const calls = [0, 1].map((epoch) => queued.trainEpoch(epoch, { evaluate: ["dev"] }));
  const test = queued.evaluate("test");
  const expected = [];
  for (const epoch of [0, 1]) expected.push(await awaited.trainEpoch(epoch, { evaluate: ["dev"] }));
  assert.deepEqual(await Promise.all(calls), expected);
  assert.deepEqual(await test, await awaited.evaluate("test"));
  assert.deepEqual(expected[1].evaluations?.dev, await awaited.evaluate("dev"));
});
