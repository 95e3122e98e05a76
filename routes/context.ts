/**
 * What every sub-app is given: the database, the job services, the datasets and the device.
 * In its own file so the sub-apps need not import `app.ts`, which imports them.
 *
 * @module
 */

import type { JobLimits } from "../config/job_limits.ts";
import type { Db } from "../db/client.ts";
import type { DeviceInfo } from "../engine/device.ts";
import type { DatasetRoots } from "../engine/data/load.ts";
import type { RunService } from "../jobs/run_service.ts";
import type { StudyService } from "../jobs/study_service.ts";

export interface AppContext {
  version: string;
  startedAt: number;
  datasetRoots: DatasetRoots;
  device: () => Promise<DeviceInfo>;
  db: Db;
  service: RunService;
  studies: StudyService;
  limits: JobLimits;
}
