/**
 * Per-layer statistics (engine/layer_stats.ts) of both backends against PyTorch's, measured with
 * forward and backward hooks on the same weights, data, dropout masks and probe batch by
 * `tests/fixtures/make_layer_stats_fixtures.py`: each fixture's initial state is loaded into a
 * session, which trains the same two epochs, and every statistic of every hidden layer is
 * compared at each epoch's end.
 *
 * Tolerances, with margin over the worst measured here. CPU reference: means, stds, norms and
 * the update ratio within 2e-5·|torch| + 1e-6 (torch and the reference round f32 sums
 * differently, and eight steps carry that into the weights; worst 3.6e-6 relative, a mean near
 * 0); the dead share, the saturated share and the histogram exactly (a value within rounding of
 * a threshold or a bin edge could fall either side; none does). WebGPU on lavapipe:
 * 1e-4·|torch| + 1e-6 (the kernel sums in f32; worst 9.1e-6), one unit of the dead share, two
 * saturated values and two histogram counts (none measured apart).
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Backend, NamedTensor } from "../engine/backend.ts";
import { CpuBackend } from "../engine/cpu/session.ts";
import type { PreparedData } from "../engine/data/dataset.ts";
import type { LayerStats } from "../engine/layer_stats.ts";
import type {
  GradientClipping,
  LayerSpec,
  OptimizerSpec,
  Regularization,
  RunConfig,
} from "../engine/spec.ts";
import { WebGpuBackend } from "../engine/webgpu/backend.ts";
import { adapter } from "./gpu_fixtures.ts";
import { gpuTestOptions } from "./gpu_options.ts";

interface Fixture {
  name: string;
  features: number;
  classes: number;
  config: {
    seed: number;
    layers: LayerSpec[];
    optimizer: OptimizerSpec;
    regularization: Regularization;
    batch: number;
    gradientClipping?: GradientClipping;
  };
  constructedDeadUnits: number[];
  transform: { scale: number; shift: number };
  inputs: number[];
  labels: number[];
  initial: Record<string, number[]>;
  /** [epoch][hidden layer] */
  epochs: LayerStats[][];
}

interface Tolerance {
  rtol: number;
  atol: number;
  deadUnits: number;
  saturatedValues: number;
  histogramCounts: number;
}

const CPU: Tolerance = {
  rtol: 2e-5,
  atol: 1e-6,
  deadUnits: 0,
  saturatedValues: 0,
  histogramCounts: 0,
};
const GPU: Tolerance = {
  rtol: 1e-4,
  atol: 1e-6,
  deadUnits: 1,
  saturatedValues: 2,
  histogramCounts: 2,
};

const FOLDER = new URL("./fixtures/layer_stats/", import.meta.url);

function loadFixtures(): Fixture[] {
  return [...Deno.readDirSync(FOLDER)]
    .filter((entry) => entry.name.endsWith(".json"))
    .map((entry) => JSON.parse(Deno.readTextFileSync(new URL(entry.name, FOLDER))) as Fixture)
    .sort((a, b) => a.name.localeCompare(b.name));
}

const FIXTURES = loadFixtures();

function runConfig(fixture: Fixture, device: RunConfig["device"]): RunConfig {
  const { config } = fixture;
  return {
    name: `torch-${fixture.name}`,
    seed: config.seed,
    data: { dataset: "synthetic", normalize: null, split: { train: 0.9, dev: 0.1 } },
    model: { init: "default", layers: config.layers },
    loss: "cross_entropy",
    optimizer: config.optimizer,
    regularization: config.regularization,
    ...(config.gradientClipping ? { gradientClipping: config.gradientClipping } : {}),
    batch: { mode: "minibatch", size: config.batch, shuffle: false },
    epochs: fixture.epochs.length,
    device,
  };
}

function preparedData(fixture: Fixture): PreparedData {
  const inputs = Uint8Array.from(fixture.inputs);
  const labels = Uint8Array.from(fixture.labels);
  const train = { count: labels.length, inputs, labels };
  // Dev and test are not looked at; a few train rows keep every buffer non-empty.
  const few = {
    count: 8,
    inputs: inputs.slice(0, 8 * fixture.features),
    labels: labels.slice(0, 8),
  };
  return {
    features: fixture.features,
    classes: fixture.classes,
    transform: fixture.transform,
    train,
    dev: few,
    test: few,
  };
}

function near(actual: number | null, expected: number | null, tolerance: Tolerance, what: string) {
  if (expected === null || actual === null) {
    assert.equal(actual, expected, what);
    return;
  }
  const error = Math.abs(actual - expected);
  assert.ok(
    error <= tolerance.atol + tolerance.rtol * Math.abs(expected),
    `${what}: got ${actual}, torch has ${expected} (error ${error})`,
  );
}

/** Throws naming the statistic, epoch and layer where `actual` is outside `tolerance` of torch. */
function assertLikeTorch(
  actual: LayerStats,
  expected: LayerStats,
  shape: { units: number; rows: number },
  tolerance: Tolerance,
  what: string,
): void {
  for (
    const key of [
      "preActivationMean",
      "preActivationStd",
      "activationMean",
      "activationStd",
      "weightNorm",
      "gradientNorm",
      "updateRatio",
    ] as const
  ) {
    near(actual[key], expected[key], tolerance, `${what} ${key}`);
  }
  assert.equal(actual.deadShare === null, expected.deadShare === null, `${what} deadShare`);
  if (expected.deadShare !== null) {
    const apart = Math.abs(actual.deadShare! - expected.deadShare) * shape.units;
    assert.ok(
      apart <= tolerance.deadUnits + 1e-9,
      `${what} deadShare: got ${actual.deadShare}, torch has ${expected.deadShare}`,
    );
  }
  assert.equal(
    actual.saturatedShare === null,
    expected.saturatedShare === null,
    `${what} saturatedShare`,
  );
  if (expected.saturatedShare !== null) {
    const apart = Math.abs(actual.saturatedShare! - expected.saturatedShare) * shape.rows *
      shape.units;
    assert.ok(
      apart <= tolerance.saturatedValues + 1e-6,
      `${what} saturatedShare: got ${actual.saturatedShare}, torch has ${expected.saturatedShare}`,
    );
  }
  near(actual.weightHistogram.limit, expected.weightHistogram.limit, CPU, `${what} limit`);
  const moved = actual.weightHistogram.counts.reduce(
    (sum, count, bin) => sum + Math.abs(count - expected.weightHistogram.counts[bin]),
    0,
  );
  assert.ok(
    moved <= tolerance.histogramCounts,
    `${what} weightHistogram: ${moved} counts apart (${actual.weightHistogram.counts} vs ` +
      `${expected.weightHistogram.counts})`,
  );
}

/** Trains `fixture` on `backend` from its initial state and compares every epoch's statistics. */
async function assertFixture(backend: Backend, fixture: Fixture, tolerance: Tolerance) {
  const config = runConfig(fixture, backend.kind === "cpu" ? "cpu" : "gpu");
  const session = await backend.createSession(config, preparedData(fixture));
  try {
    const state: NamedTensor[] = (await session.getState()).map((tensor) => {
      const initial = fixture.initial[tensor.name];
      assert.ok(initial, `the fixture has ${tensor.name}`);
      return { ...tensor, data: Float32Array.from(initial) };
    });
    await session.setState(state);
    const rows = Math.min(256, fixture.labels.length);
    for (let epoch = 0; epoch < fixture.epochs.length; epoch++) {
      const { layers } = await session.trainEpoch(epoch);
      assert.equal(layers?.length, config.model.layers.length);
      fixture.epochs[epoch].forEach((expected, l) => {
        const shape = { units: config.model.layers[l].units, rows };
        assertLikeTorch(layers![l], expected, shape, tolerance, `epoch ${epoch} layer ${l}`);
      });
    }
  } finally {
    session.dispose();
  }
}

Deno.test("the fixtures cover every kind of statistic and a dead unit made by hand", () => {
  const stats = FIXTURES.flatMap((fixture) => fixture.epochs.flat());
  const activations = new Set(FIXTURES.flatMap((f) => f.config.layers.map((l) => l.activation)));
  for (const name of ["relu", "leaky_relu", "gelu", "sigmoid", "tanh"]) {
    assert.ok(activations.has(name as LayerSpec["activation"]), name);
  }
  const layers = FIXTURES.flatMap((fixture) => fixture.config.layers);
  assert.ok(layers.some((layer) => layer.batchNorm), "batch norm");
  assert.ok(layers.some((layer) => layer.dropout > 0), "dropout");
  assert.ok(stats.some((s) => s.deadShare! > 0), "a dead unit");
  assert.ok(stats.some((s) => s.saturatedShare! > 0.2), "saturated values");
  assert.ok(FIXTURES.some((fixture) => fixture.labels.length > 256), "a probe of 256 rows");
  const regularized = FIXTURES.filter((f) =>
    f.config.regularization.l1 + f.config.regularization.l2
  );
  assert.ok(regularized.some((f) => f.config.gradientClipping), "penalty and clipping together");
});

Deno.test("a first-layer unit with zero weights and bias −1 counts as dead on both sides", () => {
  const fixture = FIXTURES.find((f) => f.constructedDeadUnits.length > 0)!;
  const { units } = fixture.config.layers[0];
  for (const epoch of fixture.epochs) {
    // Never positive on any input, and its gradient is 0, so it stays dead: at least these.
    assert.ok(epoch[0].deadShare! >= fixture.constructedDeadUnits.length / units);
  }
});

Deno.test("CpuSession's layer statistics match PyTorch's hooks", async (t) => {
  const backend = new CpuBackend();
  for (const fixture of FIXTURES) {
    await t.step(fixture.name, () => assertFixture(backend, fixture, CPU));
  }
});

Deno.test({
  name: "WebGpuSession's layer statistics match PyTorch's hooks",
  ignore: !adapter,
  async fn(t) {
    const backend = await WebGpuBackend.create(gpuTestOptions());
    try {
      for (const fixture of FIXTURES) {
        await t.step(fixture.name, () => assertFixture(backend, fixture, GPU));
      }
    } finally {
      backend.destroy();
    }
  },
});
