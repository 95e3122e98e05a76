/**
 * How many trials of a study this process trains at once (the study file's `parallel`, or
 * `deno task tune --parallel N`), each in an engine process of its own.
 *
 * "auto" chooses from this machine and the backend the trials train on:
 * - on the CPU, one trial per group of cores its OpenBLAS threads use: ⌊cores / threads⌋
 *   (`OPENBLAS_NUM_THREADS`, else the engine's default of one), so trials never ask for more
 *   threads than there are cores (each trial's engine process keeps its own cores busy; more
 *   would only share them);
 * - where trials may train on a WebGPU adapter, 1: on a hardware GPU (`device` "auto" or "gpu")
 *   concurrent sessions have not been measured to pay (no GPU was lent where this was written),
 *   and a software adapter such as lavapipe (`device` "gpu") already spreads one session over
 *   every core. `device` "auto" beside a software adapter counts as the CPU: auto trains there on
 *   the CPU unless its measurement finds lavapipe faster for the run's shape (on the 2-core box
 *   of bench/README.md lavapipe took 12-30x the fast CPU backend's time);
 * - never more trials than the memory budget holds at the study's worst trial
 *   (`AJUSTE_MEMORY_BUDGET`, checked against `engine/memory_estimate.ts`'s estimates).
 *
 * An explicit number is taken as given: the edge (`config/admission.ts`) has already refused
 * one whose trials would not fit the memory budget together.
 *
 * @module
 */

import { type AdmissionContext, studyWorstTrial } from "../config/admission.ts";
import type { StudySpec } from "../config/study_schema.ts";
import type { Db } from "../db/client.ts";
import type { DeviceInfo } from "../engine/device.ts";
import { DEFAULT_BLAS_THREADS } from "../engine/cpu/fast_backend.ts";
import type { Engine } from "../engine/worker_protocol.ts";
import { processId } from "./owner.ts";
import { RunService, type RunServiceOptions } from "./run_service.ts";

export interface ParallelMachine {
  /** Logical cores (`navigator.hardwareConcurrency`). */
  cores: number;
  /** OpenBLAS threads each CPU trial uses. */
  blasThreads: number;
  device: DeviceInfo;
  memoryBudgetBytes: number;
  /** The study's worst trial's estimated bytes (`studyWorstTrial`), null when unknown. */
  worstTrialBytes: number | null;
}

export interface ParallelChoice {
  trials: number;
  /** Why, in a few words: "2 cores, 1 OpenBLAS thread a trial". */
  why: string;
}

/** The parallel count for `spec` on this machine; `override` (the CLI's flag) wins. */
export function chooseParallel(
  spec: Pick<StudySpec, "parallel" | "base" | "space">,
  machine: ParallelMachine,
  override?: number,
): ParallelChoice {
  const asked = override ?? spec.parallel ?? "auto";
  if (asked !== "auto") {
    return { trials: asked, why: override === undefined ? "the study's parallel" : "--parallel" };
  }
  let trials: number;
  let why: string;
  const gpu = gpuTrials(spec, machine.device);
  if (gpu) {
    trials = 1;
    why = gpu;
  } else {
    const threads = Math.max(1, machine.blasThreads);
    trials = Math.max(1, Math.floor(machine.cores / threads));
    why = `${machine.cores} cores, ${threads} OpenBLAS thread${threads === 1 ? "" : "s"} a trial`;
  }
  const worst = machine.worstTrialBytes;
  if (worst !== null && worst > 0 && trials * worst > machine.memoryBudgetBytes) {
    trials = Math.max(1, Math.floor(machine.memoryBudgetBytes / worst));
    why += `; the memory budget holds ${trials}`;
  }
  return { trials, why };
}

/** Why trials of `spec` may train on a WebGPU adapter here, or null when all train on the CPU. */
function gpuTrials(spec: Pick<StudySpec, "base" | "space">, device: DeviceInfo): string | null {
  if (device.backend !== "webgpu") return null;
  const devices = new Set<unknown>([spec.base.device ?? "auto"]);
  const searched = spec.space.device;
  if (searched?.type === "categorical") {
    for (const choice of searched.choices) {
      devices.add(choice);
    }
  }
  if (device.isFallbackAdapter) {
    return devices.has("gpu")
      ? "trials may train on the software WebGPU adapter, which already uses every core"
      : null;
  }
  if (![...devices].some((choice) => choice === "auto" || choice === "gpu")) return null;
  return "trials may train on the GPU, where concurrent sessions have not been measured to pay";
}

/** OpenBLAS threads a CPU trial uses: `OPENBLAS_NUM_THREADS`, else the engine's default. */
export function blasThreadsFromEnv(value = readEnv("OPENBLAS_NUM_THREADS")): number {
  const n = Number(value);
  return value && Number.isInteger(n) && n >= 1 ? n : DEFAULT_BLAS_THREADS;
}

function readEnv(name: string): string | undefined {
  if (Deno.permissions.querySync({ name: "env", variable: name }).state !== "granted") {
    return undefined;
  }
  return Deno.env.get(name);
}

/**
 * {@linkcode chooseParallel} on this machine: its cores, `OPENBLAS_NUM_THREADS`, and the device,
 * memory budget and datasets of `admission` (for the study's worst trial's estimate).
 */
export function parallelOnThisMachine(
  admission: () => Promise<AdmissionContext>,
  override?: number,
): (spec: StudySpec) => Promise<ParallelChoice> {
  return async (spec) => {
    const ctx = await admission();
    const worst = await studyWorstTrial(spec, ctx).catch(() => null);
    return chooseParallel(spec, {
      cores: navigator.hardwareConcurrency || 1,
      blasThreads: blasThreadsFromEnv(),
      device: ctx.device,
      memoryBudgetBytes: ctx.memoryBudgetBytes,
      worstTrialBytes: worst?.bytes ?? null,
    }, override);
  };
}

let lanes = 0;

/**
 * Run services for a study's lanes past the first (`study_lanes.ts`): each with its own engine
 * from `engine()`, claiming only its own reserved runs, under a name of its own in leases and
 * trial claims (this process's, with a lane number unique in the process).
 */
export function laneServices(
  db: Db,
  engine: () => Engine,
  options: Omit<RunServiceOptions, "engine" | "claims" | "owner" | "log"> = {},
): (k: number) => RunService {
  return () =>
    new RunService(db, {
      ...options,
      engine: engine(),
      claims: "reserved",
      owner: `${processId}/${++lanes}`,
    });
}
