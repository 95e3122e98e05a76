/**
 * The admission checks of `config/admission.ts` with this server's datasets, device and budget,
 * the same for the API, the forms (live, as they are edited) and "train with the best params".
 *
 * @module
 */

import { type AdmissionContext, runRefusals, studyRefusals } from "../../config/admission.ts";
import type { Issue } from "../../config/issues.ts";
import type { StudySpec } from "../../config/study_schema.ts";
import { type DatasetInfo, describeDatasets } from "../../engine/data/load.ts";
import type { RunConfig } from "../../engine/spec.ts";
import type { AppContext } from "../context.ts";

async function admissionContext(
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
  return await runRefusals(config, await admissionContext(ctx, datasets));
}

/** Why a valid study file would not be started here; empty when it would. */
export async function studyIssues(
  ctx: AppContext,
  spec: StudySpec,
  datasets?: DatasetInfo[],
): Promise<Issue[]> {
  return await studyRefusals(spec, await admissionContext(ctx, datasets));
}
