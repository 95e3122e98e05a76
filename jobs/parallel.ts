/**
 * How many trials of a study this process trains at once (the study file's `parallel`, or
 * `deno task tune --parallel N`), each in an engine process of its own.
 *
 * "auto" chooses from this machine and the backend the trials train on:
 * - on the CPU, one trial per group of cores its OpenBLAS threads use: ⌊cores / threads⌋
 *   (`OPENBLAS_NUM_THREADS`, else the engine's default of one), so trials never ask for more
 *   threads than there are cores (each trial's engine process keeps its own cores busy; more
 *   would only share them);
 * - where trials may train on a WebGPU adapter, 1: on a hardware GPU concurrent sessions have
 *   not been measured to pay (no GPU was lent where this was written), and a software adapter
 *   such as lavapipe already spreads one session over every core. `device` "gpu" trains there;
 *   `device` "auto" wherever the engine's own choice puts the study's trials (`decideAuto`: by
 *   this machine's calibration, else by rule), asked of the trials `probedTrials` picks: on the
 *   2-core box of bench/README.md that is the CPU beside lavapipe, so one trial per core;
 * - never more trials than the memory budget holds at the study's worst trial
 *   (`AJUSTE_MEMORY_BUDGET`, checked against `engine/memory_estimate.ts`'s estimates).
 *
 * An explicit number is taken as given: the edge (`config/admission.ts`) has already refused
 * one whose trials would not fit the memory budget together.
 *
 * @module
 */

import { type AdmissionContext, dataShape, studyWorstTrial } from "../config/admission.ts";
import { tryApplyParams } from "../config/params.ts";
import { parseRunConfig } from "../config/schema.ts";
import { type ParamSpec, probeValues } from "../config/space_schema.ts";
import { spaceParams, walkSpace } from "../config/space_walk.ts";
import type { StudySpec } from "../config/study_schema.ts";
import type { Db } from "../db/client.ts";
import { decideAuto, EXAMPLE_SHAPES, withAutoReport } from "../engine/auto_device.ts";
import type { Calibration } from "../engine/calibration.ts";
import type { DeviceInfo } from "../engine/device.ts";
import { DEFAULT_BLAS_THREADS } from "../engine/cpu/fast_backend.ts";
import { runShape } from "../engine/select_backend.ts";
import { outputUnits, type RunConfig } from "../engine/spec.ts";
import type { ParamValue } from "../tuner/frozen_trial.ts";
import type { Engine } from "../engine/worker_protocol.ts";
import { processId } from "./owner.ts";
import { RunService, type RunServiceOptions } from "./run_service.ts";

export interface ParallelMachine {
  /** Logical cores (`navigator.hardwareConcurrency`). */
  cores: number;
  /** OpenBLAS threads each CPU trial uses. */
  blasThreads: number;
  device: DeviceInfo;
  /**
   * Where `device` "auto" trains the study's trials here ({@linkcode autoTrialsBackend}):
   * "webgpu" when any of those asked goes to the adapter. Unused without an adapter.
   */
  autoBackend: "cpu" | "webgpu";
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
  const gpu = gpuTrials(spec, machine.device, machine.autoBackend);
  if (gpu) {
    trials = 1;
    why = gpu;
  } else {
    const threads = Math.max(1, machine.blasThreads);
    trials = Math.max(1, Math.floor(machine.cores / threads));
    why = `${machine.cores} cores, ${threads} OpenBLAS thread${threads === 1 ? "" : "s"} a trial`;
    if (machine.device.backend === "webgpu" && trialDevices(spec).has("auto")) {
      why += '; device "auto" trains them on the CPU here';
    }
  }
  const worst = machine.worstTrialBytes;
  if (worst !== null && worst > 0 && trials * worst > machine.memoryBudgetBytes) {
    trials = Math.max(1, Math.floor(machine.memoryBudgetBytes / worst));
    why += `; the memory budget holds ${trials}`;
  }
  return { trials, why };
}

/** Why trials of `spec` may train on a WebGPU adapter here, or null when all train on the CPU. */
function gpuTrials(
  spec: Pick<StudySpec, "base" | "space">,
  device: DeviceInfo,
  autoBackend: "cpu" | "webgpu",
): string | null {
  if (device.backend !== "webgpu") return null;
  const devices = trialDevices(spec);
  const named = devices.has("gpu");
  if (!named && !(devices.has("auto") && autoBackend === "webgpu")) return null;
  const how = named ? "" : ' (device "auto" chooses it here)';
  return device.isFallbackAdapter
    ? `trials may train on the software WebGPU adapter${how}, which already uses every core`
    : `trials may train on the GPU${how}, where concurrent sessions have not been measured to pay`;
}

/** The devices the study's trials may ask for: the base's, and a searched device's choices. */
function trialDevices(spec: Pick<StudySpec, "base" | "space">): Set<unknown> {
  const devices = new Set<unknown>([spec.base.device ?? "auto"]);
  const searched = spec.space.device;
  if (searched?.type === "categorical") {
    for (const choice of searched.choices) devices.add(choice);
  }
  return devices;
}

/**
 * The trials "auto" is asked about: the base config; each searched parameter at each of its probe
 * values (`probeValues`: low, high, every choice), the others at their first; and every parameter
 * at its last probe value at once (the largest batch with the widest layers, which favour an
 * adapter most). Configs the base cannot take are left out.
 */
export function probedTrials(spec: Pick<StudySpec, "base" | "space">): RunConfig[] {
  const params = Object.entries(spaceParams(spec.space));
  const trial = (pick: (path: string, param: ParamSpec) => unknown) =>
    tryApplyParams(
      spec.base,
      walkSpace(spec.space, (path, param) => pick(path, param) as ParamValue).assignments,
    );
  const first = (param: ParamSpec) => probeValues(param)[0].value;
  const trials = [trial((_, param) => probeValues(param).at(-1)!.value)];
  for (const [path, param] of params) {
    for (const { value } of probeValues(param)) {
      trials.push(trial((other, otherParam) => other === path ? value : first(otherParam)));
    }
  }
  const base = parseRunConfig(spec.base);
  return [base, ...trials].flatMap((parsed) => parsed.ok ? [parsed.config] : []);
}

/**
 * Where `device` "auto" trains `configs` on this machine, decided as the engine decides it
 * (`decideAuto`: by `calibration`, else by rule) for each one's shape whatever device it names:
 * "webgpu" when any goes to the adapter, "cpu" when all stay on the CPU or there is no adapter.
 */
export async function autoTrialsBackend(
  configs: RunConfig[],
  ctx: AdmissionContext,
  calibration: Calibration | null,
): Promise<"cpu" | "webgpu"> {
  const { device } = ctx;
  if (device.backend !== "webgpu") return "cpu";
  const adapter = { description: device.description, isFallbackAdapter: device.isFallbackAdapter };
  for (const config of configs) {
    const data = await dataShape(config, ctx);
    const shape = data
      ? runShape(
        config.batch,
        data.trainRows,
        data.features,
        config.model.layers,
        outputUnits(config.loss, data.classes),
      )
      : EXAMPLE_SHAPES[2];
    if (decideAuto(adapter, calibration, shape).backend === "webgpu") return "webgpu";
  }
  return "cpu";
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
 * memory budget and datasets of `admission` (for the study's worst trial's estimate); where
 * `device` "auto" trains, from `autoReport`'s calibration (`GET /api/device`'s).
 */
export function parallelOnThisMachine(
  admission: () => Promise<AdmissionContext>,
  override?: number,
  autoReport: (device: DeviceInfo) => Promise<DeviceInfo> = withAutoReport,
): (spec: StudySpec) => Promise<ParallelChoice> {
  return async (spec) => {
    const ctx = await admission();
    const worst = await studyWorstTrial(spec, ctx).catch(() => null);
    let autoBackend: "cpu" | "webgpu" = "cpu";
    const auto = (override ?? spec.parallel ?? "auto") === "auto";
    if (auto && ctx.device.backend === "webgpu" && trialDevices(spec).has("auto")) {
      // The calibration the engine decides by: measured once per machine, as its first auto run
      // would; unmeasurable (or AJUSTE_AUTO_DEVICE=rule), auto decides by rule.
      const calibration = ctx.device.auto?.calibration ??
        (await autoReport(ctx.device).catch(() => null))?.auto?.calibration ?? null;
      autoBackend = await autoTrialsBackend(probedTrials(spec), ctx, calibration);
    }
    return chooseParallel(spec, {
      cores: navigator.hardwareConcurrency || 1,
      blasThreads: blasThreadsFromEnv(),
      device: ctx.device,
      autoBackend,
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
