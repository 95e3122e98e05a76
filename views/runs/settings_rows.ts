/**
 * A run config as rows of a key/value table, grouped and labelled as the New run form shows
 * them (Data, Model, Optimizer, Regularisation, Training), each marked when it is at its
 * default; and the rows of several configs merged for the compare page.
 *
 * @module
 */

import { defaultRunConfig } from "../../config/schema.ts";
import type { GradientClipping, RunConfig } from "../../engine/spec.ts";
import { defaultsFor } from "../run_editor/config_summary.ts";
import { earlyStoppingSchema } from "../../config/early_stopping_schema.ts";
import {
  BATCH_LABELS,
  CLIP_LABELS,
  EARLY_STOPPING_METRIC_LABELS,
  EARLY_STOPPING_MODE_LABELS,
  fieldLabel,
  INIT_LABELS,
  LOSS_LABELS,
} from "../run_editor/field_labels.ts";
import { OPTIMIZER_CHOICES } from "../run_editor/optimizer_fields.tsx";
import { SCHEDULER_CHOICES } from "../run_editor/scheduler_fields.tsx";
import { DEVICE_CHOICES } from "../shell/validated_form_page.tsx";
import { configDifferences } from "./config_diff.ts";

export const SETTING_GROUPS = ["Data", "Model", "Optimizer", "Regularisation", "Training"] as const;
export type SettingGroup = typeof SETTING_GROUPS[number];

export interface SettingRow {
  group: SettingGroup;
  /** The config path the row shows (`model.layers.0.dropout`); a group such as `data.normalize`. */
  path: string;
  label: string;
  text: string;
  atDefault: boolean;
}

function valueAt(config: unknown, path: string): unknown {
  let value = config;
  for (const key of path.split(".")) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function plainText(value: unknown): string {
  if (value === undefined) return "—";
  if (typeof value === "boolean") return value ? "on" : "off";
  if (Array.isArray(value)) return value.join(", ");
  return String(value);
}

const OPTIMIZER_LABELS: Record<string, string> = Object.fromEntries(
  OPTIMIZER_CHOICES.map((choice) => [choice.value, choice.label]),
);
const SCHEDULER_LABELS: Record<string, string> = Object.fromEntries(
  SCHEDULER_CHOICES.map((choice) => [choice.value, choice.label]),
);
const DEVICE_LABELS: Record<string, string> = Object.fromEntries(
  DEVICE_CHOICES.map((choice) => [choice.value, choice.label]),
);

/** How some fields read: the form's choice labels, "all" for a size left empty. */
const TEXT: Record<string, (value: unknown) => string> = {
  "data.trainSize": (value) => value === undefined ? "all" : String(value),
  "data.testSize": (value) => value === undefined ? "all" : String(value),
  "data.normalize": (value) => {
    const normalize = value as RunConfig["data"]["normalize"];
    return normalize ? `on: (x − ${normalize.mean}) / ${normalize.std}` : "off";
  },
  "model.init": (value) => INIT_LABELS[value as keyof typeof INIT_LABELS],
  loss: (value) => LOSS_LABELS[value as keyof typeof LOSS_LABELS],
  "optimizer.type": (value) => OPTIMIZER_LABELS[value as string],
  "scheduler.type": (value) => SCHEDULER_LABELS[(value as string | undefined) ?? "none"],
  "gradientClipping.type": (value) =>
    CLIP_LABELS[(value as GradientClipping["type"] | undefined) ?? "none"],
  earlyStopping: () => "Off",
  "earlyStopping.metric": (value) =>
    EARLY_STOPPING_METRIC_LABELS[value as keyof typeof EARLY_STOPPING_METRIC_LABELS],
  "earlyStopping.mode": (value) =>
    EARLY_STOPPING_MODE_LABELS[value as keyof typeof EARLY_STOPPING_MODE_LABELS],
  "batch.mode": (value) => BATCH_LABELS[value as keyof typeof BATCH_LABELS],
  device: (value) => DEVICE_LABELS[value as string],
  // Absent means on (configs stored before the field existed).
  layerStats: (value) => value === false ? "Off" : "On",
};

/** The paths shown for `config`, by group, in the form's order. */
function pathsOf(config: RunConfig): [SettingGroup, string[]][] {
  const layers = config.model.layers.flatMap((_, i) =>
    ["units", "activation", "batchNorm", "dropout"].map((field) => `model.layers.${i}.${field}`)
  );
  const optimizer = Object.keys(config.optimizer).map((key) => `optimizer.${key}`);
  const scheduler = Object.keys(config.scheduler ?? { type: "none" }).map((key) =>
    `scheduler.${key}`
  );
  const clipping = Object.keys(config.gradientClipping ?? { type: "none" }).map((key) =>
    `gradientClipping.${key}`
  );
  const stopping = config.earlyStopping
    ? Object.keys(config.earlyStopping).map((key) => `earlyStopping.${key}`)
    : ["earlyStopping"];
  return [
    ["Data", [
      "data.dataset",
      "data.normalize",
      "data.split.train",
      "data.split.dev",
      ...(config.data.split.test === undefined ? [] : ["data.split.test"]),
      "data.trainSize",
      "data.testSize",
    ]],
    ["Model", ["model.init", ...layers, "loss"]],
    ["Optimizer", [...optimizer, ...scheduler]],
    ["Regularisation", ["regularization.l1", "regularization.l2"]],
    ["Training", [
      "batch.mode",
      "batch.size",
      "batch.shuffle",
      ...clipping,
      ...stopping,
      "epochs",
      "seed",
      "device",
      "layerStats",
    ]],
  ];
}

/** `config`'s settings, every one of them, in the form's groups and order. */
export function settingRows(config: RunConfig): SettingRow[] {
  // The defaults are of the config's optimizer type, so the type's own is taken apart.
  const defaults = {
    ...defaultsFor(config),
    // Lightning's defaults, the mode being the metric's.
    earlyStopping: config.earlyStopping
      ? earlyStoppingSchema.parse({ metric: config.earlyStopping.metric })
      : config.earlyStopping,
  };
  const defaultType = defaultRunConfig().optimizer.type;
  return pathsOf(config).flatMap(([group, paths]) =>
    paths.map((path) => {
      const value = valueAt(config, path);
      const defaultValue = path === "optimizer.type" ? defaultType : valueAt(defaults, path);
      return {
        group,
        path,
        label: fieldLabel(path),
        text: (TEXT[path] ?? plainText)(value),
        atDefault: JSON.stringify(value) === JSON.stringify(defaultValue),
      };
    })
  );
}

/** One row of the compare table: a setting and each run's value, absent where a run lacks it. */
export interface ComparedRow {
  group: SettingGroup;
  path: string;
  label: string;
  cells: (SettingRow | undefined)[];
  differs: boolean;
}

/**
 * The settings of several configs side by side. A setting only some have (a third layer, SGD's
 * momentum beside Adam's betas) sits after the setting it follows in its own config.
 */
export function comparedRows(configs: RunConfig[]): ComparedRow[] {
  const perConfig = configs.map((config) => new Map(settingRows(config).map((r) => [r.path, r])));
  const order: SettingRow[] = [];
  for (const rows of perConfig) {
    let at = -1;
    for (const row of rows.values()) {
      const seen = order.findIndex((other) => other.path === row.path);
      if (seen >= 0) at = seen;
      else order.splice(++at, 0, row);
    }
  }
  const differing = configDifferences(configs).map((difference) => difference.path);
  return order.map(({ group, path, label }) => ({
    group,
    path,
    label,
    cells: perConfig.map((rows) => rows.get(path)),
    differs: differing.some((other) => other === path || other.startsWith(`${path}.`)),
  }));
}
