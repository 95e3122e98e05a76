import assert from "node:assert/strict";
import { type ClassMetrics, classMetrics } from "./class_metrics.ts";

type Fixture = ClassMetrics & { classes: number; confusion: number[] };

// Written by tests/fixtures/make_class_metrics_fixtures.py: torcheval's formulas in plain torch.
const fixtures: Record<string, Fixture> = JSON.parse(
  await Deno.readTextFile(new URL("../tests/fixtures/class_metrics.json", import.meta.url)),
);

const names = (classes: number) => Array.from({ length: classes }, (_, k) => String(k));

/** float64 on both sides; only the order of the sums differs. */
function assertClose(actual: number, expected: number, what: string) {
  assert.ok(Math.abs(actual - expected) <= 1e-12, `${what}: ${actual} vs ${expected}`);
}

function assertScores(actual: object, expected: object, what: string) {
  for (const [key, value] of Object.entries(expected)) {
    assertClose((actual as Record<string, number>)[key], value, `${what}.${key}`);
  }
}

for (const [name, fixture] of Object.entries(fixtures)) {
  Deno.test(`classMetrics() matches torcheval's per-class, macro and weighted scores: ${name}`, () => {
    const metrics = classMetrics(fixture.confusion, names(fixture.classes));
    assert.equal(metrics.perClass.length, fixture.classes);
    fixture.perClass.forEach((row, k) => assertScores(metrics.perClass[k], row, `class ${k}`));
    assertScores(metrics.macro, fixture.macro, "macro");
    assertScores(metrics.weighted, fixture.weighted, "weighted");
  });
}

Deno.test("classMetrics() leaves a class with neither support nor predictions out of the averages", () => {
  // Classes 0 and 1 are always right; class 2 never appears. Macro over 3 classes would be 2/3.
  const metrics = classMetrics([3, 0, 0, 0, 1, 0, 0, 0, 0], ["a", "b", "c"]);
  assert.deepEqual(metrics.perClass[2], { name: "c", precision: 0, recall: 0, f1: 0, support: 0 });
  assert.deepEqual(metrics.macro, { precision: 1, recall: 1, f1: 1 });
  assert.deepEqual(metrics.weighted, { precision: 1, recall: 1, f1: 1 });
});

Deno.test("classMetrics() counts a never-predicted class as precision 0, not NaN", () => {
  // Class 1 (2 examples) is always predicted as 0: precision 0/0 → 0, recall 0/2 = 0.
  const metrics = classMetrics([2, 0, 2, 0], ["cat", "dog"]);
  assert.deepEqual(metrics.perClass[1], {
    name: "dog",
    precision: 0,
    recall: 0,
    f1: 0,
    support: 2,
  });
  assert.equal(metrics.perClass[0].precision, 0.5);
  assert.equal(metrics.macro.precision, 0.25);
});

Deno.test("classMetrics() refuses a confusion matrix of the wrong size", () => {
  assert.throws(
    () => classMetrics([1, 2, 3], ["0", "1"]),
    /Confusion matrix has 3 cells, expected 2×2/,
  );
});
