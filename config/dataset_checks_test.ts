import assert from "node:assert/strict";
import type { DatasetInfo } from "../engine/data/load.ts";
import { datasetIssues, studyDatasetIssues } from "./dataset_checks.ts";
import { parseRunConfig } from "./schema.ts";
import { parseStudySpec } from "./study_schema.ts";

const DATASETS: DatasetInfo[] = [
  { id: "mnist", name: "MNIST", features: 784, classes: 10, train: 60000, test: 10000 },
  { id: "synthetic-binary", name: "Synthetic", features: 10, classes: 2, train: 1000, test: 0 },
];

function runIssues(input: unknown) {
  const parsed = parseRunConfig(input);
  assert.ok(parsed.ok, JSON.stringify(parsed));
  return datasetIssues(parsed.config, DATASETS);
}

function studyIssues(input: Record<string, unknown>) {
  const parsed = parseStudySpec({
    name: "s",
    trials: 2,
    space: { "optimizer.lr": { type: "float", low: 1e-4, high: 1e-1, log: true } },
    ...input,
  });
  assert.ok(parsed.ok, JSON.stringify(parsed));
  return studyDatasetIssues(parsed.spec, DATASETS);
}

Deno.test("datasetIssues() refuses splits that leave no training or no test rows, as training would", () => {
  const synthetic = (split: unknown, trainSize?: number) =>
    runIssues({
      data: { dataset: "synthetic-binary", split, ...(trainSize ? { trainSize } : {}) },
    });
  // 10% of 5 rows rounds to none, after dev and test take theirs.
  assert.deepEqual(synthetic({ train: 0.1, dev: 0.5, test: 0.4 }, 5), [{
    path: "data.split",
    message: "The split leaves no training rows: 5 examples give dev 3 and test 2; " +
      "lower the dev or test fraction",
  }]);
  assert.deepEqual(synthetic({ train: 0.85, dev: 0.1, test: 0.05 }, 5), [{
    path: "data.split.test",
    message: "Test fraction 0.05 gives 0 test rows out of 5, expected at least 1; raise it",
  }]);
  assert.deepEqual(synthetic({ train: 0.8, dev: 0.1, test: 0.1 }, 5), []);
  // MNIST keeps its official test set: 5 rows train.
  assert.deepEqual(runIssues({ data: { dataset: "mnist", trainSize: 5 } }), []);
});

Deno.test("studyDatasetIssues() refuses a dev metric over a dev split with no rows", () => {
  const tiny = { data: { dataset: "mnist", trainSize: 4, split: { train: 0.9, dev: 0.1 } } };
  assert.deepEqual(studyIssues({ base: tiny }), [{
    path: "base.data.split.dev",
    message: "The study's metric devAccuracy needs dev rows, but dev fraction 0.1 of 4 examples " +
      "gives none; raise it, or choose a train metric",
  }]);
  assert.deepEqual(studyIssues({ base: tiny, metric: "trainLoss", direction: "minimize" }), []);
  assert.deepEqual(
    studyIssues({ base: { data: { dataset: "mnist", trainSize: 40 } } }),
    [],
    "10% of 40 is 4 dev rows",
  );
});

Deno.test("studyDatasetIssues() checks rows per searched size, not the base's the search replaces", () => {
  const base = {
    data: { dataset: "synthetic-binary", trainSize: 5, split: { train: 0.1, dev: 0.5, test: 0.4 } },
  };
  const search = (low: number) => ({
    base,
    metric: "trainLoss",
    direction: "minimize",
    space: { "data.trainSize": { type: "int", low, high: 1000 } },
  });
  // Every trial draws 500 to 1000 rows: the base's 5, which leave none to train, never train.
  assert.deepEqual(studyIssues(search(500)), []);
  assert.deepEqual(studyIssues(search(5)), [{
    path: "space.data.trainSize.low",
    message: "With data.trainSize = 5: The split leaves no training rows: 5 examples give dev 3 " +
      "and test 2; lower the dev or test fraction",
  }]);
  // Not searched, the base's rows are what every trial gets.
  const lr = { "optimizer.lr": { type: "float", low: 1e-3, high: 1e-1 } };
  assert.deepEqual(studyIssues({ ...search(500), space: lr }).map((issue) => issue.path), [
    "base.data.split",
  ]);
});
