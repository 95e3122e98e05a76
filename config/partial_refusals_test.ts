import assert from "node:assert/strict";
import type { AdmissionContext } from "./admission.ts";
import { parseRunConfig } from "./schema.ts";
import { parseStudySpec } from "./study_schema.ts";
import {
  memoryIgnores,
  partialRunRefusals,
  partialStudyRefusals,
  withoutPaths,
} from "./partial_refusals.ts";

const CTX: AdmissionContext = {
  memoryBudgetBytes: 2 ** 40,
  datasets: [
    { id: "synthetic-binary", name: "Synthetic", features: 10, classes: 2, train: 1000, test: 0 },
  ],
  roots: { mnist: "/nonexistent/mnist" },
  device: { backend: "cpu", reason: "none in tests" },
};
/** Far too little for any model: every config that reaches the estimate is refused. */
const TINY_BUDGET: AdmissionContext = { ...CTX, memoryBudgetBytes: 1 };

const SYNTHETIC = { dataset: "synthetic-binary", split: { train: 0.8, dev: 0.1, test: 0.1 } };

async function runRefusalsBeside(input: unknown, ctx = CTX) {
  const parsed = parseRunConfig(input);
  assert.ok(!parsed.ok, "the input should have schema issues");
  return await partialRunRefusals(input, parsed.issues, ctx);
}

Deno.test("withoutPaths() drops the faulted fields and a whole array for an index, copying", () => {
  const input = { a: { b: 1, c: 2 }, betas: [0.9, "x"], layers: [{ units: "x", dropout: 2 }] };
  assert.deepEqual(withoutPaths(input, ["a.b", "betas.1", "layers.0.dropout"]), {
    a: { c: 2 },
    layers: [{ units: "x" }],
  });
  assert.deepEqual(input.a, { b: 1, c: 2 }, "the input is left as it was");
  assert.equal(withoutPaths(input, ["nowhere.deep"]), input);
});

Deno.test("partialRunRefusals() names a train size past the dataset's beside a bad layer", async () => {
  const refusals = await runRefusalsBeside({
    data: { ...SYNTHETIC, trainSize: 70000 },
    model: { layers: [{ units: "many" }] },
  });
  assert.deepEqual(refusals, [{
    path: "data.trainSize",
    message: 'Train size must be at most 1000 for "synthetic-binary", got 70000',
  }]);
});

Deno.test("partialRunRefusals() says nothing about a faulted field or the part holding it", async () => {
  // The fractions do not sum to 1; at the default split the dataset would lack a test fraction,
  // which is no news about what was typed.
  const split = await runRefusalsBeside({
    data: { dataset: "synthetic-binary", split: { train: 0.5, dev: 0.1, test: 0.1 } },
  });
  assert.deepEqual(split, []);
  const dataset = await runRefusalsBeside({ data: { dataset: "nope", trainSize: 70000 } });
  assert.deepEqual(dataset, [], "without a known dataset there are no limits to hold it to");
});

Deno.test("partialRunRefusals() estimates memory only when the faulted fields do not change it", async () => {
  const named = await runRefusalsBeside({ name: "", data: SYNTHETIC }, TINY_BUDGET);
  assert.equal(named.length, 1);
  assert.match(named[0].message, /over the 1 bytes a run may take on this server/);
  const layered = await runRefusalsBeside(
    { data: SYNTHETIC, model: { layers: [{ units: 0 }] } },
    TINY_BUDGET,
  );
  assert.deepEqual(layered, []);
});

Deno.test("memoryIgnores() knows the fields the estimate does not read", () => {
  for (const path of ["name", "optimizer.betas.1", "model.layers.3.dropout", "data.normalize"]) {
    assert.ok(memoryIgnores(path), path);
  }
  for (const path of ["model.layers.0.units", "batch.size", "optimizer.type", "data.split.dev"]) {
    assert.ok(!memoryIgnores(path), path);
  }
});

const SPACE = { "optimizer.lr": { type: "float", low: 1e-4, high: 1e-1, log: true } };

async function studyRefusalsBeside(input: Record<string, unknown>, ctx = CTX) {
  const parsed = parseStudySpec(input);
  assert.ok(!parsed.ok, "the study should have schema issues");
  return await partialStudyRefusals(input, parsed.issues, ctx);
}

Deno.test("partialStudyRefusals() names the base's train size beside a bad name and layer", async () => {
  const refusals = await studyRefusalsBeside({
    name: "",
    trials: 0,
    metric: "trainLoss",
    base: { data: { ...SYNTHETIC, trainSize: 70000 }, model: { layers: [{ units: -1 }] } },
    space: SPACE,
  });
  assert.deepEqual(refusals, [{
    path: "base.data.trainSize",
    message: 'Train size must be at most 1000 for "synthetic-binary", got 70000',
  }]);
});

Deno.test("partialStudyRefusals() checks memory at the worst trial when only settings are faulted", async () => {
  const refusals = await studyRefusalsBeside(
    { name: "", base: { data: SYNTHETIC }, space: SPACE },
    TINY_BUDGET,
  );
  assert.equal(refusals.length, 1);
  assert.match(refusals[0].message, /over the 1 bytes a run may take/);
});

Deno.test("partialStudyRefusals() checks nothing while the search space is faulted", async () => {
  const refusals = await studyRefusalsBeside({
    name: "s",
    base: { data: { ...SYNTHETIC, trainSize: 70000 } },
    space: { "optimizer.lr": { type: "float", low: 1, high: 0 } },
  });
  assert.deepEqual(refusals, []);
});
