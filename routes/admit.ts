/**
 * What makes a valid run config or study file one this server will not queue, checked before
 * anything is written, the same way by the API, the forms (live, as they are edited) and the
 * "train with the best params" button: a dataset path it will not read, sizes the dataset does
 * not have, and more memory than the host or the GPU can give (`config/admission.ts`).
 *
 * @module
 */

import {
  type AdmissionContext,
  admissionIssues,
  studyAdmissionIssues,
} from "../config/admission.ts";
import { datasetIssues, datasetPathIssue, studyDatasetIssues } from "../config/dataset_checks.ts";
import type { Issue } from "../config/issues.ts";
import type { StudySpec } from "../config/study_schema.ts";
import { type DatasetInfo, describeDatasets } from "../engine/data/load.ts";
import type { RunConfig } from "../engine/spec.ts";
import type { AppContext } from "./app.ts";

export async function admissionContext(
  ctx: AppContext,
  datasets?: DatasetInfo[],
): Promise<AdmissionContext> {
  return {
    memoryBudgetBytes: ctx.limits.memoryBudgetBytes,
    datasets: datasets ?? await describeDatasets(ctx.datasetRoots),
    roots: ctx.datasetRoots,
    device: await ctx.device(),
  };
}

/** Why a valid run config would not be queued here; empty when it would. */
export async function runIssues(
  ctx: AppContext,
  config: RunConfig,
  datasets?: DatasetInfo[],
): Promise<Issue[]> {
  const unreadable = await datasetPathIssue(config.data.dataset, ctx.datasetRoots);
  if (unreadable) return [unreadable];
  const admission = await admissionContext(ctx, datasets);
  const limits = datasetIssues(config, admission.datasets);
  if (limits.length) return limits;
  return await admissionIssues(config, admission);
}

/** Why a valid study file would not be started here: its base's and searched datasets, memory. */
export async function studyIssues(
  ctx: AppContext,
  spec: StudySpec,
  datasets?: DatasetInfo[],
): Promise<Issue[]> {
  const paths = [
    { dataset: spec.base.data?.dataset, path: "base.data.dataset" },
    ...searchedDatasets(spec),
  ];
  const unreadable: Issue[] = [];
  for (const { dataset, path } of paths) {
    const issue = await datasetPathIssue(dataset, ctx.datasetRoots, path);
    if (issue) unreadable.push(issue);
  }
  if (unreadable.length) return unreadable;
  const admission = await admissionContext(ctx, datasets);
  const failing = studyDatasetIssues(spec, admission.datasets);
  if (failing.length) return failing;
  return await studyAdmissionIssues(spec, admission);
}

/** The `idx:`/`csv:` choices of a searched `data.dataset`, each at its place in the space. */
function searchedDatasets(spec: StudySpec): { dataset: string; path: string }[] {
  const param = spec.space["data.dataset"];
  if (!param || param.type !== "categorical") return [];
  return param.choices
    .filter((choice): choice is string => typeof choice === "string")
    .map((dataset) => ({ dataset, path: "space.data.dataset.choices" }));
}
