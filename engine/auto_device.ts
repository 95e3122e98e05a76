/**
 * `device: "auto"` on this machine: the calibration (`calibration.ts`), measured once per process
 * and kept per machine (`calibration_cache.ts`), and the decision for a run's shape
 * (`auto_choice.ts`). `AJUSTE_AUTO_DEVICE` says how:
 *
 * | `AJUSTE_AUTO_DEVICE` | `auto` trains on                                                     |
 * | -------------------- | -------------------------------------------------------------------- |
 * | unset, `measure`     | the backend predicted fastest for the run, from this machine's figures |
 * | `rule`               | a hardware GPU if there is one, else the fast CPU backend; no timing |
 *
 * @module
 */

import { type BackendFigures, chooseBackend, type RunShape } from "./auto_choice.ts";
import type { Backend } from "./backend.ts";
import { type Calibration, measureCandidates } from "./calibration.ts";
import { cachedCalibration, calibrationFile, calibrationKey } from "./calibration_cache.ts";
import { openCpuBackend } from "./cpu/fast_backend.ts";
import type { DeviceInfo } from "./device.ts";
import { readEnv } from "./env.ts";

export const AUTO_MODES = ["measure", "rule"] as const;
export type AutoMode = typeof AUTO_MODES[number];

/** `AJUSTE_AUTO_DEVICE`'s mode; `measure` where it is unset or may not be read. */
export function autoModeFromEnv(): AutoMode {
  return parseAutoMode(readEnv("AJUSTE_AUTO_DEVICE"));
}

/** An `AJUSTE_AUTO_DEVICE` value, checked; `measure` when unset or empty. */
export function parseAutoMode(value: string | undefined): AutoMode {
  if (value === undefined || value === "") return "measure";
  if ((AUTO_MODES as readonly string[]).includes(value)) return value as AutoMode;
  throw new Error(`AJUSTE_AUTO_DEVICE must be one of ${AUTO_MODES.join(", ")}, got "${value}"`);
}

/** The adapter as `auto` sees it: its name (for the calibration's key) and whether it is software. */
export interface AdapterSummary {
  description: string;
  isFallbackAdapter: boolean;
}

/** A WebGPU backend lent for measuring, and how to give it back. */
export interface LentGpu {
  backend: Backend;
  release(): void;
}

let measured: { key: string; calibration: Promise<Calibration> } | null = null;

/**
 * This machine's calibration of the fast CPU backend `cpu` against `adapter`, measured at most
 * once per process (and read from the calibration file where another process measured it).
 * `gpu` opens the adapter's backend, only if it must be measured.
 */
export function autoCalibration(
  cpu: Backend,
  adapter: AdapterSummary,
  gpu: () => Promise<LentGpu>,
): Promise<Calibration> {
  const key = calibrationKey({ cpu: cpu.description, adapter: adapter.description });
  if (measured?.key === key) return measured.calibration;
  const calibration = cachedCalibration(calibrationFile(), key, async () => {
    const lent = await gpu();
    try {
      return await measureCandidates([
        { backend: cpu, isFallbackAdapter: false },
        { backend: lent.backend, isFallbackAdapter: adapter.isFallbackAdapter },
      ], key);
    } finally {
      lent.release();
    }
  });
  measured = { key, calibration };
  calibration.catch(() => {
    if (measured?.calibration === calibration) measured = null;
  });
  return calibration;
}

/** Where `auto` trains a run, and why. */
export interface AutoDecision {
  backend: "cpu" | "webgpu";
  why: string;
  /** Predicted seconds an epoch per candidate (CPU, then WebGPU); absent without a measurement. */
  epochSeconds?: number[];
}

/**
 * The decision for `shape`: by `calibration` where there is one; else by rule (no adapter,
 * `AJUSTE_AUTO_DEVICE=rule`, or a measurement that failed): a hardware GPU, or the CPU backend.
 */
export function decideAuto(
  adapter: AdapterSummary | null,
  calibration: Calibration | null,
  shape: RunShape,
): AutoDecision {
  if (!adapter) return { backend: "cpu", why: "no WebGPU adapter: the CPU backend" };
  if (!calibration) {
    return adapter.isFallbackAdapter
      ? {
        backend: "cpu",
        why: `by rule: the CPU backend rather than the software adapter ${adapter.description}`,
      }
      : { backend: "webgpu", why: `by rule: the GPU ${adapter.description}` };
  }
  const choice = chooseBackend(calibration.candidates, shape);
  return {
    backend: calibration.candidates[choice.chosen].backend,
    why: `measured ${calibration.measuredAt}: ${choice.reason}`,
    epochSeconds: choice.epochSeconds,
  };
}

/** The default model on MNIST's 54000 training rows, at batch sizes a user might pick. */
export const EXAMPLE_SHAPES: RunShape[] = [1, 32, 128, 1024].map((batch) => ({
  batch,
  steps: Math.ceil(54000 / batch),
  widths: [784, 512, 256, 10],
}));

/** What `GET /api/device` says about `auto`. */
export interface AutoReport {
  mode: AutoMode;
  /** How `auto` chooses, in a sentence. */
  rule: string;
  /** The figures measured here; null without an adapter or by rule. */
  calibration: Calibration | null;
  /** What `auto` chooses for the default model on full MNIST at a few batch sizes, and why. */
  examples: (RunShape & AutoDecision)[];
}

/**
 * The calibration `auto` decides by in `mode`, or null (by rule, or no adapter). A measurement
 * that fails (a lost device, a crashed kernel) is reported in `failed` and decided by rule.
 */
export async function calibrationFor(
  cpu: Backend,
  adapter: AdapterSummary | null,
  gpu: () => Promise<LentGpu>,
  mode: AutoMode,
): Promise<{ calibration: Calibration | null; failed?: string }> {
  if (!adapter || mode !== "measure") return { calibration: null };
  try {
    return { calibration: await autoCalibration(cpu, adapter, gpu) };
  } catch (error) {
    return { calibration: null, failed: error instanceof Error ? error.message : String(error) };
  }
}

/** The report on `auto`, measuring where it must (`gpu` opens the adapter for that). */
export async function describeAuto(
  cpu: Backend,
  adapter: AdapterSummary | null,
  gpu: () => Promise<LentGpu>,
  mode: AutoMode = autoModeFromEnv(),
): Promise<AutoReport> {
  const { calibration, failed } = await calibrationFor(cpu, adapter, gpu, mode);
  return {
    mode,
    rule: calibration
      ? "each run trains on the backend predicted to train its epoch fastest, from a step cost, " +
        "a product rate and an epoch cost measured here for each (calibration.candidates)"
      : failed
      ? `measuring failed (${failed}), so by rule: a hardware GPU, else the CPU backend`
      : adapter
      ? "by rule (AJUSTE_AUTO_DEVICE=rule): a hardware GPU, else the CPU backend"
      : "no WebGPU adapter: every run trains on the CPU backend",
    calibration,
    examples: EXAMPLE_SHAPES.map((shape) => ({
      ...shape,
      ...decideAuto(adapter, calibration, shape),
    })),
  };
}

export type { BackendFigures, RunShape };

/** `device` with the report on `auto` (`GET /api/device`), measuring here if it must. */
export async function withAutoReport(device: DeviceInfo): Promise<DeviceInfo> {
  const adapter = device.backend === "webgpu"
    ? {
      description: device.description || device.vendor || "WebGPU adapter",
      isFallbackAdapter: device.isFallbackAdapter,
    }
    : null;
  const auto = await describeAuto(openCpuBackend(), adapter, async () => {
    const { WebGpuBackend } = await import("./webgpu/backend.ts");
    const backend = await WebGpuBackend.create();
    return { backend, release: () => backend.destroy() };
  });
  return { ...device, auto };
}
