/**
 * The admission context of a command-line process: this machine's datasets, WebGPU adapter and
 * memory budget, so `deno task train` and `deno task tune` refuse what the server would.
 *
 * @module
 */

import type { AdmissionContext } from "../config/admission.ts";
import type { JobLimits } from "../config/job_limits.ts";
import { defaultDatasetRoots } from "../config/paths.ts";
import { peekDatasets } from "../engine/data/load.ts";
import { probeDevice } from "../engine/device.ts";

export async function cliAdmission(limits: JobLimits): Promise<AdmissionContext> {
  const roots = { ...defaultDatasetRoots(), maxFileBytes: limits.maxDatasetBytes };
  return {
    memoryBudgetBytes: limits.memoryBudgetBytes,
    datasets: await peekDatasets(roots),
    roots,
    device: await probeDevice(),
  };
}
