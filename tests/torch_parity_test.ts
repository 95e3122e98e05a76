/**
 * The CPU reference against PyTorch 1.13: replays every fixture written by
 * `tests/fixtures/make_torch_fixtures.py` (same initial weights, data and dropout masks) and
 * compares each step's loss, the first step's gradients, the parameters, batch-norm buffers and
 * optimizer state after the last step, and evaluation-mode outputs.
 *
 * Tolerance: |actual − expected| ≤ 1e-5·|expected| + 1e-6. Torch sums in f32 while the CPU
 * reference sums in f64, so the two differ by f32 rounding, a few 1e-7 relative per operation;
 * the absolute floor covers sums that cancel to near zero (output-bias gradients). Measured
 * margin: every fixture also passes at 3e-6 relative + 1e-7 absolute except the two RMSprop
 * momentum cases, whose g/√v amplifies the rounding of small gradients to about 1e-5.
 *
 * @module
 */

import assert from "node:assert/strict";
import { clipGradients } from "../engine/cpu/grad_clip.ts";
import { lossForward, outputsFromLogits } from "../engine/cpu/losses.ts";
import { Mlp } from "../engine/cpu/mlp.ts";
import { createOptimizer } from "../engine/cpu/optim/optimizer.ts";
import { addPenaltyGradient } from "../engine/cpu/penalties.ts";
import { Rng } from "../engine/random.ts";
import {
  type GradientClipping,
  type LayerSpec,
  type LossName,
  type OptimizerSpec,
  outputUnits,
  type Regularization,
} from "../engine/spec.ts";

const RELATIVE_TOLERANCE = 1e-5;
const ABSOLUTE_TOLERANCE = 1e-6;

interface Fixture {
  name: string;
  features: number;
  classes: number;
  loss: LossName;
  layers: LayerSpec[];
  optimizer: OptimizerSpec;
  regularization: Regularization;
  /** Only in the clipping cases. */
  gradientClipping?: GradientClipping;
  initial: Record<string, number[]>;
  steps: { inputs: number[]; labels: number[]; masks: (number[] | null)[]; loss: number }[];
  firstGradients: Record<string, number[]>;
  final: Record<string, number[]>;
  optimizerState: Record<string, (number[] | null)[]>;
  eval: { inputs: number[]; labels: number[]; outputs: number[]; loss: number };
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const error = Math.abs(actual[i] - expected[i]);
    if (!(error <= RELATIVE_TOLERANCE * Math.abs(expected[i]) + ABSOLUTE_TOLERANCE)) {
      assert.fail(`${what}[${i}]: got ${actual[i]}, torch has ${expected[i]} (error ${error})`);
    }
  }
}

function replay(fixture: Fixture): void {
  const units = outputUnits(fixture.loss, fixture.classes);
  const model = new Mlp(
    { features: fixture.features, layers: fixture.layers, outputs: units },
    "default",
    new Rng(0),
  );
  for (const p of model.parameters) p.data.set(fixture.initial[p.name]);
  const params = model.parameters.map((p) => p.data);
  const optimizer = createOptimizer(fixture.optimizer, params.map((p) => p.length));
  const { l1, l2 } = fixture.regularization;

  fixture.steps.forEach((step, s) => {
    const batch = step.labels.length;
    const masks = step.masks.map((mask) => (mask === null ? null : Uint8Array.from(mask)));
    const logits = model.forward(Float32Array.from(step.inputs), batch, {
      training: true,
      dropout: { masks },
    });
    const dLogits = new Float32Array(logits.length);
    const loss = lossForward(
      fixture.loss,
      logits,
      Uint8Array.from(step.labels),
      batch,
      units,
      dLogits,
    );
    assertClose([loss], [step.loss], `step ${s} loss`);
    model.backward(dLogits);
    addPenaltyGradient(params, model.gradients, l1, l2);
    if (fixture.gradientClipping) clipGradients(fixture.gradientClipping, model.gradients);
    if (s === 0) {
      model.parameters.forEach((p, i) => {
        assertClose(model.gradients[i], fixture.firstGradients[p.name], `gradient of ${p.name}`);
      });
    }
    optimizer.step(params, model.gradients);
  });

  const state = [...model.parameters, ...model.buffers];
  assert.deepEqual(state.map((t) => t.name).sort(), Object.keys(fixture.final).sort());
  for (const tensor of state) assertClose(tensor.data, fixture.final[tensor.name], tensor.name);

  assert.deepEqual(Object.keys(optimizer.state).sort(), Object.keys(fixture.optimizerState).sort());
  for (const [key, tensors] of Object.entries(fixture.optimizerState)) {
    tensors.forEach((expected, i) => {
      assertClose(optimizer.state[key][i], expected!, `${key} of ${model.parameters[i].name}`);
    });
  }

  const { inputs, labels, outputs, loss } = fixture.eval;
  const logits = model.forward(Float32Array.from(inputs), labels.length, { training: false });
  const evalLoss = lossForward(
    fixture.loss,
    logits,
    Uint8Array.from(labels),
    labels.length,
    units,
    null,
  );
  assertClose([evalLoss], [loss], "evaluation loss");
  outputsFromLogits(fixture.loss, logits);
  assertClose(logits, outputs, "evaluation outputs");
}

// AJUSTE_TORCH_FIXTURES=DIR replays a sweep written by `make_torch_fixtures.py --sweep N --out DIR`.
const sweep = Deno.env.get("AJUSTE_TORCH_FIXTURES");
const folder = sweep
  ? new URL(`${sweep.replace(/\/?$/, "/")}`, `file://${Deno.cwd()}/`)
  : new URL("./fixtures/torch/", import.meta.url);
const names = [...Deno.readDirSync(folder)]
  .filter((entry) => entry.name.endsWith(".json"))
  .map((entry) => entry.name)
  .sort();

Deno.test("torch fixtures are present", () => {
  assert.ok(
    names.length >= (sweep ? 1 : 30),
    `expected the generated fixtures in ${folder.pathname}`,
  );
});

for (const name of names) {
  const fixture: Fixture = JSON.parse(Deno.readTextFileSync(new URL(name, folder)));
  Deno.test(`Mlp with ${fixture.optimizer.type} matches torch 1.13 on fixture ${fixture.name}`, () => {
    replay(fixture);
  });
}

Deno.test("Mlp without clipping matches torch's run whose gradient norm stayed under maxNorm", () => {
  // clip_norm_inactive clips at 100 a gradient of norm ~0.25: min(1, coefficient) is 1 at every
  // step, so torch's weights are those of the same run with no clipping at all.
  const name = "clip_norm_inactive.json";
  const fixture: Fixture = JSON.parse(Deno.readTextFileSync(new URL(name, folder)));
  assert.equal(fixture.gradientClipping?.type, "norm");
  replay({ ...fixture, gradientClipping: undefined });
});
