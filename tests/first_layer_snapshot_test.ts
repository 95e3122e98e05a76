/**
 * Each epoch's first-layer snapshot (engine/first_layer.ts) on both backends: it holds the
 * strongest units of the weights the epoch left (the session's own state), and the GPU's —
 * copied into the epoch's one readback and picked on the host — keeps the same units as the CPU
 * reference's after the same training. Image-shaped data (784 u8 pixels), small enough for
 * lavapipe.
 */

import assert from "node:assert/strict";
import type { EpochResult, TrainingSession } from "../engine/backend.ts";
import { CpuBackend } from "../engine/cpu/session.ts";
import type { PreparedData } from "../engine/data/dataset.ts";
import { strongestRows } from "../engine/first_layer.ts";
import { Rng } from "../engine/random.ts";
import type { RunConfig } from "../engine/spec.ts";
import { WebGpuBackend } from "../engine/webgpu/backend.ts";
import { adapter, tinyConfig } from "./gpu_fixtures.ts";
import { gpuTestOptions } from "./gpu_options.ts";

function imageRows(count: number, rng: Rng) {
  const inputs = new Uint8Array(count * 784);
  const labels = new Uint8Array(count);
  for (let r = 0; r < count; r++) {
    labels[r] = rng.int(3);
    // A bright band per class, so training moves the weights that look at it.
    for (let p = 0; p < 784; p++) {
      const band = Math.floor(p / 28) % 3 === labels[r] ? 150 : 0;
      inputs[r * 784 + p] = Math.min(255, band + Math.floor(rng.uniform() * 100));
    }
  }
  return { count, inputs, labels };
}

function imageData(): PreparedData {
  const rng = new Rng(99);
  return {
    features: 784,
    classes: 3,
    transform: { scale: 1 / 255 / 0.5, shift: -1 },
    train: imageRows(96, rng),
    dev: imageRows(16, rng),
    test: imageRows(16, rng),
  };
}

const CONFIG: Partial<RunConfig> = {
  model: {
    init: "default",
    layers: [
      { units: 48, activation: "relu", batchNorm: false, dropout: 0 },
      { units: 8, activation: "relu", batchNorm: false, dropout: 0 },
    ],
  },
  optimizer: {
    type: "sgd",
    lr: 0.05,
    momentum: 0,
    dampening: 0,
    weightDecay: 0,
    nesterov: false,
  },
};

/** The snapshot agrees with the session's own first-layer weights after the epoch. */
async function assertOwnWeights(session: TrainingSession, result: EpochResult): Promise<void> {
  const weight = (await session.getState()).find((t) => t.name === "hidden.0.linear.weight")!;
  const expected = strongestRows(weight.data, 784);
  const got = result.firstLayer!;
  assert.equal(got.units, 48);
  assert.equal(got.inputs, 784);
  assert.equal(got.indices.length, 32);
  assert.deepEqual(got.indices, expected.indices);
  assert.deepEqual(got.weights, expected.weights);
}

async function snapshots(session: TrainingSession): Promise<EpochResult[]> {
  const results = [];
  for (let epoch = 0; epoch < 2; epoch++) {
    const result = await session.trainEpoch(epoch);
    await assertOwnWeights(session, result);
    results.push(result);
  }
  return results;
}

Deno.test("a CPU epoch on image input carries its first layer's 32 strongest units", async () => {
  const session = await new CpuBackend().createSession(tinyConfig(CONFIG), imageData());
  try {
    const [first, second] = await snapshots(session);
    // Training moved them: the second epoch's pictures differ from the first's.
    assert.notDeepEqual(first.firstLayer!.weights, second.firstLayer!.weights);
  } finally {
    session.dispose();
  }
  const off = await new CpuBackend().createSession(
    tinyConfig({ ...CONFIG, layerStats: false }),
    imageData(),
  );
  try {
    assert.equal((await off.trainEpoch(0)).firstLayer, undefined, "none with layerStats off");
  } finally {
    off.dispose();
  }
});

Deno.test({
  name: "a GPU epoch's first-layer snapshot keeps the CPU reference's units",
  ignore: !adapter,
  async fn() {
    const backend = await WebGpuBackend.create(gpuTestOptions());
    const gpu = await backend.createSession(tinyConfig(CONFIG), imageData());
    const cpu = await new CpuBackend().createSession(tinyConfig(CONFIG), imageData());
    try {
      const [g, c] = [await snapshots(gpu), await snapshots(cpu)];
      for (let epoch = 0; epoch < 2; epoch++) {
        const [gs, cs] = [g[epoch].firstLayer!, c[epoch].firstLayer!];
        assert.deepEqual(gs.indices, cs.indices, `epoch ${epoch}'s units`);
        let apart = 0;
        gs.weights.forEach((w, i) => apart = Math.max(apart, Math.abs(w - cs.weights[i])));
        assert.ok(apart < 1e-4, `epoch ${epoch}'s weights ${apart} apart`);
      }
      // The layer statistics around it are still read from the same readback.
      assert.equal(g[1].layers?.length, 2);
    } finally {
      gpu.dispose();
      cpu.dispose();
      backend.destroy();
    }
  },
});
