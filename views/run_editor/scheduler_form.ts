/**
 * The scheduler part of the run form, both ways: flat fields `scheduler.type`,
 * `scheduler.gamma`, … (milestones as one comma-separated field) to the config's `scheduler`
 * and back. Type "none" is no scheduler (a constant lr). Like the optimizer's, only the chosen
 * type's fields are read, and switching type fills that type's PyTorch defaults.
 *
 * @module
 */

import { parseRunConfig } from "../../config/schema.ts";
import type { SchedulerSpec, SchedulerType } from "../../engine/spec.ts";
import { type FormValues, isChecked, numberOrText, optionalNumber } from "./form_values.ts";

/** The type select's value for no scheduler. */
export const NO_SCHEDULER = "none";
/** Which scheduler's fields the form showed, to notice a type switched without JavaScript. */
export const SHOWN_SCHEDULER_FIELD = "scheduler.shownType";

type FieldKind = "number" | "optional" | "flag" | "choice" | "list";

/** Each type's fields in torch's argument order, with how the form holds them. */
export const SCHEDULER_FIELDS: Record<SchedulerType, readonly [string, FieldKind][]> = {
  step: [["stepSize", "number"], ["gamma", "number"]],
  multi_step: [["milestones", "list"], ["gamma", "number"]],
  exponential: [["gamma", "number"]],
  cosine_annealing: [["tMax", "number"], ["etaMin", "number"]],
  linear: [["startFactor", "number"], ["endFactor", "number"], ["totalIters", "number"]],
  one_cycle: [
    ["maxLr", "number"],
    ["totalSteps", "optional"],
    ["epochs", "optional"],
    ["stepsPerEpoch", "optional"],
    ["pctStart", "number"],
    ["annealStrategy", "choice"],
    ["cycleMomentum", "flag"],
    ["baseMomentum", "number"],
    ["maxMomentum", "number"],
    ["divFactor", "number"],
    ["finalDivFactor", "number"],
    ["threePhase", "flag"],
  ],
  reduce_on_plateau: [
    ["metric", "choice"],
    ["mode", "choice"],
    ["factor", "number"],
    ["patience", "number"],
    ["threshold", "number"],
    ["thresholdMode", "choice"],
    ["cooldown", "number"],
    ["minLr", "number"],
    ["eps", "number"],
  ],
};

export function isSchedulerType(type: string | undefined): type is SchedulerType {
  return type !== undefined && Object.hasOwn(SCHEDULER_FIELDS, type);
}

/** The config's `scheduler` input the form describes: undefined for none. */
export function schedulerInput(values: FormValues): Record<string, unknown> | undefined {
  const type = values["scheduler.type"];
  if (type === undefined || type === "" || type === NO_SCHEDULER) return undefined;
  if (!isSchedulerType(type)) return { type };
  const input: Record<string, unknown> = { type };
  for (const [field, kind] of SCHEDULER_FIELDS[type]) {
    const name = `scheduler.${field}`;
    const text = values[name];
    if (kind === "flag") input[field] = isChecked(values, name);
    else if (kind === "optional") input[field] = optionalNumber(text);
    else if (kind === "choice") input[field] = text === "" ? undefined : text;
    else if (kind === "list") {
      input[field] = (text ?? "").split(",").filter((part) => part.trim() !== "").map(
        numberOrText,
      );
    } else input[field] = numberOrText(text);
  }
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
}

/** The form's scheduler fields for a (validated) config's scheduler. */
export function schedulerValues(scheduler: SchedulerSpec | null | undefined): FormValues {
  const type = scheduler?.type ?? NO_SCHEDULER;
  const values: FormValues = { "scheduler.type": type, [SHOWN_SCHEDULER_FIELD]: type };
  if (!scheduler) return values;
  const spec = scheduler as unknown as Record<string, unknown>;
  for (const [field, kind] of SCHEDULER_FIELDS[scheduler.type]) {
    const value = spec[field];
    const name = `scheduler.${field}`;
    if (kind === "flag") {
      if (value) values[name] = "on";
    } else if (kind === "list") values[name] = (value as number[]).join(", ");
    else values[name] = value === undefined ? "" : String(value);
  }
  return values;
}

/**
 * `type`'s PyTorch defaults, and for what torch requires, a start fitted to the run: StepLR
 * every third of the epochs, MultiStepLR at half and three quarters, ExponentialLR γ 0.9,
 * CosineAnnealingLR over all epochs, OneCycleLR peaking at 10× the optimizer's lr.
 */
export function schedulerDefaults(
  type: SchedulerType,
  run: { epochs: number; lr: number },
): SchedulerSpec {
  const epochs = Math.max(1, Math.floor(run.epochs));
  const required: Record<SchedulerType, Record<string, unknown>> = {
    step: { stepSize: Math.max(1, Math.floor(epochs / 3)) },
    multi_step: {
      milestones: [
        ...new Set([Math.max(1, Math.floor(epochs / 2)), Math.max(1, Math.floor(epochs * 3 / 4))]),
      ],
    },
    exponential: { gamma: 0.9 },
    cosine_annealing: { tMax: epochs },
    linear: {},
    one_cycle: { maxLr: run.lr * 10 },
    reduce_on_plateau: {},
  };
  const parsed = parseRunConfig({ scheduler: { type, ...required[type] } });
  if (!parsed.ok || !parsed.config.scheduler) {
    throw new Error(`Scheduler type must be one of ${Object.keys(SCHEDULER_FIELDS).join(", ")}`);
  }
  return parsed.config.scheduler;
}

/** The form with its scheduler fields replaced by `type`'s defaults (none: no fields). */
export function switchScheduler(values: FormValues, type: string): FormValues {
  const kept = Object.fromEntries(
    Object.entries(values).filter(([name]) => !name.startsWith("scheduler.")),
  );
  if (!isSchedulerType(type)) return { ...kept, ...schedulerValues(null) };
  const epochs = Number(values.epochs);
  const lr = Number(values["optimizer.lr"]);
  const run = {
    epochs: Number.isFinite(epochs) && epochs >= 1 ? epochs : 10,
    lr: Number.isFinite(lr) && lr > 0 ? lr : 1e-3,
  };
  return { ...kept, ...schedulerValues(schedulerDefaults(type, run)) };
}

/** Whether the posted type differs from the one whose fields the form showed. */
export function schedulerSwitched(values: FormValues): boolean {
  const type = values["scheduler.type"];
  const shown = values[SHOWN_SCHEDULER_FIELD];
  return type !== undefined && shown !== undefined && type !== shown;
}
