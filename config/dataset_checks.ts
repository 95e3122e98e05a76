/**
 * Checks of a valid run config against the datasets this server has, so the new-run form can
 * say before launching what the data pipeline (`engine/data/split.ts`) would refuse at start;
 * and of a study's base and searched data fields, which would otherwise fail every trial.
 *
 * @module
 */

import { show } from "./fields.ts";
import type { Issue } from "./issues.ts";
import { tryApplyParams } from "./params.ts";
import { parseRunConfig } from "./schema.ts";
import { probeValues } from "./space_schema.ts";
import { spaceParams } from "./space_walk.ts";
import type { StudySpec } from "./study_schema.ts";
import { resolveDatasetPath } from "../engine/data/dataset_path.ts";
import {
  checkFolder,
  checkRegularFile,
  DEFAULT_MAX_FILE_BYTES,
} from "../engine/data/guarded_read.ts";
import type { DatasetInfo, DatasetRoots } from "../engine/data/load.ts";
import type { RunConfig } from "../engine/spec.ts";

/** Issues at the fields to fix; none for datasets the server does not list (`idx:`, `csv:`). */
export function datasetIssues(config: RunConfig, datasets: DatasetInfo[]): Issue[] {
  const info = datasets.find((candidate) => candidate.id === config.data.dataset);
  if (!info) return [];
  const fields = fieldIssues(config, info);
  return fields.length > 0 ? fields : rowIssues(config, info);
}

/** Data fields that do not fit `info`'s dataset (test fraction or size, train size). */
function fieldIssues(config: RunConfig, info: DatasetInfo): Issue[] {
  const { data } = config;
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

/** The row counts engine/data/split.ts will make of fitting fields, and what it refuses. */
function rowIssues(config: RunConfig, info: DatasetInfo): Issue[] {
  const { data } = config;
  const issues: Issue[] = [];
  const { pool, dev, test } = splitRows(config, info);
  if (pool - dev - test < 1) {
    issues.push({
      path: "data.split",
      message: `The split leaves no training rows: ${pool} examples give dev ${dev} and test ` +
        `${test}; lower the dev or test fraction`,
    });
  } else if (info.test === 0 && test < 1) {
    issues.push({
      path: "data.split.test",
      message: `Test fraction ${data.split.test} gives 0 test rows out of ${pool}, expected at ` +
        `least 1; raise it`,
    });
  }
  return issues;
}

/**
 * Rows of the pool (the training examples used) and of the dev and test splits taken from it,
 * as engine/data/split.ts rounds them; `test` is 0 for a dataset with an official test set.
 */
export function splitRows(
  config: RunConfig,
  info: DatasetInfo,
): { pool: number; dev: number; test: number } {
  const { data } = config;
  const pool = Math.min(data.trainSize ?? info.train, info.train);
  const test = info.test > 0 ? 0 : Math.round(pool * (data.split.test ?? 0));
  return { pool, dev: Math.round(pool * data.split.dev), test };
}

/**
 * What the data pipeline would refuse in a study's trials: issues of the base run at `base.…`
 * (a missing test fraction, a train size past the dataset's), and, for each searched `data.…`
 * parameter, issues that only some of its values bring (a dataset choice without an official
 * test set, a train size range past the dataset's size) at `space.<path>.choices|low|high`.
 * Each parameter is checked on its own against the base, not in combination with the others.
 */
export function studyDatasetIssues(
  spec: Pick<StudySpec, "metric" | "base" | "space">,
  datasets: DatasetInfo[],
): Issue[] {
  const base = parseRunConfig(spec.base);
  if (!base.ok) return [];
  const searched = Object.entries(spaceParams(spec.space)).filter(([path]) =>
    path.startsWith("data.")
  );
  const paths = new Set(searched.map(([path]) => path));
  const info = datasets.find((candidate) => candidate.id === base.config.data.dataset);
  // A searched dataset replaces the base's in every trial; a searched field, the base's value;
  // a searched size or fraction, the base's row counts (each value's are checked below).
  const rowsSearched = [...paths].some((path) => path !== "data.normalize");
  let baseIssues: Issue[] = [];
  if (info && !paths.has("data.dataset")) {
    const fields = fieldIssues(base.config, info);
    baseIssues = fields.length > 0 || rowsSearched
      ? fields.filter((issue) => !paths.has(issue.path))
      : rowIssues(base.config, info);
  }
  const issues = baseIssues.map((issue) => ({
    path: `base.${issue.path}`,
    message: issue.message,
  }));
  if (spec.metric.startsWith("dev") && info && baseIssues.length === 0 && !rowsSearched) {
    const { pool, dev } = splitRows(base.config, info);
    if (dev < 1) {
      issues.push({
        path: "base.data.split.dev",
        message: `The study's metric ${spec.metric} needs dev rows, but dev fraction ` +
          `${base.config.data.split.dev} of ${pool} examples gives none; raise it, or choose a ` +
          `train metric`,
      });
    }
  }
  const known = new Set(baseIssues.map((issue) => issue.message));
  for (const [path, param] of searched) {
    for (const { value, role } of probeValues(param)) {
      const config = tryApplyParams(spec.base, { [path]: value });
      if (!config.ok) continue; // the schema reports a value that does not fit the field
      for (const issue of datasetIssues(config.config, datasets)) {
        if (known.has(issue.message)) continue;
        known.add(issue.message);
        const field = role === "choice" ? "choices" : role === "low" || role === "high" ? role : "";
        issues.push({
          path: field ? `space.${path}.${field}` : `space.${path}`,
          message: `With ${path} = ${show(value)}: ${issue.message}`,
        });
      }
    }
  }
  return issues;
}

/**
 * Whether a built-in dataset is installed here, and whether an `idx:<dir>` or `csv:<path>`
 * dataset can be read here: inside the allowed folders
 * (`AJUSTE_DATA_DIRS`), existing, a folder or a regular file (no FIFO, device, socket, nothing
 * under /proc, /sys or /dev) within the size cap. Checked when a run or study is created, so a
 * request naming a path the server will not read gets a 400 rather than a run that fails.
 */
export async function datasetPathIssue(
  dataset: string | undefined,
  roots: DatasetRoots,
  path = "data.dataset",
): Promise<Issue | undefined> {
  const folder = dataset === "mnist"
    ? roots.mnist
    : dataset === "fashion-mnist"
    ? roots.fashionMnist ?? null
    : undefined;
  if (folder !== undefined) {
    if (folder !== null && await isFolder(folder)) return undefined;
    return {
      path,
      message: `Dataset "${dataset}" is not installed on this server` +
        (dataset === "fashion-mnist" ? ` (apt-get install dataset-fashion-mnist)` : ""),
    };
  }
  const prefix = ["idx:", "csv:"].find((p) => dataset?.startsWith(p));
  if (!dataset || !prefix) return undefined;
  try {
    const resolved = await resolveDatasetPath(
      dataset,
      dataset.slice(prefix.length),
      roots.allowedRoots,
    );
    if (prefix === "csv:") {
      await checkRegularFile(resolved, "CSV file", roots.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
    } else {
      await checkFolder(resolved, "Dataset folder");
    }
    return undefined;
  } catch (error) {
    const message = error instanceof Deno.errors.NotFound || /does not exist/.test(`${error}`)
      ? `Dataset path ${JSON.stringify(dataset.slice(prefix.length))} does not exist on the server`
      : (error as Error).message;
    return { path, message };
  }
}

async function isFolder(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch {
    return false;
  }
}
