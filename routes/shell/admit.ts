/**
 * The admission checks of `config/admission.ts` with this server's datasets, device and budget,
 * the same for the API, the forms (live, as they are edited) and "train with the best params".
 *
 * @module
 */

import { type AdmissionContext, runRefusals, studyRefusals } from "../../config/admission.ts";
import type { Issue } from "../../config/issues.ts";
import { partialRunRefusals, partialStudyRefusals } from "../../config/partial_refusals.ts";
import { parseRunConfig, type ParseRunConfigResult } from "../../config/schema.ts";
import {
  parseStudySpec,
  type ParseStudySpecResult,
  type StudySpec,
} from "../../config/study_schema.ts";
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

/**
 * Everything wrong with a run config input in one pass: the schema's issues and, beside them,
 * what this server would refuse of the parts that are valid (a train size past the dataset's
 * with a bad layer). `ok` only when there is nothing at all.
 */
export async function checkRunInput(
  ctx: AppContext,
  input: unknown,
  datasets?: DatasetInfo[],
): Promise<ParseRunConfigResult> {
  const parsed = parseRunConfig(input);
  const admission = await admissionContext(ctx, datasets);
  const issues = parsed.ok
    ? await runRefusals(parsed.config, admission)
    : [...parsed.issues, ...await partialRunRefusals(input, parsed.issues, admission)];
  return parsed.ok && issues.length === 0 ? parsed : { ok: false, issues };
}

/** {@linkcode checkRunInput} for a study file: the schema's issues and the refusals beside them. */
export async function checkStudyInput(
  ctx: AppContext,
  input: unknown,
  datasets?: DatasetInfo[],
): Promise<ParseStudySpecResult> {
  const parsed = parseStudySpec(input);
  const admission = await admissionContext(ctx, datasets);
  const issues = parsed.ok
    ? await studyRefusals(parsed.spec, admission)
    : [...parsed.issues, ...await partialStudyRefusals(input, parsed.issues, admission)];
  return parsed.ok && issues.length === 0 ? parsed : { ok: false, issues };
}
