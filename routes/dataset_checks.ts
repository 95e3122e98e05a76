/**
 * Checks of a valid run config against the datasets this server has, so the new-run form can
 * say before launching what the data pipeline (`engine/data/split.ts`) would refuse at start.
 *
 * @module
 */

import type { Issue } from "../config/issues.ts";
import type { DatasetInfo } from "../engine/data/load.ts";
import type { RunConfig } from "../engine/spec.ts";

/** Issues at the fields to fix; none for datasets the server does not list (`idx:`, `csv:`). */
export function datasetIssues(config: RunConfig, datasets: DatasetInfo[]): Issue[] {
  const { data } = config;
  const info = datasets.find((candidate) => candidate.id === data.dataset);
  if (!info) return [];
  const issues: Issue[] = [];
  const name = JSON.stringify(info.id);
  if (info.test > 0) {
    if (data.split.test) {
      issues.push({
        path: "data.split.test",
        message: `Test fraction must be empty or 0 for ${name}: it has an official test set of ` +
          `${info.test} examples, got ${data.split.test}`,
      });
    }
    if (data.testSize !== undefined && data.testSize > info.test) {
      issues.push({
        path: "data.testSize",
        message: `Test size must be at most ${info.test} for ${name}, got ${data.testSize}`,
      });
    }
  } else {
    if (data.split.test === undefined) {
      issues.push({
        path: "data.split.test",
        message: `Test fraction is required for ${name}: it has no official test set, ` +
          `so give train, dev and test fractions`,
      });
    }
    if (data.testSize !== undefined) {
      issues.push({
        path: "data.testSize",
        message: `Test size applies only to datasets with an official test set; ${name} has ` +
          `none: leave it empty and use the test fraction`,
      });
    }
  }
  if (data.trainSize !== undefined && data.trainSize > info.train) {
    issues.push({
      path: "data.trainSize",
      message: `Train size must be at most ${info.train} for ${name}, got ${data.trainSize}`,
    });
  }
  return issues;
}
