/**
 * Admission: before a run or a study is written, what it would take — parameters, gradients,
 * optimizer state, activations at its batch size, its data — is estimated
 * (`engine/memory_estimate.ts`) and held against what this host and GPU can give: the host's
 * per-run budget (`AJUSTE_MEMORY_BUDGET`), and the GPU's largest binding and buffer. What does
 * not fit is refused with issues naming the field to change, the estimate and the limit. A
 * study is checked at its worst case over the whole search space, so none of its trials can
 * fail on memory.
 *
 * @module
 */

import {
  datasetIssues,
  datasetPathIssue,
  splitRows,
  studyDatasetIssues,
} from "./dataset_checks.ts";
import { formatBytes } from "./job_limits.ts";
import type { Issue } from "./issues.ts";
import { tryApplyParams } from "./params.ts";
import { parseRunConfig } from "./schema.ts";
import { LAYER_COUNT_PARAM, LAYERS_PATH, probeValues } from "./space_schema.ts";
import { spaceParams, walkSpace } from "./space_walk.ts";
import type { ParamValue } from "../tuner/frozen_trial.ts";
import type { StudySpec } from "./study_schema.ts";
import type { DatasetInfo, DatasetRoots } from "../engine/data/load.ts";
import { peekDataset } from "../engine/data/peek.ts";
import type { DeviceInfo } from "../engine/device.ts";
import { type DataShape, estimateMemory, type MemoryEstimate } from "../engine/memory_estimate.ts";
import { decideAuto } from "../engine/auto_device.ts";
import { runShape } from "../engine/select_backend.ts";
import { outputUnits, type RunConfig } from "../engine/spec.ts";

export interface AdmissionContext {
  /** Bytes one run may take on this host. */
  memoryBudgetBytes: number;
  datasets: DatasetInfo[];
  roots: DatasetRoots;
  device: DeviceInfo;
}

/** The shape of `config`'s data; null when it cannot be known (admission leaves that to load). */
export async function dataShape(
  config: RunConfig,
  ctx: AdmissionContext,
): Promise<DataShape | null> {
  const { dataset } = config.data;
  const info = ctx.datasets.find((candidate) => candidate.id === dataset);
  if (info) {
    const { pool, dev, test } = splitRows(config, info);
    return {
      features: info.features,
      classes: info.classes,
      rows: info.train + info.test,
      trainRows: Math.max(1, pool - dev - test),
      bytesPerValue: info.imageSide === undefined ? 4 : 1,
    };
  }
  if (!dataset.startsWith("idx:") && !dataset.startsWith("csv:")) return null;
  try {
    const peeked = await peekDataset(dataset, ctx.roots);
    const pool = Math.min(config.data.trainSize ?? Infinity, peeked.rows - peeked.testRows);
    const held = Math.round(pool * (config.data.split.dev + (config.data.split.test ?? 0)));
    return {
      features: peeked.features,
      classes: peeked.classes,
      rows: peeked.rows,
      trainRows: Math.max(1, pool - held),
      bytesPerValue: peeked.pixels ? 1 : 4,
    };
  } catch {
    return null; // unreadable: the dataset checks say why
  }
}

/**
 * Whether `config` may train on the GPU that `device` describes: `auto` decides as the engine
 * will where the device carries its calibration, and is taken to use the adapter where not.
 */
function onGpu(config: RunConfig, device: DeviceInfo, shape: DataShape): boolean {
  if (device.backend !== "webgpu" || config.device === "cpu") return false;
  const calibration = device.auto?.calibration;
  if (config.device === "gpu" || !calibration) return true;
  const adapter = { description: device.description, isFallbackAdapter: device.isFallbackAdapter };
  const run = runShape(
    config.batch,
    shape.trainRows,
    shape.features,
    config.model.layers,
    outputUnits(config.loss, shape.classes),
  );
  return decideAuto(adapter, calibration, run).backend === "webgpu";
}

/** The field a user would change to shrink the largest part of `estimate`. */
function biggestPart(
  estimate: MemoryEstimate,
  config: RunConfig,
): { path: string; advice: string } {
  const { model, optimizer, activations, data } = estimate.bytes;
  const largest = Math.max(model + optimizer, activations, data);
  if (largest === model + optimizer) {
    return { path: "model.layers", advice: "use fewer or narrower hidden layers" };
  }
  if (largest === activations) {
    const path = config.batch.mode === "full" ? "batch.mode" : "batch.size";
    return { path, advice: "use a smaller batch" };
  }
  return { path: "data.trainSize", advice: "use a smaller train size or dataset" };
}

function describe(estimate: MemoryEstimate, config: RunConfig): string {
  const { model, optimizer, activations, data, total } = estimate.bytes;
  return `about ${formatBytes(total)} (${estimate.parameters.toLocaleString("en")} parameters ` +
    `with gradients and ${config.optimizer.type} state ${formatBytes(model + optimizer)}, ` +
    `activations ${formatBytes(activations)}, data ${formatBytes(data)})`;
}

/** The estimate for `config`, or null when its data cannot be sized. */
export async function estimateRun(
  config: RunConfig,
  ctx: AdmissionContext,
): Promise<MemoryEstimate | null> {
  const shape = await dataShape(config, ctx);
  return shape ? estimateMemory(config, shape) : null;
}

/** What of `config` does not fit this host or GPU, at fields under `prefix` ("base."). */
export async function admissionIssues(
  config: RunConfig,
  ctx: AdmissionContext,
  prefix = "",
): Promise<Issue[]> {
  const shape = await dataShape(config, ctx);
  if (!shape) return [];
  const estimate = estimateMemory(config, shape);
  const issues: Issue[] = [];
  if (estimate.bytes.total > ctx.memoryBudgetBytes) {
    const { path, advice } = biggestPart(estimate, config);
    issues.push({
      path: prefix + path,
      message: `This run needs ${describe(estimate, config)}, over the ${
        formatBytes(ctx.memoryBudgetBytes)
      } a run may take on this server (AJUSTE_MEMORY_BUDGET); ${advice}`,
    });
  }
  const { device } = ctx;
  if (device.backend === "webgpu" && onGpu(config, device, shape)) {
    const limit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
    const { what, bytes } = estimate.largestBuffer;
    if (bytes > limit) {
      const path = what.startsWith("layer")
        ? "model.layers"
        : what.startsWith("the training")
        ? "data.trainSize"
        : "batch.size";
      issues.push({
        path: prefix + path,
        message: `On this GPU ${what} would need ${formatBytes(bytes)} in one buffer, over its ` +
          `limit of ${
            formatBytes(limit)
          } (maxStorageBufferBindingSize ${device.limits.maxStorageBufferBindingSize}, maxBufferSize ${device.limits.maxBufferSize}); make it smaller, or use device "cpu"`,
      });
    }
  }
  return issues;
}

/** A study's trial at its worst case in memory, and the searched values that made it so. */
export interface WorstTrial {
  config: RunConfig;
  /** Its estimate's total bytes; null when its data cannot be sized before loading. */
  bytes: number | null;
  /** The searched parameters raised to their worst values, in the order they raised it. */
  raisers: string[];
  chosen: Record<string, unknown>;
}

/**
 * `spec`'s trial at its worst case over the search space: each searched value that raises the
 * estimate most (the top of a range, the largest choice) is taken, one parameter after another.
 * Null when no trial config can be built (the schema's issues say why).
 */
export async function studyWorstTrial(
  spec: StudySpec,
  ctx: AdmissionContext,
): Promise<WorstTrial | null> {
  const base = parseRunConfig(spec.base);
  if (!base.ok) return null;
  const chosen: Record<string, unknown> = {};
  // A parameter not yet raised takes its first probe value, so every walk reaches a config.
  const trialOf = (params: Record<string, unknown>) =>
    tryApplyParams(
      spec.base,
      walkSpace(spec.space, (name, param) =>
        (name in params ? params[name] : probeValues(param)[0].value) as ParamValue).assignments,
    );
  const totalOf = async (params: Record<string, unknown>) => {
    const config = trialOf(params);
    if (!config.ok) return -1;
    return (await estimateRun(config.config, ctx))?.bytes.total ?? -1;
  };
  const raisers: string[] = [];
  let worst = await totalOf(chosen);
  const params = Object.entries(spaceParams(spec.space));
  for (let pass = 0; pass < 2; pass++) {
    for (const [path, param] of params) {
      for (const { value } of probeValues(param)) {
        const total = await totalOf({ ...chosen, [path]: value });
        if (total > worst) {
          worst = total;
          chosen[path] = value;
          if (!raisers.includes(path)) raisers.push(path);
        }
      }
    }
  }
  const trial = trialOf(chosen);
  if (!trial.ok) return null;
  return { config: trial.config, bytes: worst >= 0 ? worst : null, raisers, chosen };
}

/**
 * What of `spec` could not fit, at its worst case over the search space (`studyWorstTrial`),
 * checked like a run; and, with a `parallel` of N, whether N such trials fit the budget at once.
 */
export async function studyAdmissionIssues(
  spec: StudySpec,
  ctx: AdmissionContext,
): Promise<Issue[]> {
  const worst = await studyWorstTrial(spec, ctx);
  if (!worst) return [];
  const { raisers, chosen } = worst;
  const at = raisers.map((path) => `${path} = ${JSON.stringify(chosen[path])}`).join(", ");
  const issues = await admissionIssues(worst.config, ctx);
  if (issues.length === 0) {
    const parallel = typeof spec.parallel === "number" ? spec.parallel : 1;
    if (parallel > 1 && worst.bytes !== null && parallel * worst.bytes > ctx.memoryBudgetBytes) {
      const fits = Math.floor(ctx.memoryBudgetBytes / worst.bytes);
      return [{
        path: "parallel",
        message: `Parallel ${parallel} would train ${parallel} trials at once, each up to about ${
          formatBytes(worst.bytes)
        }${raisers.length > 0 ? ` (a trial with ${at})` : ""}: ${
          formatBytes(parallel * worst.bytes)
        } in all, over the ${
          formatBytes(ctx.memoryBudgetBytes)
        } runs may take on this server (AJUSTE_MEMORY_BUDGET); use parallel ${
          Math.max(1, fits)
        } or less, or "auto"`,
      }];
    }
    return [];
  }
  return issues.map((issue) => ({
    path: raisers.length > 0
      ? `space.${spacePathOf(spec.space, raisers[0])}`
      : `base.${issue.path}`,
    message: raisers.length > 0
      ? `A trial with ${at}: ${lowerFirst(issue.message)}`
      : issue.message,
  }));
}

/**
 * The space entry a trial parameter comes from: itself when the space searches that path, a
 * layer's field or the layer count from the depth entry.
 */
function spacePathOf(space: StudySpec["space"], param: string): string {
  if (param in space) return param;
  const layerParam = param === LAYER_COUNT_PARAM || /^model\.layers\.\d+\./.test(param);
  return layerParam && LAYERS_PATH in space ? LAYERS_PATH : param;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/**
 * Everything that makes a valid run config one this process will not queue or train, all in one
 * pass: a dataset it will not read or does not have, sizes the dataset does not have, more
 * memory than it can give. Empty when the run may go.
 */
export async function runRefusals(config: RunConfig, ctx: AdmissionContext): Promise<Issue[]> {
  return [...await runDataRefusals(config, ctx), ...await admissionIssues(config, ctx)];
}

/** What of `config`'s data this server will not read or cannot serve; reads only `config.data`. */
export async function runDataRefusals(config: RunConfig, ctx: AdmissionContext): Promise<Issue[]> {
  const unreadable = await datasetPathIssue(config.data.dataset, ctx.roots);
  if (unreadable) return [unreadable];
  return datasetIssues(config, ctx.datasets);
}

/** {@linkcode runRefusals} for a study: its base's and searched datasets, memory at its worst. */
export async function studyRefusals(spec: StudySpec, ctx: AdmissionContext): Promise<Issue[]> {
  return [...await studyDataRefusals(spec, ctx), ...await studyAdmissionIssues(spec, ctx)];
}

/**
 * What of a study's data this server will not read or cannot serve in some trial; reads only
 * `spec.metric`, the base's `data` and the searched `data.…` parameters.
 */
export async function studyDataRefusals(
  spec: Pick<StudySpec, "metric" | "base" | "space">,
  ctx: AdmissionContext,
): Promise<Issue[]> {
  const paths = [{ dataset: spec.base.data?.dataset, path: "base.data.dataset" }];
  const searched = spec.space["data.dataset"];
  if (searched?.type === "categorical") {
    for (const choice of searched.choices) {
      if (typeof choice === "string") {
        paths.push({ dataset: choice, path: "space.data.dataset.choices" });
      }
    }
  }
  const unreadable: Issue[] = [];
  for (const { dataset, path } of paths) {
    const issue = await datasetPathIssue(dataset, ctx.roots, path);
    if (issue) unreadable.push(issue);
  }
  if (unreadable.length) return unreadable;
  return studyDatasetIssues(spec, ctx.datasets);
}
