/**
 * A run as `GET /api/runs/:id` answers it: the stored row with its epochs, and for a run with
 * test metrics, per-class precision, recall, F1 and support named by the dataset's classes.
 *
 * @module
 */

import type { RunWithEpochs } from "../../db/runs.ts";
import { type ClassMetrics, classMetrics } from "../../engine/class_metrics.ts";
import { datasetClassNames } from "../../engine/data/load.ts";
import type { TestRecord } from "../../engine/train.ts";

export type RunJson = RunWithEpochs & { classMetrics: ClassMetrics | null };

export function runJson(run: RunWithEpochs): RunJson {
  const test = run.test as TestRecord | null;
  return {
    ...run,
    classMetrics: test
      ? classMetrics(test.confusion, datasetClassNames(run.dataset, test.classes))
      : null,
  };
}
